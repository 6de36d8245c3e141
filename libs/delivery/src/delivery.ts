// The delivery pipeline as one object: publish() on the producer side, lane workers on the consumer side.
import type { CrmNotification } from '@cc360/calls';
import { Logger, type LoggerService } from '@nestjs/common';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { CallOrderGate } from './call-order-gate';
import type { DeliveryAttemptObserver } from './delivery-attempt';
import { laneQueueNames } from './lanes';
import { LaneProducer } from './lane-producer';
import { LaneWorkers, type NotificationSender } from './lane-workers';
import { NotificationOutbox, type OutboxStats, type PublishResult } from './notification-outbox';
import { producerRedisOptions, redisOptionsFromUrl, warnUnlessNoEviction } from './redis-connection';
import type { RetryPolicy } from './retry-policy';

export interface DeliveryOptions {
  redisUrl: string;
  /** Key prefix of every queue and gate key in Redis. */
  prefix: string;
  /** Lanes = calls delivered in parallel (DELIVERY_CONCURRENCY). Changing it re-pins calls: drain first. */
  laneCount: number;
  retry: RetryPolicy;
  dedupWindowMs: number;
  lockDurationMs: number;
  gatePollMs: number;
  outboxMaxBuffered: number;
  keepCompleted: number;
  keepFailedMs: number;
  /** Run lane workers in this process (false: produce only). */
  consume: boolean;
  logger?: LoggerService;
  /** Told about every request to the CRM (the call journal); optional. */
  attemptObserver?: DeliveryAttemptObserver;
}

export const DELIVERY_DEFAULTS = {
  prefix: 'cc360',
  laneCount: 32,
  dedupWindowMs: 6 * 3_600_000,
  lockDurationMs: 30_000,
  gatePollMs: 5_000,
  outboxMaxBuffered: 100_000,
  keepCompleted: 200,
  keepFailedMs: 14 * 24 * 3_600_000,
} as const;

export interface LaneQueues {
  readonly queues: Queue[];
  close(): Promise<void>;
}

/**
 * The lane queues on one shared producer connection, for callers that do not get them from
 * @nestjs/bullmq (tests, benches, the admin CLI).
 */
export function createLaneQueues(redisUrl: string, prefix: string, laneCount: number): LaneQueues {
  const connection = new Redis(producerRedisOptions(redisUrl));
  connection.on('error', () => undefined); // the outbox reports outages, once each
  const queues = laneQueueNames(laneCount).map((name) => new Queue(name, { connection, prefix }));
  return {
    queues,
    async close() {
      await Promise.all(queues.map((queue) => queue.close()));
      connection.disconnect();
    },
  };
}

export class Delivery {
  readonly workers: LaneWorkers | undefined;
  private readonly outbox: NotificationOutbox;
  private readonly redis: Redis;
  private readonly logger: LoggerService;
  readonly gate: CallOrderGate;

  constructor(
    private readonly options: DeliveryOptions,
    readonly queues: readonly Queue[],
    sender: NotificationSender,
  ) {
    if (queues.length !== options.laneCount) {
      throw new Error(`Delivery needs ${options.laneCount} lane queues, got ${queues.length}`);
    }
    this.logger = options.logger ?? new Logger('Delivery');
    this.redis = new Redis(producerRedisOptions(options.redisUrl));
    this.redis.on('error', () => undefined); // reported by the outbox and the workers, once per outage
    this.gate = new CallOrderGate(this.redis, {
      prefix: options.prefix,
      gateTtlMs: options.retry.maxAgeMs + 3_600_000,
      dedupWindowMs: options.dedupWindowMs,
      orphanAfterMs: 30_000,
    });
    const producer = new LaneProducer(queues, this.gate, {
      keepCompleted: options.keepCompleted,
      keepFailedMs: options.keepFailedMs,
    });
    this.outbox = new NotificationOutbox((job) => producer.enqueue(job), {
      maxBuffered: options.outboxMaxBuffered,
      parallelCalls: Math.max(8, options.laneCount),
      retryDelayMs: 500,
      logger: this.logger,
    });
    this.workers = options.consume
      ? new LaneWorkers(queues, this.gate, sender, {
          connection: redisOptionsFromUrl(options.redisUrl),
          prefix: options.prefix,
          retry: options.retry,
          lockDurationMs: options.lockDurationMs,
          gatePollMs: options.gatePollMs,
          logger: this.logger,
          attemptObserver: options.attemptObserver,
        })
      : undefined;
  }

  async start(): Promise<void> {
    await warnUnlessNoEviction(this.redis, this.logger).catch(() => undefined);
    await this.workers?.start();
  }

  /** Never blocks and never throws: the notification is in the outbox (or counted as dropped). */
  publish(notification: CrmNotification): PublishResult {
    return this.outbox.publish(notification);
  }

  /** Resolves when Redis answers (readiness). */
  async ping(): Promise<void> {
    await this.redis.ping();
  }

  outboxStats(): OutboxStats {
    return this.outbox.stats();
  }

  /** Resolves when every notification of the call published so far has reached Redis. */
  written(callId: string): Promise<void> {
    return this.outbox.whenCallWritten(callId);
  }

  /** Resolves when everything published so far has reached Redis. */
  flushed(): Promise<void> {
    return this.outbox.whenIdle();
  }

  /**
   * Stops consuming (jobs in progress finish, bounded by timeoutMs), flushes the outbox as far as Redis
   * allows within the same bound, and closes connections. Unfinished jobs stay in Redis for the next start.
   */
  async stop(timeoutMs: number): Promise<void> {
    const deadline = withTimeout(timeoutMs);
    await deadline(Promise.all([this.workers?.close(), this.outbox.whenIdle()]));
    const lost = this.outbox.stop();
    if (lost > 0) this.logger.error(`Shutting down with ${lost} notifications not yet in Redis: they are lost`);
    this.redis.disconnect();
  }
}

function withTimeout(ms: number): (work: Promise<unknown>) => Promise<void> {
  return async (work) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    await Promise.race([work.then(() => undefined), timeout]);
    clearTimeout(timer);
  };
}
