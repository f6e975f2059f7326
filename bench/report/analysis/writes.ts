// The write cells in numbers: each runtime's command at each connection count, against the write floor measured in
// turns with it.
import type { BenchResults, Cell, EntityName, RuntimeName, WriteCommand } from '../../results.js';
import { roundRatios, runtimesOf } from './common.js';

/** A runtime's command at one connection count, with the write floor measured in turns with it (its command only). */
export interface WriteFinding {
  readonly runtime: RuntimeName;
  readonly entity: EntityName;
  readonly command: WriteCommand;
  readonly connections: number;
  readonly cell: Cell;
  readonly floorCell: Cell | undefined;
  /** runtime ÷ floor writes/s (medians), and round by round when measured in turns. */
  readonly floorRatio: number | null;
  readonly floorRounds: readonly number[] | null;
}

export const COMMANDS: readonly WriteCommand[] = ['create', 'update', 'delete'];

export function writeFindings(results: BenchResults): WriteFinding[] {
  const cells = results.cells.filter((c) => c.group === 'writes');
  return cells.filter((c) => !c.writeFloor).map((cell) => {
    const floorCell = cells.find((f) => f.writeFloor && f.runtime === cell.runtime && f.entity === cell.entity && f.operation === cell.operation && f.connections === cell.connections);
    const floorRps = floorCell?.summary.rps.median ?? 0;
    return {
      runtime: cell.runtime, entity: cell.entity, command: cell.operation as WriteCommand, connections: cell.connections ?? results.settings.connections, cell, floorCell,
      floorRatio: floorCell && floorRps > 0 ? cell.summary.rps.median / floorRps : null,
      floorRounds: floorCell ? roundRatios(cell, floorCell) : null,
    };
  });
}

export interface CommandKey {
  readonly runtime: RuntimeName;
  readonly entity: EntityName;
  readonly command: WriteCommand;
}

/** Each runtime's commands, in the order the report lists them. */
export function commandsOf(results: BenchResults, findings: readonly WriteFinding[]): CommandKey[] {
  const keys = new Map<string, CommandKey>();
  for (const runtime of runtimesOf(results)) {
    for (const f of findings.filter((w) => w.runtime === runtime).sort((a, b) => COMMANDS.indexOf(a.command) - COMMANDS.indexOf(b.command))) {
      keys.set(`${f.runtime}/${f.entity}/${f.command}`, { runtime: f.runtime, entity: f.entity, command: f.command });
    }
  }
  return [...keys.values()];
}
