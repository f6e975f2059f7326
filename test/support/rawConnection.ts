import { connect, type Socket } from 'node:net';
import { parseHead } from './rawHttp.js';

// One raw TCP connection to a runtime, kept open across requests: write bytes as given (in as many steps as
// a test needs), read the responses one after another, and see when the server closed the connection. For
// what a one-shot client cannot show: keep-alive after an error, pipelining, an answer that comes while the
// client is still sending.

export interface RawHttpResponse {
  readonly status: number;
  /** Header names lower-cased (the last value of a repeated header). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}


export class RawConnection {
  private data = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;
  /** Bytes written so far (what the server may have read). */
  written = 0;

  private constructor(private readonly socket: Socket) {
    const notify = () => {
      this.wake?.();
      this.wake = undefined;
    };
    socket.on('data', (chunk: Buffer) => {
      this.data = Buffer.concat([this.data, chunk]);
      notify();
    });
    socket.on('error', () => undefined); // a reset is a close: what arrived before it stays readable
    socket.on('close', () => {
      this.ended = true;
      notify();
    });
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, noDelay: true });
      socket.once('connect', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Whether the server closed the connection (FIN or reset). */
  get closed(): boolean {
    return this.ended;
  }

  write(bytes: string | Buffer): void {
    if (this.ended || this.socket.destroyed) return;
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    this.written += buffer.length;
    this.socket.write(buffer);
  }

  /** Waits until `ready` holds, the connection closes, or `ms` pass; says whether `ready` held. */
  private async until(ready: () => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!ready()) {
      const left = deadline - Date.now();
      if (this.ended || left <= 0) return ready();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return true;
  }

  /**
   * The next response on the connection (an interim 1xx one too, when `interim`), or undefined when the
   * connection closed or `ms` passed before a whole one arrived. `head`: the request was a HEAD (no body).
   */
  async response(ms: number, options: { head?: boolean; interim?: boolean } = {}): Promise<RawHttpResponse | undefined> {
    for (;;) {
      let parsed: { response: RawHttpResponse; length: number } | undefined;
      await this.until(() => (parsed = this.parse(options.head ?? false)) !== undefined, ms);
      if (!parsed) return undefined;
      const { response, length } = parsed;
      this.data = this.data.subarray(length);
      if (response.status >= 200 || options.interim) return response;
    }
  }

  /** Waits for the server to close the connection; says whether it did within `ms`. */
  waitClosed(ms: number): Promise<boolean> {
    return this.until(() => this.ended, ms);
  }

  /** Bytes received and not yet taken by `response`. */
  get unread(): Buffer {
    return this.data;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private parse(head: boolean): { response: RawHttpResponse; length: number } | undefined {
    const parsed = parseHead(this.data);
    if (!parsed) return undefined;
    const { status, statusLine, bodyStart } = parsed;
    const headers = Object.fromEntries(Object.entries(parsed.headers).map(([name, values]) => [name, values.at(-1)!]));
    const length = head || status < 200 || status === 204 || status === 304 ? 0 : Number(headers['content-length'] ?? Number.NaN);
    if (Number.isNaN(length)) throw new Error(`response without Content-Length: ${statusLine}`);
    if (this.data.length < bodyStart + length) return undefined;
    const body = this.data.subarray(bodyStart, bodyStart + length).toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    return { response: { status, headers, body, json }, length: bodyStart + length };
  }
}
