import { createServer, connect, type Server, type Socket } from 'node:net';
import { findFreePort } from '../../runtimes/launcher.js';

export const freePort = (): Promise<number> => findFreePort();

/**
 * A TCP relay on loopback in front of a real service (MySQL, Redis). `cut()` drops every connection and
 * refuses new ones, as a service that went down; `restore()` brings it back. Nothing is mocked: bytes go to
 * the real server.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(readonly port: number, private readonly target: { host: string; port: number }) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(await freePort(), target);
    await proxy.restore();
    return proxy;
  }

  async restore(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => { client.destroy(); upstream.destroy(); });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

const COMMIT = Buffer.from('COMMIT');

/**
 * A TCP relay in front of the real MariaDB that can lose a commit's acknowledgement: once armed, the next COMMIT a
 * client sends goes through to the server, the server's reply to it (the commit is done) is swallowed, and that
 * connection is cut. The write stands; the client is told only that its connection was lost — an acknowledgement
 * lost while the write stands, as when MariaDB is killed right after a commit. Otherwise it relays every byte.
 */
export class LostCommitRelay {
  private onCommit: (() => void) | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(target: { host: string; port: number }): Promise<LostCommitRelay> {
    const port = await freePort();
    let relay: LostCommitRelay | undefined;
    const server = createServer((client) => relay!.relay(client, connect(target.port, target.host)));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    relay = new LostCommitRelay(server, port);
    return relay;
  }

  /** Arms the relay; resolves once a COMMIT went through and its reply was swallowed (its connection cut). */
  loseNextCommitReply(): Promise<void> {
    return new Promise((resolve) => { this.onCommit = resolve; });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private relay(client: Socket, upstream: Socket): void {
    let swallowing = false;
    const cut = () => { client.destroy(); upstream.destroy(); };
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => { this.sockets.delete(s); cut(); });
      s.on('error', cut);
    }
    upstream.on('data', (chunk: Buffer) => {
      if (!swallowing) client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => {
      const lost = this.onCommit;
      if (lost && chunk.includes(COMMIT)) {
        this.onCommit = undefined;
        swallowing = true;
        // The server's first bytes after the COMMIT are its answer to it: the commit is done when they come.
        upstream.once('data', () => { cut(); lost(); });
      }
      upstream.write(chunk);
    });
  }
}
