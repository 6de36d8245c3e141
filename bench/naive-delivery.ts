// The comparison baseline: a plain BullMQ queue and worker that send the same HTTP requests with the same
// concurrency, with no per-call order and no duplicate suppression. What our ordering costs is measured
// against this, in the same run, on the same Redis.
import type { CrmNotification } from '@cc360/calls';
import type { NotificationSender } from '@cc360/delivery';
import { producerRedisOptions, redisOptionsFromUrl } from '@cc360/delivery';
import { Queue, Worker } from 'bullmq';

interface NaiveJob {
  notification: CrmNotification;
  producedAt: number;
}

export class NaiveDelivery {
  private readonly queue: Queue<NaiveJob>;
  private worker: Worker<NaiveJob> | undefined;

  constructor(
    private readonly redisUrl: string,
    private readonly concurrency: number,
    private readonly sender: NotificationSender,
  ) {
    this.queue = new Queue<NaiveJob>('naive-baseline', { connection: producerRedisOptions(redisUrl), prefix: 'naive' });
  }

  start(): void {
    this.worker = new Worker<NaiveJob>(
      'naive-baseline',
      async (job) => {
        await this.sender.send(job.data.notification);
      },
      {
        connection: { ...redisOptionsFromUrl(this.redisUrl), maxRetriesPerRequest: null },
        prefix: 'naive',
        concurrency: this.concurrency,
      },
    );
  }

  async publish(notification: CrmNotification): Promise<void> {
    await this.queue.add('n', { notification, producedAt: Date.now() }, {
      attempts: 10,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: { count: 200 },
    });
  }

  async stop(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
