// Call state in Redis, so a connector restart in the middle of a call goes on where it was: one key per
// call (JSON, with a TTL) and the set of calls still open (loaded back into memory at start).
import type { CallState } from '@cc360/calls';
import type Redis from 'ioredis';

export interface CallStateStoreOptions {
  prefix: string;
  /** How long the state of a call lives after its last event (longest call plus margin). */
  openTtlMs: number;
  /** How long a closed call is remembered (late duplicates must not open it again). */
  closedTtlMs: number;
}

export class CallStateStore {
  constructor(private readonly redis: Redis, private readonly options: CallStateStoreOptions) {}

  async load(callId: string): Promise<CallState | undefined> {
    const text = await this.redis.get(this.callKey(callId));
    return text ? (JSON.parse(text) as CallState) : undefined;
  }

  /** Writes are not awaited by the ingest: they go out in order on one connection. */
  save(state: CallState): Promise<unknown> {
    const ttl = state.closed ? this.options.closedTtlMs : this.options.openTtlMs;
    const batch = this.redis.multi().set(this.callKey(state.callId), JSON.stringify(state), 'PX', ttl);
    if (state.closed) batch.srem(this.openKey(), state.callId);
    else batch.sadd(this.openKey(), state.callId);
    return batch.exec();
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

  private openKey(): string {
    return `${this.options.prefix}:calls:open`;
  }
}
