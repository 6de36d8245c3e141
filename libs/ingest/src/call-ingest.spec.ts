// The ingest against a real Redis: a call's state is written only once its notifications are, so a
// connector killed in between still owes (and sends) them after its restart.
import { DEFAULT_CALL_MODEL_OPTIONS, type CrmNotification } from '@cc360/calls';
import { answeredIncomingCall } from '../../calls/src/testing/call-scenarios';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CallIngest } from './call-ingest';
import { CallStateStore } from './call-state-store';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
const step = (n: CrmNotification) => (n.type === 'ringing' ? n.eventName : 'summary');

describe('call ingest (real Redis)', () => {
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(inject('redisUrl'));
  });
  afterAll(() => redis.disconnect());

  it('does not save a call as past a notification that never reached Redis (kill -9 in between)', async () => {
    const store = new CallStateStore(redis, { prefix: `ingest-test-${randomUUID()}`, openTtlMs: 60_000, closedTtlMs: 60_000 });
    const events = answeredIncomingCall('kill', '79991234567', '101', 30);
    const agentHangup = events.findIndex((event) => event.headers['Event-Name'] === 'CHANNEL_HANGUP' && event.headers['Unique-ID'] === 'kill-101');
    let outboxStuck = false;
    const firstRun: CrmNotification[] = [];
    const first = new CallIngest(store, (n) => firstRun.push(n), DEFAULT_CALL_MODEL_OPTIONS, quiet, () => [], () =>
      outboxStuck ? new Promise<void>(() => undefined) : Promise.resolve(),
    );
    for (const event of events.slice(0, agentHangup)) first.handle(event);
    await first.whenIdle();
    await new Promise((resolve) => setTimeout(resolve, 100)); // the state of the burst is saved
    // Redis is slow for the outbox: the hangup waits in memory when the process is killed.
    outboxStuck = true;
    first.handle(events[agentHangup]);
    await first.whenIdle();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(firstRun.map(step)).toEqual(['ringing', 'answer', 'hangup']);

    const afterRestart: CrmNotification[] = [];
    const second = new CallIngest(store, (n) => afterRestart.push(n), DEFAULT_CALL_MODEL_OPTIONS, quiet, () => [], () => Promise.resolve());
    expect(await second.restore()).toBe(1);
    for (const event of events.slice(agentHangup + 1)) second.handle(event);
    await second.whenIdle();
    expect(afterRestart.map(step)).toEqual(['hangup', 'summary']);
  });
});
