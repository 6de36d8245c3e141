// Call state in Redis, so a connector restart in the middle of a call goes on where it was: one key per
// call (JSON, with a TTL) and the set of calls still open (loaded back into memory at start).
import type { CallState, CrmNotification } from '@cc360/calls';
import type Redis from 'ioredis';

export interface CallStateStoreOptions {
  prefix: string;
  /** How long the state of a call lives after its last event (longest call plus margin). */
  openTtlMs: number;
  /** How long a closed call is remembered (late duplicates must not open it again). */
  closedTtlMs: number;
}

// Saves a call's state. A closed call stays closed: with two connector instances on one FreeSWITCH, the
// one an event behind may write an older, open state after the other wrote the closed one.
const SAVE = `
if ARGV[2] == '0' then
  local stored = redis.call('GET', KEYS[1])
  if stored and cjson.decode(stored).closed == true then return 0 end
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
  redis.call('SADD', KEYS[2], ARGV[4])
else
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
  redis.call('SREM', KEYS[2], ARGV[4])
end
return 1`;

type StoreRedis = Redis & {
  cc360SaveCall(callKey: string, openKey: string, json: string, closed: '0' | '1', ttlMs: number, callId: string): Promise<number>;
};

export class CallStateStore {
  private readonly redis: StoreRedis;

  constructor(redis: Redis, private readonly options: CallStateStoreOptions) {
    redis.defineCommand('cc360SaveCall', { numberOfKeys: 2, lua: SAVE });
    this.redis = redis as StoreRedis;
  }

  async load(callId: string): Promise<CallState | undefined> {
    const text = await this.redis.get(this.callKey(callId));
    return text ? (JSON.parse(text) as CallState) : undefined;
  }

  /** Writes are not awaited by the ingest: they go out in order on one connection. */
  save(state: CallState): Promise<unknown> {
    const ttl = state.closed ? this.options.closedTtlMs : this.options.openTtlMs;
    return this.redis.cc360SaveCall(this.callKey(state.callId), this.openKey(), JSON.stringify(state), state.closed ? '1' : '0', ttl, state.callId);
  }

  /** The notifications of a call not yet in delivery's queues (see OwedNotifications); none deletes the record. */
  saveOwed(callId: string, notifications: readonly CrmNotification[]): Promise<unknown> {
    const batch = this.redis.multi();
    if (notifications.length === 0) batch.del(this.owedKey(callId)).srem(this.owedSetKey(), callId);
    else batch.set(this.owedKey(callId), JSON.stringify(notifications), 'PX', this.options.openTtlMs).sadd(this.owedSetKey(), callId);
    return batch.exec();
  }

  /** Every call's owed notifications, by call id. */
  async loadOwed(): Promise<Map<string, CrmNotification[]>> {
    const owed = new Map<string, CrmNotification[]>();
    const callIds = await this.redis.smembers(this.owedSetKey());
    if (callIds.length === 0) return owed;
    // One round trip for all of them, not one per call.
    const texts = await this.redis.mget(callIds.map((callId) => this.owedKey(callId)));
    const expired = callIds.filter((callId, index) => {
      const text = texts[index];
      if (text) owed.set(callId, JSON.parse(text) as CrmNotification[]);
      return !text;
    });
    if (expired.length > 0) await this.redis.srem(this.owedSetKey(), ...expired);
    return owed;
  }

  async openCallIds(): Promise<string[]> {
    return this.redis.smembers(this.openKey());
  }

  /** Drops a call id from the open set whose state has expired. */
  forget(callId: string): Promise<number> {
    return this.redis.srem(this.openKey(), callId);
  }

  private callKey(callId: string): string {
    return `${this.options.prefix}:call:${callId}`;
  }

  private owedKey(callId: string): string {
    return `${this.options.prefix}:owed:${callId}`;
  }

  private owedSetKey(): string {
    return `${this.options.prefix}:calls:owed`;
  }

  private openKey(): string {
    return `${this.options.prefix}:calls:open`;
  }
}
