// A minimal structured logger: one JSON line per message on stderr. Runtimes may pass their own.
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

function line(level: string, message: string, fields?: Record<string, unknown>): void {
  const record: Record<string, unknown> = { level, time: new Date().toISOString(), pid: process.pid, msg: message, ...fields };
  const err = record.err;
  if (err instanceof Error) record.err = { message: err.message, code: (err as { code?: unknown }).code };
  process.stderr.write(JSON.stringify(record) + '\n');
}

export const consoleLogger: Logger = {
  info: (m, f) => line('info', m, f),
  warn: (m, f) => line('warn', m, f),
  error: (m, f) => line('error', m, f),
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
