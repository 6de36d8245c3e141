// Writes one notification into its call's lane: admitted by the order gate, then added as a BullMQ job
// with a deterministic id, so producing it twice queues it once.
import type { Queue } from 'bullmq';
import type { CallOrderGate } from './call-order-gate';
import { deliveryJobId, notificationKind, type DeliveryJobData } from './delivery-job';
import { laneOf } from './lanes';
import type { EnqueueResult } from './notification-outbox';
import { BACKOFF_TYPE } from './lane-workers';

export interface LaneProducerOptions {
  /** Completed jobs kept per lane for the dashboard. */
  keepCompleted: number;
  /** How long failed jobs stay visible to operators. */
  keepFailedMs: number;
}

export class LaneProducer {
  constructor(
    private readonly queues: readonly Queue[],
    private readonly gate: CallOrderGate,
    private readonly options: LaneProducerOptions,
  ) {}

  async enqueue(job: DeliveryJobData): Promise<EnqueueResult> {
    const { notification } = job;
    const jobId = deliveryJobId(notification);
    // Admit before adding: a job that exists is always in its gate, so it can never skip the queue.
    if (!(await this.gate.admit(notification.callId, jobId, job.order))) return 'duplicate';
    const queue = this.queues[laneOf(notification.callId, this.queues.length)];
    await queue.add(notificationKind(notification), job, {
      jobId,
      attempts: 1_000_000_000,
      backoff: { type: BACKOFF_TYPE },
      removeOnComplete: { count: this.options.keepCompleted },
      removeOnFail: { age: Math.round(this.options.keepFailedMs / 1000) },
    });
    return 'queued';
  }
}
