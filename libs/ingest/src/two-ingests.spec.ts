// Two connector instances ingest the same FreeSWITCH into one Redis. One of them loses FreeSWITCH for a
// moment: when it reconciles, it must not report calls the other one saw end, from its stale memory.
import { DEFAULT_CALL_MODEL_OPTIONS, newCallState, notificationIdentity, type CrmNotification } from '@cc360/calls';
import { ringGroupCall } from '../../calls/src/testing/call-scenarios';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CallIngest } from './call-ingest';
import { CallStateStore } from './call-state-store';

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('two ingests on one Redis', () => {
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(inject('redisUrl'));
  });
  afterAll(() => redis.quit());

  function ingest(prefix: string) {
    const published: CrmNotification[] = [];
    const store = new CallStateStore(redis, { prefix, openTtlMs: 60_000, closedTtlMs: 60_000 });
    const calls = new CallIngest(store, (notification) => published.push(notification), DEFAULT_CALL_MODEL_OPTIONS, silent);
    return { calls, published };
  }

  async function settled(...ingests: CallIngest[]): Promise<void> {
    await Promise.all(ingests.map((calls) => calls.whenIdle()));
    await new Promise((resolve) => setTimeout(resolve, 50)); // the coalesced state saves
  }

  it('the instance that missed the end of a ring group call sends nothing the other did not', async () => {
    const prefix = `two-${randomUUID()}`;
    const first = ingest(prefix);
    const second = ingest(prefix);
    const events = ringGroupCall('rg', '79990000003', ['101', '102', '103'], '102');
    const answered = events.findIndex((event) => event.name === 'CHANNEL_ANSWER');
    // Both see the phones ring; then the first loses FreeSWITCH and the second sees 102 answer and the end.
    for (const event of events.slice(0, answered)) [first, second].forEach(({ calls }) => calls.handle(event));
    await settled(first.calls, second.calls);
    for (const event of events.slice(answered)) second.calls.handle(event);
    await settled(second.calls);

    // The first reconnects: FreeSWITCH has none of the call's legs any more.
    const known = first.calls.openCallIds();
    await first.calls.reconcile(new Set(), known);
    await settled(first.calls);

    const sentBySecond = new Set(second.published.map((n) => `${n.callId}|${notificationIdentity(n)}`));
    const onlyFirst = first.published.filter((n) => !sentBySecond.has(`${n.callId}|${notificationIdentity(n)}`));
    expect(onlyFirst).toEqual([]);
    expect(first.calls.stats().openCalls).toBe(0);
  });

  it('a closed call stays closed: the other instance saving an older, open state of it does not reopen it', async () => {
    const prefix = `two-${randomUUID()}`;
    const store = new CallStateStore(redis, { prefix, openTtlMs: 60_000, closedTtlMs: 60_000 });
    const open = newCallState('late', 'core', { notifyOutgoingStates: false, internalCalls: 'report' });
    await store.save({ ...open, closed: true });
    await store.save(open); // one instance was an event behind and wrote after the other
    expect((await store.load('late'))?.closed).toBe(true);
    expect(await store.openCallIds()).toEqual([]);
  });

  it('a call both still follow is closed out once it is gone, whoever reconciles', async () => {
    const prefix = `two-${randomUUID()}`;
    const first = ingest(prefix);
    const events = ringGroupCall('lost', '79990000004', ['101', '102'], '102');
    const answered = events.findIndex((event) => event.name === 'CHANNEL_ANSWER');
    for (const event of events.slice(0, answered)) first.calls.handle(event);
    await settled(first.calls);
    await first.calls.reconcile(new Set(), first.calls.openCallIds());
    await settled(first.calls);
    // Nobody saw the end: the calls's agents still get their hangup and the missed call.
    expect(first.published.map((n) => (n.type === 'ringing' ? `${n.user}:${n.eventName}` : `${n.user}:summary`))).toEqual([
      '101:ringing',
      '102:ringing',
      '101:hangup',
      '102:hangup',
      '101:summary',
    ]);
  });
});
