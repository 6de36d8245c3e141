// The consumer side: one BullMQ worker per lane, one job at a time per lane across all instances,
// each job passing the call's order gate before it goes to the CRM.
import { notificationKind, type DeliveryJobData } from './delivery-job';
import type { CrmNotification } from '@cc360/calls';
import { Logger, type LoggerService } from '@nestjs/common';
import { DelayedError, Job, UnrecoverableError, Worker, type Queue, type RedisOptions } from 'bullmq';
import Redis from 'ioredis';
import { EventEmitter } from 'node:events';
import type { CallOrderGate } from './call-order-gate';
import { sendObserved, type DeliveryAttemptObserver } from './delivery-attempt';
import { TransientDeliveryError, toDeliveryFailure } from './delivery-failure';
import { DeliveryHealth } from './delivery-health';
import { FailureLog } from './failure-log';
import type { DeliveryEvents } from './delivery-events';
import { retryDelayMs, retryWindowOver, type RetryPolicy } from './retry-policy';

/** Where notifications go: the CRM client, or anything that behaves like it. */
export interface NotificationSender {
  send(notification: CrmNotification): Promise<unknown>;
}

export interface LaneWorkersOptions {
  /** Connection options for the workers' own (blocking) connections. */
  connection: RedisOptions;
  prefix: string;
  retry: RetryPolicy;
  /** A job whose worker died is taken over after this long (BullMQ lock). */
  lockDurationMs: number;
  /** Longest a job waiting behind an earlier job of its call sleeps before it looks again. */
  gatePollMs: number;
  logger?: LoggerService;
  /** Told about every request to the CRM (the call journal); optional. */
  attemptObserver?: DeliveryAttemptObserver;
}

export const BACKOFF_TYPE = 'cc360-backoff';

export class LaneWorkers extends EventEmitter<DeliveryEvents> {
  private readonly workers: Worker<DeliveryJobData>[] = [];
  private readonly logger: LoggerService;
  private readonly health: DeliveryHealth;
  private lastWakeUp = 0;
  private readonly failures: FailureLog;
  private readonly workerErrors = new Map<string, string>();
  /**
   * Sends of this process whose job BullMQ has not yet recorded as done. When Redis goes away while a
   * request is in flight, the job's lock can run out and BullMQ hands the same job to us again: that
   * second run waits for the first send instead of repeating it.
   */
  private readonly unrecordedSends = new Map<string, Promise<unknown>>();
  private sharedClient: Redis | undefined;

  constructor(
    private readonly queues: readonly Queue[],
    private readonly gate: CallOrderGate,
    private readonly sender: NotificationSender,
    private readonly options: LaneWorkersOptions,
  ) {
    super();
    this.logger = options.logger ?? new Logger('Delivery');
    this.health = new DeliveryHealth(this.logger);
    this.failures = new FailureLog(this.logger);
  }

  get crmFailing(): boolean {
    return this.health.failing;
  }

  async start(): Promise<void> {
    // Global concurrency 1 makes a lane serial across every connector instance, not only within one.
    await Promise.all(this.queues.map((queue) => queue.setGlobalConcurrency(1)));
    // One command connection shared by every lane (each lane still gets its own blocking connection):
    // hundreds of lanes on their own sockets cost more CPU in syscalls than the deliveries themselves.
    const sharedClient = new Redis({ ...this.options.connection, maxRetriesPerRequest: null });
    sharedClient.on('error', () => undefined); // reported through the workers' 'error' events
    this.sharedClient = sharedClient;
    for (const queue of this.queues) {
      const worker: Worker<DeliveryJobData> = new Worker<DeliveryJobData>(
        queue.name,
        (job, token) => this.process(worker, job, token),
        {
          connection: sharedClient,
          prefix: this.options.prefix,
          concurrency: 1,
          lockDuration: this.options.lockDurationMs,
          stalledInterval: this.options.lockDurationMs,
          // A stalled job is one whose connector died mid-delivery: take it over, never fail it for that.
          maxStalledCount: 1_000,
          settings: {
            backoffStrategy: (attemptsMade: number, _type?: string, error?: Error) =>
              retryDelayMs(
                this.options.retry,
                attemptsMade,
                error instanceof TransientDeliveryError ? error.failure.retryAfterMs : undefined,
              ),
          },
        },
      );
      worker.on('completed', (job) => this.unrecordedSends.delete(job.id as string));
      worker.on('error', (error) => this.onWorkerError(queue.name, error));
      worker.on('ready', () => this.onWorkerReady(queue.name));
      this.workers.push(worker);
    }
  }

  /** Waits for the jobs in progress to finish; jobs not started stay in Redis for the next start. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
    this.workers.length = 0;
    this.sharedClient?.disconnect();
    this.sharedClient = undefined;
  }

  private async process(worker: Worker<DeliveryJobData>, job: Job<DeliveryJobData>, token?: string): Promise<void> {
    const { notification, producedAt } = job.data;
    const jobId = job.id as string;
    const jobKeyPrefix = worker.toKey('');
    const turn = await this.gate.turn(notification.callId, jobId, jobKeyPrefix);
    if (turn.kind === 'wait') {
      await job.moveToDelayed(Date.now() + this.options.gatePollMs, token);
      // Look again after parking: the job ahead may have finished in between and found nobody to wake.
      const again = await this.gate.turn(notification.callId, jobId, jobKeyPrefix);
      if (again.kind !== 'wait') await promoteIfDelayed(job);
      throw new DelayedError();
    }

    const attempts = job.attemptsMade + 1;
    try {
      const earlier = this.unrecordedSends.get(jobId);
      const sending = earlier ?? sendObserved(this.sender, notification, attempts, this.options.attemptObserver);
      this.unrecordedSends.set(jobId, sending);
      await sending;
    } catch (error) {
      this.unrecordedSends.delete(jobId);
      const failure = toDeliveryFailure(error);
      const expired = retryWindowOver(this.options.retry, producedAt);
      if (failure.retry === 'permanent' || expired) {
        await this.finish(worker, job);
        const cause = failure.retry === 'permanent' ? 'permanent' : 'expired';
        this.failures.failedForGood(
          `${cause}: ${failure.reason}`,
          `Notification ${notificationKind(notification)} of call ${notification.callId} for ${notification.user} ` +
            `failed for good (${cause}) after ${attempts} attempts: ${failure.message}`,
        );
        this.emit('failed', { notification, jobId, attempts, reason: failure.reason, message: failure.message, cause });
        throw new UnrecoverableError(`${cause}: ${failure.reason}: ${failure.message}`);
      }
      this.health.onTransientFailure(failure);
      this.emit('retrying', { notification, jobId, attempts, reason: failure.reason, message: failure.message });
      throw new TransientDeliveryError(failure);
    }
    await this.finish(worker, job);
    if (this.health.onDelivered()) this.retryWaitingNow();
    this.emit('delivered', { notification, jobId, latencyMs: Date.now() - producedAt, attempts });
  }

  /**
   * The CRM answers again: the notifications backing off (up to DELIVERY_RETRY_MAX) are retried now, so a
   * backlog drains at the CRM's pace, not the backoff's. Jobs waiting on their call's gate come back too
   * and simply wait again. At most once every 10 s, so a flapping CRM does not cause a stampede.
   */
  private retryWaitingNow(): void {
    const now = Date.now();
    if (now - this.lastWakeUp < 10_000) return;
    this.lastWakeUp = now;
    void Promise.all(this.queues.map((queue) => queue.promoteJobs())).catch((error: unknown) =>
      this.logger.warn(`Could not retry the waiting notifications at once (they retry on their own schedule): ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /** Opens the gate for the call's next job and wakes it if it went to sleep waiting for this one. */
  private async finish(worker: Worker<DeliveryJobData>, job: Job<DeliveryJobData>): Promise<void> {
    const next = await this.gate.finish(job.data.notification.callId, job.id as string, worker.keys.delayed);
    if (next.nextJobId && next.nextIsDelayed) {
      const sleeper = await Job.fromId<DeliveryJobData>(worker, next.nextJobId);
      if (sleeper) await promoteIfDelayed(sleeper);
    }
  }

  private onWorkerError(queueName: string, error: Error): void {
    if (this.workerErrors.get(queueName) === error.message) return;
    this.workerErrors.set(queueName, error.message);
    if (this.workerErrors.size === 1) this.logger.error(`Delivery worker cannot reach Redis: ${error.message}`);
  }

  private onWorkerReady(queueName: string): void {
    if (!this.workerErrors.delete(queueName)) return;
    if (this.workerErrors.size === 0) this.logger.log('Delivery workers reconnected to Redis');
  }
}

/** Promote races with the other side of the wake-up; losing that race (job no longer delayed) is fine. */
async function promoteIfDelayed(job: Job<DeliveryJobData>): Promise<void> {
  try {
    await job.promote();
  } catch (error) {
    if (await job.isDelayed()) throw error;
  }
}
