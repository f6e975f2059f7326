/**
 * Requests sent over a message channel (IPC, worker_threads) and matched with their replies by id. A reply
 * that does not come within the timeout resolves as undefined, so a stuck worker never blocks the asker.
 */
export class PendingReplies<T> {
  private readonly waiting = new Map<number, (reply: T | undefined) => void>();
  private nextId = 1;

  constructor(private readonly timeoutMs: number) {}

  /** Sends with a fresh id (`send` posts the message) and waits for its reply. */
  ask(send: (id: number) => void): Promise<T | undefined> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      const timer = setTimeout(() => { this.waiting.delete(id); resolve(undefined); }, this.timeoutMs);
      this.waiting.set(id, (reply) => { clearTimeout(timer); resolve(reply); });
      send(id);
    });
  }

  /** Hands a reply to whoever asked with this id (ignored when it already timed out). */
  settle(id: number, reply: T): void {
    this.waiting.get(id)?.(reply);
    this.waiting.delete(id);
  }
}
