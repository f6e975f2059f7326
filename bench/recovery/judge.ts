// How the recovery step judges one projection read: against MySQL's answer to the same question (the /db route).
import type { RecoveryResult } from '../results.js';

/** An HTTP answer as the recovery readers keep it: the status and the body's text. */
export interface ReadAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * `right`: what MySQL answers, status and body byte for byte (a read answered from MySQL while the read model heals is
 * right); `wrong`: another answer (a 404 for an id that exists, an empty or stale page: what must never be served);
 * `unavailable`: a 503, refused rather than answered; `error`: no answer, or another server error.
 */
export type ReadOutcome = 'right' | 'wrong' | 'unavailable' | 'error';

export const READ_OUTCOMES: readonly ReadOutcome[] = ['right', 'wrong', 'unavailable', 'error'];

/** `got` (null: the request failed) judged against `expected`, MySQL's answer. */
export function judgeRead(expected: ReadAnswer, got: ReadAnswer | null): ReadOutcome {
  if (got === null) return 'error';
  if (got.status === expected.status && got.body === expected.body) return 'right';
  if (got.status === 503) return 'unavailable';
  if (got.status >= 500) return 'error';
  return 'wrong';
}

/** Every wrong answer of a measurement: during the run, and in the check once healthy (a question not right then). */
export function wrongAnswers(r: RecoveryResult): number {
  return r.before.wrong + r.window.wrong + r.after.wrong + (r.afterHealthy.checked - r.afterHealthy.right);
}
