import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CallOrderGate, nextOrder } from './call-order-gate';

describe('call order gate (real Redis)', () => {
  let redis: Redis;
  let gate: CallOrderGate;
  const prefix = `gate-test-${randomUUID()}`;
  const jobKeyPrefix = `${prefix}:lane:`;

  beforeAll(() => {
    redis = new Redis(inject('redisUrl'));
    gate = new CallOrderGate(redis, { prefix, gateTtlMs: 60_000, dedupWindowMs: 60_000, orphanAfterMs: 30_000 });
  });
  afterAll(() => redis.disconnect());

  async function withJobs(...jobIds: string[]): Promise<void> {
    for (const id of jobIds) await redis.hset(`${jobKeyPrefix}${id}`, 'data', '{}');
  }

  it('lets only the first unfinished job of a call go, in order of production', async () => {
    const call = randomUUID();
    await withJobs('a', 'b', 'c');
    for (const id of ['a', 'b', 'c']) expect(await gate.admit(call, id, nextOrder())).toBe(true);

    expect(await gate.turn(call, 'b', jobKeyPrefix)).toEqual({ kind: 'wait', headJobId: 'a' });
    expect(await gate.turn(call, 'a', jobKeyPrefix)).toEqual({ kind: 'go' });
    expect(await gate.finish(call, 'a', `${prefix}:delayed`)).toEqual({ nextJobId: 'b', nextIsDelayed: false });
    expect(await gate.turn(call, 'c', jobKeyPrefix)).toEqual({ kind: 'wait', headJobId: 'b' });
    expect(await gate.turn(call, 'b', jobKeyPrefix)).toEqual({ kind: 'go' });
  });

  it('tells the finisher that the next job sleeps in the delayed set, so it can be woken', async () => {
    const call = randomUUID();
    await withJobs('x1', 'x2');
    await gate.admit(call, 'x1', nextOrder());
    await gate.admit(call, 'x2', nextOrder());
    await redis.zadd(`${prefix}:delayed`, Date.now() + 5_000, 'x2');
    expect(await gate.finish(call, 'x1', `${prefix}:delayed`)).toEqual({ nextJobId: 'x2', nextIsDelayed: true });
  });

  it('refuses a notification that was already delivered (duplicate)', async () => {
    const call = randomUUID();
    const id = `dup-${randomUUID()}`;
    await withJobs(id);
    expect(await gate.admit(call, id, nextOrder())).toBe(true);
    await gate.finish(call, id, `${prefix}:delayed`);
    expect(await gate.admit(call, id, nextOrder())).toBe(false);
  });

  it('lets a job through that is not in the gate (an operator retry of a failed job)', async () => {
    const call = randomUUID();
    await withJobs('p1', 'p2');
    await gate.admit(call, 'p2', nextOrder());
    expect(await gate.turn(call, 'p1', jobKeyPrefix)).toEqual({ kind: 'untracked' });
  });

  it('drops an old head whose job never made it into the queue, but not a young one', async () => {
    const call = randomUUID();
    await withJobs('live');
    await gate.admit(call, 'ghost-young', nextOrder());
    await gate.admit(call, 'live', nextOrder());
    expect(await gate.turn(call, 'live', jobKeyPrefix)).toEqual({ kind: 'wait', headJobId: 'ghost-young' });

    const other = randomUUID();
    await withJobs('live2');
    await gate.admit(other, 'ghost-old', (Date.now() - 60_000) * 1000);
    await gate.admit(other, 'live2', nextOrder());
    expect(await gate.turn(other, 'live2', jobKeyPrefix)).toEqual({ kind: 'go' });
    expect(await gate.pending(other)).toEqual(['live2']);
  });

  it('keeps the order of production when two connector instances with different clocks produce the same call', async () => {
    const call = randomUUID();
    const otherConnection = new Redis(inject('redisUrl'));
    const otherInstance = new CallOrderGate(otherConnection, { prefix, gateTtlMs: 60_000, dedupWindowMs: 60_000, orphanAfterMs: 30_000 });
    await withJobs('hangup', 'summary');
    // This instance's clock is 5 ms ahead; it writes the hangup first, the other one the summary first.
    const ahead = (Date.now() + 5) * 1000;
    const behind = Date.now() * 1000;
    expect(await gate.admit(call, 'hangup', ahead)).toBe(true);
    expect(await otherInstance.admit(call, 'hangup', behind)).toBe(true);
    expect(await otherInstance.admit(call, 'summary', behind + 1)).toBe(true);
    expect(await gate.admit(call, 'summary', ahead + 1)).toBe(true);
    expect(await gate.pending(call)).toEqual(['hangup', 'summary']);
    expect(Number(await redis.zscore(`${prefix}:gate:${call}`, 'hangup'))).toBe(ahead); // exact, no float rounding
    expect(await otherInstance.turn(call, 'summary', jobKeyPrefix)).toEqual({ kind: 'wait', headJobId: 'hangup' });
    otherConnection.disconnect();
  });

  it('hands out strictly increasing orders, also within one millisecond', () => {
    const orders = Array.from({ length: 5_000 }, () => nextOrder(1_700_000_000_000));
    for (let i = 1; i < orders.length; i++) expect(orders[i]).toBeGreaterThan(orders[i - 1]);
  });
});
