// Redis goes away: nothing acknowledged is lost across a restart with AOF on, and notifications
// published while it is down wait in the outbox and are flushed when it returns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answeredCall, stepsByCall, waitFor } from '../support/call-notifications';
import { startPipeline } from '../support/delivery-pipeline';
import { RedisServer } from '../support/redis-server';

describe('Redis outage', () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await RedisServer.start({ appendOnly: true });
  });
  afterAll(() => redis.destroy());

  it('loses nothing when Redis is killed and restarted, and buffers what is published meanwhile', async () => {
    const pipeline = await startPipeline({ redisUrl: redis.url, delivery: { laneCount: 4 } });
    const { simulator, delivery, logger } = pipeline;
    try {
      // The CRM is down, so the first calls' notifications sit in Redis when it dies.
      simulator.failAlways({ kind: 'status', status: 503 });
      const before = Array.from({ length: 20 }, (_, i) => answeredCall(`before-${i}`));
      for (const call of before) for (const notification of call) delivery.publish(notification);
      await delivery.flushed();

      await redis.kill();
      const during = Array.from({ length: 10 }, (_, i) => answeredCall(`during-${i}`));
      for (const call of during) for (const notification of call) expect(delivery.publish(notification)).toBe('accepted');
      await waitFor(() => !delivery.outboxStats().redisAvailable, 5_000, 'the outbox to notice Redis is gone');
      expect(delivery.outboxStats().buffered).toBe(40);
      expect(logger.count('error', /Redis unreachable/)).toBe(1);

      await redis.restart();
      simulator.clearFaults();
      await simulator.waitForAccepted(120, 30_000);
      const byCall = stepsByCall(simulator.received());
      expect(byCall.size).toBe(30);
      for (const steps of byCall.values()) expect(steps).toEqual(['ringing', 'answer', 'hangup', 'summary']);
      expect(delivery.outboxStats()).toMatchObject({ buffered: 0, dropped: 0 });
      expect(logger.count('log', /Redis reachable again/)).toBe(1);
    } finally {
      await pipeline.close();
    }
  });

  it('does not send a request twice when Redis restarts while it is in flight and its lock runs out meanwhile', async () => {
    const pipeline = await startPipeline({ redisUrl: redis.url, delivery: { laneCount: 2, lockDurationMs: 1_000 }, crmTimeoutMs: 20_000 });
    const { simulator, delivery } = pipeline;
    try {
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      let arrived = false;
      // The first request reaches the CRM and waits there while Redis dies and comes back.
      simulator.failWhen(() => {
        if (arrived) return undefined;
        arrived = true;
        return { kind: 'hold', release: held };
      });
      for (const notification of answeredCall('in-flight')) delivery.publish(notification);
      await waitFor(() => arrived, 5_000, 'the first request to reach the CRM');
      await redis.kill();
      await new Promise((resolve) => setTimeout(resolve, 2_500)); // longer than the job's lock
      await redis.restart();
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // the stalled check finds the job
      release();
      await simulator.waitForAccepted(4, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(stepsByCall(simulator.received()).get('in-flight')).toEqual(['ringing', 'answer', 'hangup', 'summary']);
    } finally {
      await pipeline.close();
    }
  });
});
