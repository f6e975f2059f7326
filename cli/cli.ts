import { ConfigError, isAppError, isUnavailable } from '../core/index.js';
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
      } else if (isUnavailable(err)) {
        console.error(`error: a service is unreachable (${e.message}). Run \`make services\` to check and start MySQL and Redis.`);
      } else {
        console.error(err);
      }
      process.exit(1);
    },
  );
}
