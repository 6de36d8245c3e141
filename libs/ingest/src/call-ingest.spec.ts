// The ingest against a real Redis: notifications not yet in delivery's queues are recorded as owed, so a
// connector killed before they arrive sends them after its restart, and the call state is saved at once.
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

  it('sends again after a kill -9 a notification that had not reached Redis', async () => {
    const store = new CallStateStore(redis, { prefix: `ingest-test-${randomUUID()}`, openTtlMs: 60_000, closedTtlMs: 60_000 });
    const events = answeredIncomingCall('kill', '79991234567', '101', 30);
    const agentHangup = events.findIndex((event) => event.headers['Event-Name'] === 'CHANNEL_HANGUP' && event.headers['Unique-ID'] === 'kill-101');
    let outboxStuck = false;
    const firstRun: CrmNotification[] = [];
    const first = new CallIngest(store, (n) => firstRun.push(n), DEFAULT_CALL_MODEL_OPTIONS, quiet, () => [], undefined, () =>
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
    const second = new CallIngest(store, (n) => afterRestart.push(n), DEFAULT_CALL_MODEL_OPTIONS, quiet, () => [], undefined, () => Promise.resolve());
    expect(await second.restore()).toBe(1);
    for (const event of events.slice(agentHangup + 1)) second.handle(event);
    await second.whenIdle();
    expect(afterRestart.map(step)).toEqual(['hangup', 'summary']);
  });

  it('knows a new call after a kill -9 while its first notification was still on its way to Redis', async () => {
    const store = new CallStateStore(redis, { prefix: `ingest-test-${randomUUID()}`, openTtlMs: 60_000, closedTtlMs: 60_000 });
    const events = answeredIncomingCall('new', '79991234567', '102', 30);
    const answer = events.findIndex((event) => event.headers['Event-Name'] === 'CHANNEL_ANSWER');
    const firstRun: CrmNotification[] = [];
    const first = new CallIngest(store, (n) => firstRun.push(n), DEFAULT_CALL_MODEL_OPTIONS, quiet, () => [], undefined, () => new Promise<void>(() => undefined));
    for (const event of events.slice(0, answer)) first.handle(event);
    await first.whenIdle();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(firstRun.map(step)).toEqual(['ringing']);

    // Killed; the call ends while no connector runs. The next one knows it, sends the ringing again
    // (delivery drops it if it had arrived) and closes the call out as a missed call.
    const afterRestart: CrmNotification[] = [];
    const second = new CallIngest(store, (n) => afterRestart.push(n), DEFAULT_CALL_MODEL_OPTIONS, quiet, () => [], undefined, () => Promise.resolve());
    expect(await second.restore()).toBe(1);
    await second.reconcile(new Set(), second.openCallIds(), second.openLegIds());
    expect(afterRestart.map(step)).toEqual(['ringing', 'hangup', 'summary']);
  });

  it('has written the state of every call once saved() resolves, so a shutdown right after loses none', async () => {
    const prefix = `ingest-test-${randomUUID()}`;
    const closing = new Redis(inject('redisUrl'));
    const events = answeredIncomingCall('term', '79991234567', '103', 30);
    const answer = events.findIndex((event) => event.headers['Event-Name'] === 'CHANNEL_ANSWER');
    const first = new CallIngest(new CallStateStore(closing, { prefix, openTtlMs: 60_000, closedTtlMs: 60_000 }), () => undefined, DEFAULT_CALL_MODEL_OPTIONS, quiet);
    for (const event of events.slice(0, answer)) first.handle(event);
    await first.whenIdle();
    await first.saved();
    closing.disconnect(); // SIGTERM: the connection goes right after

    const second = new CallIngest(new CallStateStore(redis, { prefix, openTtlMs: 60_000, closedTtlMs: 60_000 }), () => undefined, DEFAULT_CALL_MODEL_OPTIONS, quiet);
    expect(await second.restore()).toBe(1);
  });
});
