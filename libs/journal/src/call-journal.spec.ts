// The call journal against a real redis-server: what it writes reads back as the call's timeline, each
// call's stream is capped and expires, and a Redis outage costs entries (counted, logged once) but never
// an exception or a wait in the caller.
import type { CrmNotification } from '@cc360/calls';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RecordingLogger } from '../../../test/support/recording-logger';
import { RedisServer } from '../../../test/support/redis-server';
import { answeredIncomingCall } from '../../calls/src/testing/call-scenarios';
import { CallJournal, journalKey } from './call-journal';
import { readTimeline } from './call-timeline';

const ringing = (callId: string): CrmNotification => ({
  type: 'ringing', callId, eventName: 'ringing', callerId: '79991234567', user: '101', legId: `${callId}-101`,
});

describe('call journal (real Redis)', () => {
  let redis: Redis;
  const prefix = `journal-test-${randomUUID()}`;

  beforeAll(() => {
    redis = new Redis(inject('redisUrl'));
  });
  afterAll(() => redis.disconnect());

  it('reads back events, notifications and attempts of one call in time order, and the key expires', async () => {
    const journal = new CallJournal(redis, { prefix, ttlMs: 3_600_000, maxEntriesPerCall: 500, maxBuffered: 1_000, maxRedisMemoryBytes: 0 });
    const callId = randomUUID();
    const [create] = answeredIncomingCall(callId, '79991234567', '101', 5);
    const notification = ringing(callId);
    journal.eventReceived(callId, create);
    journal.notificationProduced(notification);
    // Finished later but started earlier than the second attempt: the timeline orders by start.
    journal.attemptFinished({ notification, attempt: 2, startedAt: Date.now() + 2_000, durationMs: 3, outcome: { ok: true, status: 200 } });
    journal.attemptFinished({ notification, attempt: 1, startedAt: Date.now() + 1_000, durationMs: 9, outcome: { ok: false, retry: 'transient', reason: 'http-503', status: 503 } });
    journal.notificationProduced(ringing(randomUUID())); // another call: not in this timeline
    await journal.flushed();

    const timeline = await readTimeline(redis, prefix, callId);
    expect(timeline.unreadable).toBe(0);
    expect(timeline.entries.map((entry) => (entry.type === 'attempt' ? `attempt ${entry.attempt}` : entry.type))).toEqual([
      'event', 'notification', 'attempt 1', 'attempt 2',
    ]);
    const ttl = await redis.pttl(journalKey(prefix, callId));
    expect(ttl).toBeGreaterThan(3_500_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
    expect(journal.stats()).toEqual({ written: 5, dropped: 0, buffered: 0 });
  });

  it('keeps about the last maxEntriesPerCall entries of a call, and counts what it cannot read', async () => {
    const journal = new CallJournal(redis, { prefix, ttlMs: 60_000, maxEntriesPerCall: 100, maxBuffered: 10_000, maxRedisMemoryBytes: 0 });
    const callId = randomUUID();
    for (let i = 0; i < 1_000; i++) journal.notificationProduced(ringing(callId));
    await journal.flushed();
    const length = await redis.xlen(journalKey(prefix, callId));
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(300); // approximate trimming works in whole blocks

    await redis.xadd(journalKey(prefix, callId), '*', 'e', '{"type":"attempt","at":"soon"}');
    await redis.xadd(journalKey(prefix, callId), '*', 'x', 'y');
    const timeline = await readTimeline(redis, prefix, callId);
    expect(timeline.unreadable).toBe(2);
    expect(timeline.entries).toHaveLength(length);
  });

  it('is empty for a call it never saw', async () => {
    expect(await readTimeline(redis, prefix, randomUUID())).toMatchObject({ entries: [], unreadable: 0 });
  });
});

describe('call journal while Redis is down', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(() => server.destroy());

  it('drops and counts entries without throwing or waiting, logs once, and says when it writes again', async () => {
    const logger = new RecordingLogger();
    const journal = CallJournal.connect(server.url, { prefix: 'down', ttlMs: 60_000, logger });
    const callId = randomUUID();
    journal.notificationProduced(ringing(callId));
    await journal.flushed();
    await server.stop();

    for (let i = 0; i < 50; i++) journal.notificationProduced(ringing(callId));
    expect(journal.stats().buffered).toBe(50); // taken in memory at once; Redis is only tried afterwards
    await journal.flushed();
    for (let i = 0; i < 10; i++) journal.notificationProduced(ringing(callId));
    await journal.flushed();
    expect(journal.stats()).toMatchObject({ written: 1, dropped: 60, buffered: 0 });
    expect(logger.count('error', /^Call journal cannot write to Redis/)).toBe(1);

    await server.restart();
    let stats = journal.stats();
    for (let i = 0; i < 100 && stats.written < 2; i++) {
      journal.notificationProduced(ringing(callId));
      await journal.flushed();
      await new Promise((resolve) => setTimeout(resolve, 100));
      stats = journal.stats();
    }
    expect(stats.written).toBeGreaterThanOrEqual(2);
    expect(logger.count('log', /^Call journal writing again \(\d+ entries dropped so far\)$/)).toBe(1);
    expect(logger.count('error', /Call journal cannot write/)).toBe(1);
    await journal.close();
  });

  it('pauses while Redis uses more memory than allowed (its own cap or half of maxmemory), logs once each way', async () => {
    const server = await RedisServer.start();
    const admin = new Redis(server.url);
    const logger = new RecordingLogger();
    const journal = new CallJournal(new Redis(server.url), { prefix: 'mem', ttlMs: 60_000, maxEntriesPerCall: 500, maxBuffered: 1_000, maxRedisMemoryBytes: 0, logger });
    try {
      const usedMemory = Number(/^used_memory:(\d+)/m.exec(await admin.info('memory'))?.[1]);
      // maxmemory at less than twice what Redis uses: over half of it, the journal stops.
      await admin.config('SET', 'maxmemory', String(Math.floor(usedMemory * 1.5)));
      await journal.checkRedisMemory();
      await journal.checkRedisMemory();
      journal.notificationProduced(ringing('paused'));
      await journal.flushed();
      expect(journal.stats()).toMatchObject({ written: 0, dropped: 1 });
      expect(await admin.exists(journalKey('mem', 'paused'))).toBe(0);
      expect(logger.lines.filter((line) => /Call journal paused.*Redis uses \d+ MB, the journal stops at \d+ MB/.test(line.message))).toHaveLength(1);

      await admin.config('SET', 'maxmemory', '0');
      await journal.checkRedisMemory();
      journal.notificationProduced(ringing('resumed'));
      await journal.flushed();
      expect(journal.stats()).toMatchObject({ written: 1, dropped: 1 });
      expect(logger.lines.filter((line) => /Call journal writing again/.test(line.message))).toHaveLength(1);
    } finally {
      await journal.close();
      admin.disconnect();
      await server.stop();
    }
  });

  it('drops entries beyond its buffer instead of holding them without bound', async () => {
    const logger = new RecordingLogger();
    const journal = CallJournal.connect(server.url, { prefix: 'full', ttlMs: 60_000, maxBuffered: 10, logger });
    for (let i = 0; i < 25; i++) journal.notificationProduced(ringing('c'));
    expect(journal.stats()).toMatchObject({ dropped: 15, buffered: 10 });
    expect(logger.text).toMatch(/more than 10 entries waiting for Redis/);
    await journal.close();
    expect(journal.stats()).toMatchObject({ written: 10, dropped: 15, buffered: 0 });
  });
});
