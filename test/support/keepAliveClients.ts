import { connect, type Socket } from 'node:net';
import { parseHead } from './rawHttp.js';

// Keep-alive HTTP/1.1 clients over raw sockets, each sending one request at a time on its own connection and
// recording what became of every request: a status line, or the connection ending without one. A client opens a
// new connection when the server closed its previous one, and stops when a connection is refused.

export interface KeepAliveRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** JSON body (POST). */
  readonly body?: unknown;
}

export interface Outcome {
  readonly request: KeepAliveRequest;
  readonly client: number;
  /** The request was written after `markSignal()`. */
  readonly sentAfterSignal: boolean;
  /** Responses this connection had given before this request (0: its first request). */
  readonly answeredBefore: number;
  /** Undefined: the connection ended (FIN, reset) without a status line for this request. */
  readonly status?: number;
  readonly connectionClose?: boolean;
  readonly json?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly error?: string;
}


/** One request's round trip on an open socket: its response, or how the connection ended. */
function exchange(socket: Socket, bytes: Buffer): Promise<{ status?: number; connectionClose?: boolean; body?: string; error?: string }> {
  return new Promise((resolve) => {
    let data = Buffer.alloc(0);
    const done = (result: { status?: number; connectionClose?: boolean; body?: string; error?: string }) => {
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const head = parseHead(data);
      if (!head) return;
      const length = Number(head.headers['content-length']?.[0] ?? 0);
      if (data.length < head.bodyStart + length) return;
      done({ status: head.status, connectionClose: /close/i.test(head.headers.connection?.join(',') ?? ''), body: data.subarray(head.bodyStart, head.bodyStart + length).toString('utf8') });
    };
    let lastError: string | undefined;
    const onError = (err: NodeJS.ErrnoException) => { lastError = err.code ?? err.message; };
    const onClose = () => done({ error: lastError ?? 'closed without a status line' });
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', onError);
    socket.write(bytes);
  });
}

function openSocket(port: number): Promise<Socket | string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

function encode(request: KeepAliveRequest): Buffer {
  const body = request.body === undefined ? '' : JSON.stringify(request.body);
  const head = `${request.method} ${request.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
    (request.body === undefined ? '' : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`) + '\r\n';
  return Buffer.from(head + body);
}

export class KeepAliveClients {
  readonly outcomes: Outcome[] = [];
  /** Connections refused (nothing sent): the server no longer listens. */
  refusedConnects = 0;
  private signalled = false;
  private stopped = false;
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly port: number, private readonly next: (client: number, seq: number) => KeepAliveRequest) {}

  /** Starts `count` clients, each with its connection open before it returns. */
  async start(count: number): Promise<void> {
    const sockets = await Promise.all(Array.from({ length: count }, () => openSocket(this.port)));
    sockets.forEach((socket, client) => {
      if (typeof socket === 'string') throw new Error(`client ${client} could not connect: ${socket}`);
      this.loops.push(this.run(client, socket));
    });
  }

  /** Resolves once every client has had a response (its connection accepted and served), or fails after `ms`. */
  async everyClientAnswered(count: number, ms = 30_000): Promise<void> {
    for (const deadline = Date.now() + ms; ;) {
      const answered = new Set(this.outcomes.filter((o) => o.status !== undefined).map((o) => o.client));
      if (answered.size >= count) return;
      if (Date.now() > deadline) throw new Error(`only ${answered.size} of ${count} clients answered within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Requests written from now on count as sent after the signal. */
  markSignal(): void {
    this.signalled = true;
  }

  /** Stops sending and waits for every client's last request to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async run(client: number, first: Socket): Promise<void> {
    let socket: Socket | undefined = first;
    let answered = 0;
    for (let seq = 0; !this.stopped; seq++) {
      // The server closed an idle connection: nothing was sent on it, open another.
      if (socket && (socket.destroyed || socket.readyState !== 'open')) socket = undefined;
      if (!socket) {
        const opened = await openSocket(this.port);
        if (typeof opened === 'string') {
          this.refusedConnects++;
          return;
        }
        socket = opened;
        answered = 0;
      }
      const request = this.next(client, seq);
      const sentAfterSignal = this.signalled;
      const result = await exchange(socket, encode(request));
      let json: unknown;
      try {
        json = result.body ? JSON.parse(result.body) : undefined;
      } catch {
        json = undefined;
      }
      this.outcomes.push({ request, client, sentAfterSignal, answeredBefore: answered, status: result.status, connectionClose: result.connectionClose, json, error: result.error });
      if (result.status === undefined || result.connectionClose) {
        socket.destroy();
        socket = undefined;
      } else {
        answered++;
      }
    }
    socket?.destroy();
  }
}
