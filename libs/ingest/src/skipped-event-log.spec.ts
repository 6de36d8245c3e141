// Skipped events are logged once, then summed up once a minute.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RecordingLogger } from '../../../test/support/recording-logger';
import { SkippedEventLog } from './skipped-event-log';

describe('SkippedEventLog', () => {
  afterEach(() => vi.useRealTimers());

  it('logs the first skipped event, sums up the rest after a minute, then logs the next first again', () => {
    vi.useFakeTimers();
    const logger = new RecordingLogger();
    const log = new SkippedEventLog(logger);
    for (let i = 0; i < 1_000; i++) log.skipped('Channel event CHANNEL_ANSWER (Event-Sequence 9) has no Unique-ID');
    expect(logger.lines.map((line) => line.message)).toEqual([
      'Skipped a channel event: Channel event CHANNEL_ANSWER (Event-Sequence 9) has no Unique-ID (further skipped events are summed up every minute)',
    ]);
    vi.advanceTimersByTime(60_000);
    expect(logger.lines.at(-1)?.message).toBe('999 more channel events skipped in the last minute (no Unique-ID)');
    log.skipped('again');
    expect(logger.lines).toHaveLength(3);
    expect(logger.lines.every((line) => line.level === 'warn' && !line.message.includes('    at '))).toBe(true);
  });
});
