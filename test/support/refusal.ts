import type { AppError } from '../../core/errors.js';

/** The error a synchronous check throws; fails the test when it throws nothing. */
export function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected a refusal');
}
