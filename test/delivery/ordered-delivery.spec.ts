// The delivery guarantees, end to end through real Redis, real lanes, the real CRM client and the
// Creatio simulator: order per call under failures, one login on expiry, no loss, no duplicates.
import fc from 'fast-check';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { answeredCall, stepsByCall, waitFor } from '../support/call-notifications';
import { startPipeline, type TestPipeline } from '../support/delivery-pipeline';

const STEPS = ['ringing', 'answer', 'hangup', 'summary'];
let pipelines: TestPipeline[] = [];

afterEach(async () => {
  await Promise.all(pipelines.map((pipeline) => pipeline.close()));
  pipelines = [];
});

async function pipeline(options: Omit<Parameters<typeof startPipeline>[0], 'redisUrl'> = {}): Promise<TestPipeline> {
  const started = await startPipeline({ redisUrl: inject('redisUrl'), ...options });
  pipelines.push(started);
  return started;
}

/** A deterministic random source for the simulator's fault choices (fast-check gives the seed). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

describe('ordered, durable delivery', () => {
  it('delivers the four notifications of a call in the order they were produced', async () => {
    const { simulator, delivery } = await pipeline();
    for (const notification of answeredCall('call-basic')) delivery.publish(notification);
    await simulator.waitForAccepted(4);
    expect(simulator.received()).toEqual([
      { method: 'RingingEventHandler', id: 'call-basic', eventName: 'ringing', callerid: '79991234567', user: '101' },
      { method: 'RingingEventHandler', id: 'call-basic', eventName: 'answer', callerid: '79991234567', user: '101' },
      { method: 'RingingEventHandler', id: 'call-basic', eventName: 'hangup', callerid: '79991234567', user: '101' },
      { method: 'PushHistoryData', id: 'call-basic', event: 'incoming', callerid: '79991234567', user: '101', duration: '42', files: [] },
    ]);
  });

  it('keeps each call in order for 200 concurrent calls under random CRM failures (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.record({ error500: fc.double({ min: 0, max: 0.25 }), reset: fc.double({ min: 0, max: 0.1 }), slow: fc.double({ min: 0, max: 0.1 }) }),
        async (seed, rates) => {
          const { simulator, delivery } = await pipeline({ delivery: { laneCount: 16 } });
          const random = seededRandom(seed);
          simulator.failAlways({ kind: 'status', status: 500 }, () => random() < rates.error500);
          simulator.failAlways({ kind: 'status', status: 503, retryAfter: '0' }, () => random() < rates.error500 / 2);
          simulator.failAlways({ kind: 'reset' }, () => random() < rates.reset);
          simulator.failAlways({ kind: 'delay', ms: 30 }, () => random() < rates.slow);

          // Calls interleaved at random, each call's own notifications in production order.
          const queues = Array.from({ length: 200 }, (_, i) => answeredCall(`call-${seed}-${i}`, String(100 + (i % 50))));
          while (queues.some((queue) => queue.length > 0)) {
            const open = queues.filter((queue) => queue.length > 0);
            delivery.publish(open[Math.floor(random() * open.length)].shift()!);
          }

          await simulator.waitForAccepted(800, 60_000);
          const byCall = stepsByCall(simulator.received());
          expect(byCall.size).toBe(200);
          for (const steps of byCall.values()) expect(steps).toEqual(STEPS);
          await pipelines.pop()!.close();
        },
      ),
      { numRuns: 3 },
    );
  });

  it('logs in exactly once when the session expires in mid-stream', async () => {
    const { simulator, delivery } = await pipeline({ delivery: { laneCount: 32 } });
    const calls = Array.from({ length: 100 }, (_, i) => answeredCall(`expiry-${i}`));
    for (const call of calls) delivery.publish(call[0]);
    await simulator.waitForAccepted(100);
    expect(simulator.loginCount).toBe(1);

    simulator.expireAllSessions();
    for (const call of calls) for (const notification of call.slice(1)) delivery.publish(notification);
    await simulator.waitForAccepted(400);
    expect(simulator.loginCount).toBe(2);
    for (const steps of stepsByCall(simulator.received()).values()) expect(steps).toEqual(STEPS);
  });

  it('keeps everything while the credentials are wrong, says so clearly once, and delivers once they are fixed', async () => {
    const { simulator, delivery, logger } = await pipeline({
      simulator: { password: 'rotated-password' },
      auth: { mode: 'session', username: 'Supervisor', password: 'old-password' },
    });
    for (const notification of answeredCall('creds-1')) delivery.publish(notification);
    await waitFor(() => logger.count('error', /Creatio login failed for user "Supervisor"/) > 0, 5_000, 'the login error');
    expect(simulator.accepted).toHaveLength(0);
    expect(logger.text).not.toContain('old-password');

    simulator.configure({ password: 'old-password' });
    await simulator.waitForAccepted(4, 20_000);
    expect(stepsByCall(simulator.received()).get('creds-1')).toEqual(STEPS);
    expect(logger.count('error', /Creatio login failed/)).toBe(1);
  });

  it('sends a permanently refused notification to the failed set and goes on with the call', async () => {
    const { simulator, delivery } = await pipeline();
    simulator.failNext(1, { kind: 'status', status: 400 }, (request) => request.query.eventName === 'answer');
    const failed = new Promise((resolve) => delivery.workers?.once('failed', resolve));
    for (const notification of answeredCall('perm-1')) delivery.publish(notification);
    await simulator.waitForAccepted(3);
    expect(stepsByCall(simulator.received()).get('perm-1')).toEqual(['ringing', 'hangup', 'summary']);
    expect(await failed).toMatchObject({ cause: 'permanent', reason: 'http-400', attempts: 1 });

    const failedJobs = (await Promise.all(delivery.queues.map((queue) => queue.getFailed()))).flat();
    expect(failedJobs.map((job) => job.name)).toEqual(['answer']);
    expect(failedJobs[0].failedReason).toMatch(/permanent: http-400/);
  });

  it('retries a transient failure without letting the call\'s later notifications overtake it', async () => {
    const { simulator, delivery } = await pipeline();
    simulator.failNext(5, { kind: 'status', status: 503 }, (r) => r.query.id === 'retry-1' && r.query.eventName === 'ringing');
    for (const notification of answeredCall('retry-1')) delivery.publish(notification);
    for (const notification of answeredCall('other-1')) delivery.publish(notification);
    await simulator.waitForAccepted(8);
    const byCall = stepsByCall(simulator.received());
    expect(byCall.get('retry-1')).toEqual(STEPS);
    expect(byCall.get('other-1')).toEqual(STEPS);
    expect(simulator.refused.filter((request) => request.query.id === 'retry-1')).toHaveLength(5);
  });

  it('retries the backlog at once when the CRM answers again, instead of each job waiting out its backoff', async () => {
    // Backoff of 60 s: without the wake-up, nothing refused during the outage would arrive within this test.
    const { simulator, delivery } = await pipeline({ delivery: { retry: { initialDelayMs: 60_000, maxDelayMs: 60_000, maxAgeMs: 600_000 } } });
    simulator.failAlways({ kind: 'status', status: 503 });
    for (let call = 0; call < 20; call++) for (const notification of answeredCall(`outage-${call}`)) delivery.publish(notification);
    await waitFor(() => simulator.refused.length >= 8, 10_000, 'requests refused during the outage');
    simulator.clearFaults();
    // The next call after the outage goes through, and with it everything that was waiting.
    for (const notification of answeredCall('after-outage')) delivery.publish(notification);
    await simulator.waitForAccepted(21 * 4, 15_000);
    const byCall = stepsByCall(simulator.received());
    for (let call = 0; call < 20; call++) expect(byCall.get(`outage-${call}`)).toEqual(STEPS);
    expect(byCall.get('after-outage')).toEqual(STEPS);
  });

  it('gives up on a notification after DELIVERY_MAX_AGE and lets the call go on', async () => {
    const { simulator, delivery } = await pipeline({ delivery: { retry: { initialDelayMs: 20, maxDelayMs: 50, maxAgeMs: 400 } } });
    simulator.failAlways({ kind: 'status', status: 502 }, (request) => request.query.eventName === 'ringing');
    const failed = new Promise((resolve) => delivery.workers?.once('failed', resolve));
    for (const notification of answeredCall('expire-1')) delivery.publish(notification);
    expect(await failed).toMatchObject({ cause: 'expired', reason: 'http-502' });
    await simulator.waitForAccepted(3);
    expect(stepsByCall(simulator.received()).get('expire-1')).toEqual(['answer', 'hangup', 'summary']);
  });

  it('delivers a notification produced twice only once (before and after its delivery)', async () => {
    const { simulator, delivery } = await pipeline();
    const [ringing, answer] = answeredCall('dup-1');
    delivery.publish(ringing);
    delivery.publish(ringing);
    await simulator.waitForAccepted(1);
    await delivery.flushed();
    delivery.publish(ringing);
    delivery.publish(answer);
    await simulator.waitForAccepted(2);
    await delivery.flushed();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(simulator.received().map((request) => request.eventName)).toEqual(['ringing', 'answer']);
    expect(delivery.outboxStats()).toMatchObject({ duplicates: 1, dropped: 0 });
  });
});

describe('failure logging', () => {
  it('logs one line for many notifications refused the same way (a wrong token), not one each', async () => {
    const { simulator, delivery, logger } = await pipeline();
    simulator.failAlways({ kind: 'status', status: 403 });
    let failed = 0;
    delivery.workers?.on('failed', () => failed++);
    for (let i = 0; i < 10; i++) for (const notification of answeredCall(`flood-${i}`)) delivery.publish(notification);
    await waitFor(() => failed === 40, 10_000, 'all 40 notifications to fail');
    expect(logger.count('error', /failed for good \(permanent\)/)).toBe(1);
    const failedJobs = (await Promise.all(delivery.queues.map((queue) => queue.getFailed()))).flat();
    expect(failedJobs).toHaveLength(40);
  });
});
