import type { MetricsSnapshot } from '../../core/metrics/MetricsAggregation.js';

// Messages between the uws main thread and its worker threads.
export type MainMessage =
  | { type: 'snapshot'; id: number }
  | { type: 'metrics-text'; id: number; contentType: string; body: string }
  | { type: 'shutdown' };

export type WorkerMessage =
  | { type: 'listening' }
  | { type: 'listen-failed'; reason: string }
  /** After 'shutdown': the worker stopped listening, its in-flight requests are answered, its pools closed. */
  | { type: 'drained' }
  | { type: 'snapshot'; id: number; snapshot: MetricsSnapshot }
  /** A worker answering GET /metrics asks the main thread for the aggregate of every thread. */
  | { type: 'metrics-request'; id: number };
