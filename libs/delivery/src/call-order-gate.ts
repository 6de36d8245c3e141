// The per-call order gate in Redis: a sorted set of the call's unfinished jobs, by order of production.
// A job may go to the CRM only while it is the first unfinished job of its call, so a later notification
// never overtakes an earlier one that is being retried, whatever BullMQ does with the retried job.
import type Redis from 'ioredis';

// Returns 0 (already delivered), 1 (admitted) or 2 (admitted, and first of its call: free to go).
// A new job never ranks before one already admitted: every producer admits a call's jobs in order, so
// two connector instances producing the same call (clocks apart) still agree with the order of production.
const ADMIT = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  local order = tonumber(ARGV[1])
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if #last > 0 and tonumber(last[2]) >= order then order = tonumber(last[2]) + 1 end
  redis.call('ZADD', KEYS[1], string.format('%.0f', order), ARGV[2])
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if redis.call('ZRANK', KEYS[1], ARGV[2]) == 0 then return 2 end
return 1`;

// Returns {'go'}, {'untracked'} or {'wait', headJobId}. A head whose job does not exist (a producer died
// between admitting and adding it, or an operator removed it) is dropped once it is older than ARGV[3].
const TURN = `
for i = 1, 50 do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if #head == 0 then return {'untracked'} end
  if head[1] == ARGV[1] then return {'go'} end
  if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return {'untracked'} end
  if redis.call('EXISTS', ARGV[2] .. head[1]) == 1 or tonumber(head[2]) >= tonumber(ARGV[3]) then
    return {'wait', head[1]}
  end
  redis.call('ZREM', KEYS[1], head[1])
end
return {'wait', ''}`;

// Marks the job finished (delivered or given up), remembers it for duplicate suppression, and names the
// call's next job and whether it sits in the delayed set (waiting for this one), so it can be woken.
const FINISH = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
local head = redis.call('ZRANGE', KEYS[1], 0, 0)
if #head == 0 then return {} end
if redis.call('ZSCORE', KEYS[3], head[1]) then return {head[1], 1} end
return {head[1], 0}`;

export type GateTurn = { kind: 'go' } | { kind: 'untracked' } | { kind: 'wait'; headJobId: string };

export interface GateFinish {
  nextJobId?: string;
  nextIsDelayed: boolean;
}

export interface CallOrderGateOptions {
  /** Key prefix shared with BullMQ (`cc360` gives `cc360:gate:<call>`). */
  prefix: string;
  /** How long the gate of a quiet call lives: longer than the retry window. */
  gateTtlMs: number;
  /** How long a finished notification is remembered so a duplicate is not delivered again. */
  dedupWindowMs: number;
  /** A head without a job is dropped when it was produced longer ago than this. */
  orphanAfterMs: number;
}

type GateRedis = Redis & {
  cc360Admit(gate: string, done: string, order: number, jobId: string, ttlMs: number): Promise<number>;
  cc360Turn(gate: string, jobId: string, jobKeyPrefix: string, orphanBefore: number): Promise<string[]>;
  cc360Finish(gate: string, done: string, delayed: string, jobId: string, dedupMs: number): Promise<Array<string | number>>;
};

/**
 * A job that was first of its call when admitted, or was named next by the job that finished before it,
 * stays first until it finishes itself (later jobs get higher orders). Remembering such jobs in this
 * process saves the gate look-up in the common case; a job not remembered asks Redis.
 */
const MAX_KNOWN_HEADS = 100_000;

export class CallOrderGate {
  private readonly redis: GateRedis;
  private readonly knownHeads = new Set<string>();

  constructor(redis: Redis, private readonly options: CallOrderGateOptions) {
    redis.defineCommand('cc360Admit', { numberOfKeys: 2, lua: ADMIT });
    redis.defineCommand('cc360Turn', { numberOfKeys: 1, lua: TURN });
    redis.defineCommand('cc360Finish', { numberOfKeys: 3, lua: FINISH });
    this.redis = redis as GateRedis;
  }

  /** Registers a new job of the call; false when the same notification was already delivered. */
  async admit(callId: string, jobId: string, order: number): Promise<boolean> {
    const admitted = await this.redis.cc360Admit(
      this.gateKey(callId), this.doneKey(jobId), order, jobId, this.options.gateTtlMs,
    );
    if (admitted === 2) this.rememberHead(jobId);
    return admitted !== 0;
  }

  async turn(callId: string, jobId: string, jobKeyPrefix: string): Promise<GateTurn> {
    if (this.knownHeads.delete(jobId)) return { kind: 'go' };
    const orphanBefore = orderAt(Date.now() - this.options.orphanAfterMs);
    const [kind, headJobId] = await this.redis.cc360Turn(this.gateKey(callId), jobId, jobKeyPrefix, orphanBefore);
    if (kind === 'go') return { kind: 'go' };
    if (kind === 'untracked') return { kind: 'untracked' };
    return { kind: 'wait', headJobId: headJobId ?? '' };
  }

  async finish(callId: string, jobId: string, delayedSetKey: string): Promise<GateFinish> {
    const [next, delayed] = await this.redis.cc360Finish(
      this.gateKey(callId), this.doneKey(jobId), delayedSetKey, jobId, this.options.dedupWindowMs,
    );
    const nextJobId = next === undefined ? undefined : String(next);
    if (nextJobId) this.rememberHead(nextJobId);
    return { nextJobId, nextIsDelayed: delayed === 1 };
  }

  private rememberHead(jobId: string): void {
    // Jobs taken by another connector instance are never looked up here; forget everything now and then.
    if (this.knownHeads.size >= MAX_KNOWN_HEADS) this.knownHeads.clear();
    this.knownHeads.add(jobId);
  }

  /** The unfinished jobs of a call, first to last (for operators and tests). */
  async pending(callId: string): Promise<string[]> {
    return this.redis.zrange(this.gateKey(callId), 0, -1);
  }

  private gateKey(callId: string): string {
    return `${this.options.prefix}:gate:${callId}`;
  }

  private doneKey(jobId: string): string {
    return `${this.options.prefix}:done:${jobId}`;
  }
}

/**
 * Order of production as a number: microseconds since the epoch plus a tie-breaker, so notifications
 * produced in the same millisecond keep their order. Stays below 2^53 until the year 2255.
 */
let lastOrder = 0;
export function nextOrder(now: number = Date.now()): number {
  lastOrder = Math.max(orderAt(now), lastOrder + 1);
  return lastOrder;
}

function orderAt(epochMs: number): number {
  return Math.floor(epochMs) * 1000;
}
