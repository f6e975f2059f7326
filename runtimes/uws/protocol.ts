import type { MetricsSnapshot } from '../../core/metrics/MetricsAggregation.js';

// Messages between the uws main thread and its worker threads.
export type MainMessage =
  | { type: 'snapshot'; id: number }
  | { type: 'metrics-text'; id: number; contentType: string; body: string }
  /** Refuse new requests, answer those in flight, close every connection by `deadlineMs`, then report. */
  | { type: 'shutdown'; deadlineMs: number };

export type WorkerMessage =
  | { type: 'listening' }
  | { type: 'listen-failed'; reason: string }
  /** After 'shutdown': no socket left; `stillRunning` handlers had not finished by the deadline (else pools closed). */
  | { type: 'drained'; stillRunning: number }
  | { type: 'snapshot'; id: number; snapshot: MetricsSnapshot }
  /** A worker answering GET /metrics asks the main thread for the aggregate of every thread. */
  | { type: 'metrics-request'; id: number };
