// kill -9 and SIGTERM of the delivering connector in mid-flight: after a restart everything is delivered,
// each call still in order; kill -9 may repeat at most one request per lane (the at-least-once window),
// SIGTERM repeats nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLaneQueues, Delivery, DELIVERY_DEFAULTS } from '@cc360/delivery';
import { answeredCall, stepsByCall, withoutRedeliveries } from '../support/call-notifications';
import { ConnectorProcess } from '../support/connector-process';
import { CreatioSimulator } from '../support/creatio-simulator';
import { RedisServer } from '../support/redis-server';

const LANES = 8;

/** Puts `count` answered calls (4 notifications each) into Redis from this process, as a connector would. */
async function produceCalls(redisUrl: string, prefix: string, count: number, firstExtension: number) {
  const lanes = createLaneQueues(redisUrl, 'cc360', LANES);
  const producer = new Delivery(
    { ...DELIVERY_DEFAULTS, redisUrl, laneCount: LANES, consume: false, retry: { initialDelayMs: 50, maxDelayMs: 500, maxAgeMs: 600_000 } },
    lanes.queues,
    { send: () => Promise.reject(new Error('this process only produces')) },
  );
  for (let i = 0; i < count; i++) for (const notification of answeredCall(`${prefix}-${i}`, String(firstExtension + i))) producer.publish(notification);
  await producer.flushed();
  return {
    async close() {
      await producer.stop(1_000);
      await lanes.close();
    },
  };
}

/** The connector delivering from that Redis to the simulator (no FreeSWITCH: it keeps trying, quietly). */
function connectorEnv(redis: RedisServer, simulator: CreatioSimulator): Record<string, string> {
  return {
    REDIS_URL: redis.url,
    CRM_BASE_URL: simulator.baseUrl,
    CRM_USERNAME: 'Supervisor',
    CRM_PASSWORD: 'Supervisor',
    CC360_TOKEN: simulator.token,
    DELIVERY_CONCURRENCY: String(LANES),
    DELIVERY_TAKEOVER_AFTER: '2s',
    DELIVERY_RETRY_INITIAL: '50ms',
    RECORDING_MODE: 'off',
    LOG_LEVEL: 'warn',
  };
}

describe('kill -9 of the connector while it delivers', () => {
  let redis: RedisServer;
  let simulator: CreatioSimulator;

  beforeAll(async () => {
    redis = await RedisServer.start({ appendOnly: true });
    simulator = await CreatioSimulator.start({ latencyMs: 15, token: 'kill-test-token' });
  });
  afterAll(async () => {
    await simulator.stop();
    await redis.destroy();
  });

  it('delivers everything in order after a restart', async () => {
    // 400 notifications in Redis; the connector child delivers them.
    const producer = await produceCalls(redis.url, 'kill', 100, 200);
    const connector = await ConnectorProcess.start(connectorEnv(redis, simulator));
    try {
      await simulator.waitForAccepted(100);
      await connector.kill9();
      const deliveredBeforeKill = simulator.accepted.length;
      expect(deliveredBeforeKill).toBeLessThan(400);

      await connector.spawn();
      await simulator.waitForAccepted(400, 30_000);
      // Let any redelivery of the jobs that were in flight at the kill arrive, then count.
      await new Promise((resolve) => setTimeout(resolve, 2_500));

      const byCall = stepsByCall(simulator.received());
      expect(byCall.size).toBe(100);
      let redeliveries = 0;
      for (const steps of byCall.values()) {
        expect(withoutRedeliveries(steps)).toEqual(['ringing', 'answer', 'hangup', 'summary']);
        redeliveries += steps.length - 4;
      }
      expect(redeliveries).toBeLessThanOrEqual(LANES);
      expect(connector.logs).not.toContain('Supervisor"'); // no credential echo at warn level
      expect(connector.exits).toEqual([{ code: null, signal: 'SIGKILL' }]);
      // The graceful path: SIGTERM drains and exits 0.
      expect(await connector.terminate()).toBe(0);
    } finally {
      await connector.terminate();
      await producer.close();
    }
  });
});

describe('SIGTERM of the connector under load', () => {
  it('finishes what is in flight, exits 0, and the next start delivers the rest: nothing lost, nothing twice', async () => {
    const redis = await RedisServer.start({ appendOnly: true });
    const simulator = await CreatioSimulator.start({ latencyMs: 15, token: 'term-test-token' });
    const producer = await produceCalls(redis.url, 'term', 100, 300);
    try {
      const connector = await ConnectorProcess.start(connectorEnv(redis, simulator));
      await simulator.waitForAccepted(100);
      expect(await connector.terminate()).toBe(0);
      expect(simulator.accepted.length).toBeLessThan(400);

      await connector.spawn();
      await simulator.waitForAccepted(400, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const byCall = stepsByCall(simulator.received());
      expect(byCall.size).toBe(100);
      for (const steps of byCall.values()) expect(steps).toEqual(['ringing', 'answer', 'hangup', 'summary']);
      expect(await connector.terminate()).toBe(0);
    } finally {
      await producer.close();
      await simulator.stop();
      await redis.destroy();
    }
  });
});
