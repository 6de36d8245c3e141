// The two delivery pipelines the delivery benchmark compares in one process: cc360-bridge's (outbox,
// lanes, order gate, dedup) and the naive BullMQ worker, both sending through the real CrmClient.
import type { CrmNotification } from '@cc360/calls';
import { CrmClient } from '@cc360/crm';
import { createLaneQueues, Delivery, DELIVERY_DEFAULTS } from '@cc360/delivery';
import { Logger } from '@nestjs/common';
import type { CrmProcess } from './bench-kit';
import type { PipelineKind } from './e2e-rig';
import { NaiveDelivery } from './naive-delivery';

export interface DeliveryPipeline {
  kind: PipelineKind;
  publish(notification: CrmNotification): void;
  stop(): Promise<void>;
}

function crmClient(crm: CrmProcess): CrmClient {
  return new CrmClient({
    baseUrl: crm.baseUrl, pathPrefix: '/0', token: crm.token, timeoutMs: 10_000,
    auth: { mode: 'session', username: 'Supervisor', password: 'Supervisor' },
  });
}

export async function ourPipeline(redisUrl: string, crm: CrmProcess, laneCount: number): Promise<DeliveryPipeline> {
  const client = crmClient(crm);
  const lanes = createLaneQueues(redisUrl, 'cc360', laneCount);
  const delivery = new Delivery(
    { ...DELIVERY_DEFAULTS, redisUrl, laneCount, consume: true, retry: { initialDelayMs: 1_000, maxDelayMs: 300_000, maxAgeMs: 86_400_000 }, logger: new Logger('bench') },
    lanes.queues,
    client,
  );
  await delivery.start();
  return {
    kind: 'ours',
    publish: (notification) => void delivery.publish(notification),
    async stop() {
      await delivery.stop(5_000);
      await lanes.close();
      client.close();
    },
  };
}

export function naivePipeline(redisUrl: string, crm: CrmProcess, concurrency: number): DeliveryPipeline {
  const client = crmClient(crm);
  const naive = new NaiveDelivery(redisUrl, concurrency, client);
  naive.start();
  return {
    kind: 'naive',
    publish: (notification) => void naive.publish(notification),
    async stop() {
      await naive.stop();
      client.close();
    },
  };
}
