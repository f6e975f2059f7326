import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchResults, Cell } from '../../bench/results.js';

// The recorded results the report tests render from (a full-mode run of the matrix, sweep and read modes with
// autocannon); each test forges what it needs beside its cells.
export const SAMPLE_PATH = fileURLToPath(new URL('../../../test/fixtures/bench-results-sample.json', import.meta.url));

/** A fresh copy of the recorded sample results. */
export function sample(): BenchResults {
  return JSON.parse(readFileSync(SAMPLE_PATH, 'utf8')) as BenchResults;
}

/** The cell of that id (the test fails when there is none). */
export function cellOf(results: BenchResults, id: string): Cell {
  const cell = results.cells.find((c) => c.id === id);
  expect(cell, id).to.not.equal(undefined);
  return cell!;
}
