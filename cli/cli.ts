import { basename } from 'node:path';
import { ConfigError, isAppError, isUnavailable } from '../core/index.js';

// node:util parseArgs refusing the command line: an option it does not know, a value it cannot take, an extra word.
const ARGUMENT_ERRORS = new Set(['ERR_PARSE_ARGS_UNKNOWN_OPTION', 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE', 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL']);
/**
 * Runs a command-line entry point: exits with the code `main` resolves with (0 when none); a known failure
 * prints one clear line and exits 1, never a stack.
 */
export function runCli(main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (err: unknown) => {
      const e = err as Error;
      if (err instanceof ConfigError || e?.name === 'ServiceUnavailableError' || isAppError(err)) {
        console.error(`error: ${e.message}`);
      } else if (ARGUMENT_ERRORS.has((err as { code?: string })?.code ?? '')) {
        const script = basename(process.argv[1] ?? 'the command');
        console.error(`error: ${e.message.split('. ')[0]!.replace(/\.$/, '')}; the options of ${script} are listed at the top of cli/${script.replace(/\.js$/, '.ts')}, the make targets by \`make help\``);
      } else if (isUnavailable(err)) {
        console.error(`error: a service is unreachable (${e.message}). Run \`make services\` to check and start MySQL and Redis.`);
      } else {
        console.error(err);
      }
      process.exit(1);
    },
  );
}
