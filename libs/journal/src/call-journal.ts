// Appends what happens to each call to a capped, expiring Redis stream per call, for operators
// (`npm run admin -- timeline <call-id>`). Recording never waits and never throws: entries are buffered
// and written in one pipeline per turn of the event loop; what cannot be written is counted and dropped.
import type { ChannelEvent, CrmNotification } from '@cc360/calls';
import { Logger, type LoggerService } from '@nestjs/common';
import Redis from 'ioredis';
import { attemptEntry, eventEntry, notificationEntry, type AttemptReport, type JournalEntry } from './journal-entry';

export interface CallJournalOptions {
  /** Key prefix, shared with the delivery queues (`<prefix>:journal:<call id>`). */
  prefix: string;
  /** How long a call's journal is kept after its last entry. */
  ttlMs: number;
  /** Entries kept per call (approximately: Redis trims whole blocks). */
  maxEntriesPerCall: number;
  /** Entries held in memory while a write is in flight; beyond it new entries are dropped. */
  maxBuffered: number;
  /**
   * The journal pauses while Redis uses more than this many bytes (0: no limit of our own), or more than
   * half its maxmemory: Redis runs noeviction, and the delivery queues must never run out of room for it.
   */
  maxRedisMemoryBytes: number;
  logger?: LoggerService;
}

export const JOURNAL_DEFAULTS = { maxEntriesPerCall: 500, maxBuffered: 20_000, maxRedisMemoryBytes: 0 } as const;
const MEMORY_CHECK_EVERY_MS = 10_000;

export interface JournalStats {
  written: number;
  /** Entries lost: a failed write or a full buffer. */
  dropped: number;
  buffered: number;
}

export function journalKey(prefix: string, callId: string): string {
  return `${prefix}:journal:${callId}`;
}

/** Records per call; the hooks of @cc360/ingest (IngestObserver) and @cc360/delivery (DeliveryAttemptObserver). */
export class CallJournal {
  private buffer: Array<[callId: string, entry: JournalEntry]> = [];
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  private failing: string | undefined;
  /** Why the journal is paused for Redis memory, while it is. */
  private memoryFull: string | undefined;
  private memoryTimer: NodeJS.Timeout | undefined;
  private readonly counters = { written: 0, dropped: 0 };
  private readonly logger: LoggerService;

  constructor(
    private readonly redis: Redis,
    private readonly options: CallJournalOptions,
  ) {
    this.logger = options.logger ?? new Logger('CallJournal');
  }

  /** A journal on its own connection, which gives up on a command quickly instead of queueing it for ever. */
  static connect(redisUrl: string, options: Omit<CallJournalOptions, keyof typeof JOURNAL_DEFAULTS> & Partial<CallJournalOptions>): CallJournal {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 5_000, lazyConnect: true });
    redis.on('error', () => undefined); // write failures are counted and logged once per outage
    const journal = new CallJournal(redis, { ...JOURNAL_DEFAULTS, ...options });
    journal.watchRedisMemory();
    return journal;
  }

  /** Checks Redis's memory now and every 10 s. */
  watchRedisMemory(): void {
    void this.checkRedisMemory();
    this.memoryTimer ??= setInterval(() => void this.checkRedisMemory(), MEMORY_CHECK_EVERY_MS).unref();
  }

  /** Pauses the journal while Redis is fuller than allowed, resumes when it is not. */
  async checkRedisMemory(): Promise<void> {
    let info: string;
    try {
      info = await this.redis.info('memory');
    } catch {
      return; // unreachable Redis: writes fail and are counted; nothing to judge here
    }
    const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    const used = field('used_memory');
    const limits = [this.options.maxRedisMemoryBytes, field('maxmemory') / 2].filter((limit) => limit > 0);
    const limit = limits.length > 0 ? Math.min(...limits) : 0;
    const full = limit > 0 && used >= limit ? `Redis uses ${mb(used)}, the journal stops at ${mb(limit)}` : undefined;
    if (full && !this.memoryFull) this.logger.warn(`Call journal paused, timeline entries are dropped (calls are not affected): ${full} (JOURNAL_MAX_REDIS_MB, or half of Redis maxmemory)`);
    if (!full && this.memoryFull) this.logger.log(`Call journal writing again: Redis uses ${mb(used)}`);
    this.memoryFull = full;
  }

  eventReceived(callId: string, event: ChannelEvent): void {
    this.record(callId, () => eventEntry(event, Date.now()));
  }

  notificationProduced(notification: CrmNotification): void {
    this.record(notification.callId, () => notificationEntry(notification, Date.now()));
  }

  attemptFinished(attempt: AttemptReport): void {
    this.record(attempt.notification.callId, () => attemptEntry(attempt));
  }

  stats(): JournalStats {
    return { ...this.counters, buffered: this.buffer.length };
  }

  /** Writes what is buffered, then closes the connection. */
  async close(): Promise<void> {
    clearInterval(this.memoryTimer);
    await this.flushed();
    this.redis.disconnect();
  }

  /** Resolves when every entry recorded so far is written (or counted as dropped). */
  async flushed(): Promise<void> {
    while (this.flushing || this.buffer.length > 0) await (this.flushing ?? this.flush());
  }

  private record(callId: string, build: () => JournalEntry): void {
    try {
      if (this.memoryFull) {
        this.counters.dropped++;
        return;
      }
      if (this.buffer.length >= this.options.maxBuffered) {
        this.lost(1, `more than ${this.options.maxBuffered} entries waiting for Redis`);
        return;
      }
      this.buffer.push([callId, build()]);
      if (!this.scheduled && !this.flushing) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    } catch (error) {
      this.lost(1, error instanceof Error ? error.message : String(error));
    }
  }

  /** One pipeline at a time: entries recorded meanwhile wait for the next one, so writes batch under load. */
  private flush(): Promise<void> {
    this.scheduled = false;
    if (this.flushing || this.buffer.length === 0) return this.flushing ?? Promise.resolve();
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.write(batch).finally(() => {
      this.flushing = undefined;
      if (this.buffer.length > 0) void this.flush();
    });
    return this.flushing;
  }

  private async write(batch: ReadonlyArray<[string, JournalEntry]>): Promise<void> {
    const { prefix, maxEntriesPerCall, ttlMs } = this.options;
    const pipeline = this.redis.pipeline();
    const keys = new Set<string>();
    for (const [callId, entry] of batch) {
      const key = journalKey(prefix, callId);
      keys.add(key);
      pipeline.xadd(key, 'MAXLEN', '~', maxEntriesPerCall, '*', 'e', JSON.stringify(entry));
    }
    for (const key of keys) pipeline.pexpire(key, ttlMs);
    try {
      const results = (await pipeline.exec()) ?? [];
      const failed = results.slice(0, batch.length).filter(([error]) => error).length;
      const firstError = results.find(([error]) => error)?.[0];
      this.counters.written += batch.length - failed;
      if (firstError) this.lost(failed, firstError.message);
      else this.recovered();
    } catch (error) {
      this.lost(batch.length, error instanceof Error ? error.message : String(error));
    }
  }

  private lost(count: number, reason: string): void {
    this.counters.dropped += count;
    if (this.failing !== undefined) return;
    this.failing = reason;
    this.logger.error(`Call journal cannot write to Redis, timeline entries are dropped (calls are not affected): ${reason}`);
  }

  private recovered(): void {
    if (this.failing === undefined) return;
    this.failing = undefined;
    this.logger.log(`Call journal writing again (${this.counters.dropped} entries dropped so far)`);
  }
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 1_000_000)} MB`;
}
