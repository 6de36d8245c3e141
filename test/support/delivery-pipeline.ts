// A complete delivery pipeline in the test process: real Redis, real lanes and gates, the real CRM client
// against the Creatio simulator. Each pipeline gets its own key prefix, so tests share one redis-server.
import { CrmClient, type CrmAuth } from '@cc360/crm';
import { createLaneQueues, Delivery, DELIVERY_DEFAULTS, type DeliveryOptions } from '@cc360/delivery';
import { randomUUID } from 'node:crypto';
import { CreatioSimulator, type CreatioSimulatorOptions } from './creatio-simulator';
import { RecordingLogger } from './recording-logger';

export interface TestPipeline {
  simulator: CreatioSimulator;
  crm: CrmClient;
  delivery: Delivery;
  logger: RecordingLogger;
  prefix: string;
  close(): Promise<void>;
}

export interface TestPipelineOptions {
  redisUrl: string;
  simulator?: CreatioSimulatorOptions;
  /** Reuse a running simulator (e.g. a second pipeline as a second connector instance). */
  existingSimulator?: CreatioSimulator;
  auth?: CrmAuth;
  prefix?: string;
  delivery?: Partial<DeliveryOptions>;
  crmTimeoutMs?: number;
}

export async function startPipeline(options: TestPipelineOptions): Promise<TestPipeline> {
  const simulator = options.existingSimulator ?? (await CreatioSimulator.start(options.simulator));
  const logger = new RecordingLogger();
  const crm = new CrmClient({
    baseUrl: simulator.baseUrl,
    pathPrefix: options.simulator?.pathPrefix ?? '/0',
    auth: options.auth ?? { mode: 'session', username: 'Supervisor', password: options.simulator?.password ?? 'Supervisor' },
    token: simulator.token,
    timeoutMs: options.crmTimeoutMs ?? 2_000,
    logger,
  });
  const prefix = options.prefix ?? `t-${randomUUID().slice(0, 8)}`;
  const laneCount = options.delivery?.laneCount ?? 8;
  const deliveryOptions: DeliveryOptions = {
    ...DELIVERY_DEFAULTS,
    redisUrl: options.redisUrl,
    prefix,
    laneCount,
    retry: { initialDelayMs: 10, maxDelayMs: 100, maxAgeMs: 60_000 },
    lockDurationMs: 5_000,
    gatePollMs: 1_000,
    consume: true,
    logger,
    ...options.delivery,
  };
  const lanes = createLaneQueues(options.redisUrl, prefix, laneCount);
  const delivery = new Delivery(deliveryOptions, lanes.queues, crm);
  await delivery.start();
  return {
    simulator,
    crm,
    delivery,
    logger,
    prefix,
    async close() {
      await delivery.stop(5_000);
      await lanes.close();
      crm.close();
      if (!options.existingSimulator) await simulator.stop();
    },
  };
}
