// The producer side: publishing never blocks the ESL event loop. Notifications wait in a bounded
// in-memory outbox and are written to Redis in order per call; while Redis is unreachable they stay
// there (one loud log line per outage, a gauge) and are flushed when it returns.
import type { CrmNotification } from '@cc360/calls';
import { Logger, type LoggerService } from '@nestjs/common';
import { nextOrder } from './call-order-gate';
import type { DeliveryJobData } from './delivery-job';

export type EnqueueResult = 'queued' | 'duplicate';
export type Enqueue = (job: DeliveryJobData) => Promise<EnqueueResult>;

export interface NotificationOutboxOptions {
  /** Most notifications held in memory while Redis is away; beyond it new ones are dropped and counted. */
  maxBuffered: number;
  /** Calls written to Redis in parallel (each call's notifications stay sequential). */
  parallelCalls: number;
  /** Wait between attempts while Redis is unreachable. */
  retryDelayMs: number;
  logger?: LoggerService;
}

export type PublishResult = 'accepted' | 'dropped';

export interface OutboxStats {
  buffered: number;
  queued: number;
  duplicates: number;
  dropped: number;
  redisAvailable: boolean;
}

export class NotificationOutbox {
  private readonly byCall = new Map<string, DeliveryJobData[]>();
  private readonly readyCalls: string[] = [];
  private readonly idleWaiters: Array<() => void> = [];
  private readonly callWaiters = new Map<string, Array<() => void>>();
  private readonly logger: LoggerService;
  private draining = 0;
  private stopped = false;
  private failingSince: number | undefined;
  private readonly counters = { buffered: 0, queued: 0, duplicates: 0, dropped: 0 };

  constructor(private readonly enqueue: Enqueue, private readonly options: NotificationOutboxOptions) {
    this.logger = options.logger ?? new Logger('NotificationOutbox');
  }

  publish(notification: CrmNotification, producedAt: number = Date.now()): PublishResult {
    if (this.counters.buffered >= this.options.maxBuffered) {
      this.counters.dropped++;
      if (this.counters.dropped === 1 || this.counters.dropped % 1000 === 0) {
        this.logger.error(
          `Outbox full (${this.options.maxBuffered} notifications waiting for Redis): dropped ${this.counters.dropped} so far, ` +
            `latest call ${notification.callId}`,
        );
      }
      return 'dropped';
    }
    const job: DeliveryJobData = { notification, producedAt, order: nextOrder(producedAt) };
    const pending = this.byCall.get(notification.callId);
    if (pending) {
      pending.push(job);
    } else {
      this.byCall.set(notification.callId, [job]);
      this.readyCalls.push(notification.callId);
    }
    this.counters.buffered++;
    this.pump();
    return 'accepted';
  }

  stats(): OutboxStats {
    return { ...this.counters, redisAvailable: this.failingSince === undefined };
  }

  /** Resolves when everything published so far is in Redis (or the outbox was stopped). */
  whenIdle(): Promise<void> {
    if (this.counters.buffered === 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Resolves when every notification of `callId` published so far is in Redis (or was dropped). Never
   * resolves for one still held when the outbox stops: it is lost with the process.
   */
  whenCallWritten(callId: string): Promise<void> {
    if (!this.byCall.has(callId)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.callWaiters.get(callId) ?? [];
      waiters.push(resolve);
      this.callWaiters.set(callId, waiters);
    });
  }

  /** Stops writing; what is still buffered is reported and lost with the process. */
  stop(): number {
    this.stopped = true;
    this.idleWaiters.splice(0).forEach((resolve) => resolve());
    return this.counters.buffered;
  }

  private pump(): void {
    while (!this.stopped && this.draining < this.options.parallelCalls && this.readyCalls.length > 0) {
      const callId = this.readyCalls.shift() as string;
      this.draining++;
      void this.drainCall(callId);
    }
  }

  private async drainCall(callId: string): Promise<void> {
    const pending = this.byCall.get(callId) ?? [];
    while (pending.length > 0 && !this.stopped) {
      try {
        const result = await this.enqueue(pending[0]);
        pending.shift();
        this.counters.buffered--;
        if (result === 'queued') this.counters.queued++;
        else this.counters.duplicates++;
        this.onRedisSuccess();
      } catch (error) {
        this.onRedisFailure(error);
        await sleep(this.options.retryDelayMs);
      }
    }
    if (pending.length === 0) {
      this.byCall.delete(callId);
      this.callWaiters.get(callId)?.forEach((resolve) => resolve());
      this.callWaiters.delete(callId);
    }
    this.draining--;
    if (this.counters.buffered === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
    this.pump();
  }

  private onRedisFailure(error: unknown): void {
    if (this.failingSince !== undefined) return;
    this.failingSince = Date.now();
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.error(
      `Redis unreachable, notifications are held in memory (up to ${this.options.maxBuffered}) until it returns: ${reason}`,
    );
  }

  private onRedisSuccess(): void {
    if (this.failingSince === undefined) return;
    const seconds = ((Date.now() - this.failingSince) / 1000).toFixed(1);
    this.failingSince = undefined;
    this.logger.log(`Redis reachable again after ${seconds} s; flushing ${this.counters.buffered} held notifications`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
