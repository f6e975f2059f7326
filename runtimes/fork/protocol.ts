import type { HttpRequest, HttpResponse } from '../../core/http/types.js';
import type { MetricsSnapshot } from '../../core/metrics/MetricsAggregation.js';

// Messages between the fork master and its children, over the IPC channel (advanced serialization,
// so request bodies travel as Buffers). Like FastCGI between a web server and PHP-FPM.

export type MasterMessage =
  /** The request without its body when it has none: an empty Buffer still costs the serializer a host object each way. */
  | { type: 'request'; id: number; request: Omit<HttpRequest, 'body'> & { readonly body?: Buffer } }
  | { type: 'metrics'; id: number }
  | { type: 'shutdown' };

export type ChildMessage =
  | { type: 'ready' }
  /** `retiring`: the child reached FORK_MAX_REQUESTS and exits after this answer. */
  | { type: 'response'; id: number; response: HttpResponse; retiring: boolean }
  | { type: 'metrics'; id: number; snapshot: MetricsSnapshot };
