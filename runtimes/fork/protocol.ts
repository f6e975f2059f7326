import type { HttpRequest, HttpResponse } from '../../core/http/types.js';
import type { MetricsSnapshot } from '../../core/metrics/MetricsAggregation.js';

// Messages between the fork master and its children, over the IPC channel (advanced serialization,
// so request bodies travel as Buffers). Like FastCGI between a web server and PHP-FPM.

export type MasterMessage =
  | { type: 'request'; id: number; request: HttpRequest }
  | { type: 'metrics'; id: number }
  | { type: 'shutdown' };

export type ChildMessage =
  | { type: 'ready' }
  /** `retiring`: the child reached FORK_MAX_REQUESTS and exits after this answer. */
  | { type: 'response'; id: number; response: HttpResponse; retiring: boolean }
  | { type: 'metrics'; id: number; snapshot: MetricsSnapshot };
