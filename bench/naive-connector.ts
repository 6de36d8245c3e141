// The end-to-end baseline: the connector's own ESL client, sequence reorder, call model and call state in
// Redis, with delivery replaced by a plain BullMQ queue and worker (NaiveDelivery: no per-call order, no
// duplicate suppression, no outbox, 10 attempts). No call journal, no HTTP. Same environment variables as
// the connector.
// Run with `node --import tsx bench/naive-connector.ts` (the e2e rig does).
import 'reflect-metadata';
import { loadConnectorConfig } from '@cc360/config';
import { CrmClient } from '@cc360/crm';
import { CallIngest, CallStateStore, FreeswitchIngest } from '@cc360/ingest';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { NaiveDelivery } from './naive-delivery';

async function main(): Promise<void> {
  const config = loadConnectorConfig(process.env);
  Logger.overrideLogger(['fatal', 'error']);
  const logger = new Logger('NaiveConnector');
  const client = new CrmClient({ ...config.crm, logger });
  const naive = new NaiveDelivery(config.redisUrl, config.delivery.concurrency, client);
  naive.start();
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 5_000 });
  const store = new CallStateStore(redis, { prefix: 'cc360', openTtlMs: 12 * 3_600_000, closedTtlMs: 15 * 60_000 });
  const publish = (notification: Parameters<NaiveDelivery['publish']>[0]) =>
    naive.publish(notification).catch((error: unknown) => logger.error(`naive publish failed: ${String(error)}`));
  const ingest = new CallIngest(store, publish, config.calls, logger);
  const freeswitch = new FreeswitchIngest(
    { host: config.freeswitch.host, port: config.freeswitch.port, password: config.freeswitch.password, reorderWindowMs: config.freeswitch.reorderWindowMs },
    ingest,
    logger,
  );
  await freeswitch.start();
  process.once('SIGTERM', () => {
    void (async () => {
      await freeswitch.stop();
      await naive.stop();
      client.close();
      redis.disconnect();
      process.exit(0);
    })();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`naive connector failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
