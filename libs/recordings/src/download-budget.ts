// One budget for all recording downloads: a cap on how many stream at once and on their total bytes per
// second. Serving files shares the process with event handling and delivery; without a cap, 50 clients
// pulling 20 MB files took the CPU that deliveries needed (delivery p99 went from 0.3 s to 3 s).
import { Transform, type TransformCallback } from 'node:stream';

export interface DownloadBudgetOptions {
  /** Downloads streaming at once; one more is refused (503, Retry-After) rather than queued. */
  readonly maxDownloads: number;
  /** Total bytes per second over all downloads; 0 means no limit. */
  readonly bytesPerSecond: number;
}

interface Waiter {
  readonly bytes: number;
  readonly resume: () => void;
}

export class DownloadBudget {
  private active = 0;
  private tokens: number;
  private refilledAt = performance.now();
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Up to a tenth of a second of bandwidth may go at once, and at least one read chunk. */
  private readonly burst: number;

  constructor(readonly options: DownloadBudgetOptions) {
    this.burst = Math.max(256 * 1024, options.bytesPerSecond / 10);
    this.tokens = this.burst;
  }

  get streaming(): number {
    return this.active;
  }

  /** A slot for one download, or undefined when all are taken. Call the returned function when it ends. */
  start(): (() => void) | undefined {
    if (this.active >= this.options.maxDownloads) return undefined;
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
    };
  }

  /** Passes a download's bytes on no faster than its share of the budget (waiters are served in turn). */
  pace(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) => this.take(chunk.length, () => done(null, chunk)),
    });
  }

  private take(bytes: number, resume: () => void): void {
    if (this.options.bytesPerSecond <= 0) return resume();
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= Math.min(bytes, this.burst)) {
      this.tokens -= bytes;
      return resume();
    }
    this.waiters.push({ bytes, resume });
    this.schedule();
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.options.bytesPerSecond);
    this.refilledAt = now;
  }

  private schedule(): void {
    if (this.timer) return;
    const head = this.waiters[0];
    if (!head) return;
    const missing = Math.min(head.bytes, this.burst) - this.tokens;
    const delayMs = Math.max(1, Math.ceil((missing / this.options.bytesPerSecond) * 1000));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      // A chunk larger than the burst goes once the bucket is full, leaving it in debt (tokens < 0).
      for (let head = this.waiters[0]; head && this.tokens >= Math.min(head.bytes, this.burst); head = this.waiters[0]) {
        this.waiters.shift();
        this.tokens -= head.bytes;
        head.resume();
      }
      this.schedule();
    }, delayMs);
    // Pacing must never hold the process open at shutdown.
    this.timer.unref();
  }
}
