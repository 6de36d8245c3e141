// Plays events into the call model the way the ingest does: a leg index (legId -> callId) finds each
// event's state, closed states are kept (late duplicates must find them), as in the Redis store.
import { relatedLegIds, resolveCallId } from '../call-identity';
import { DEFAULT_CALL_MODEL_OPTIONS, type CallModelOptions } from '../call-model-options';
import { applyEvent } from '../call-reducer';
import type { CallState } from '../call-state';
import type { ChannelEvent } from '../channel-event';
import type { CrmNotification } from '../notifications';

export class CallPlayer {
  readonly states = new Map<string, CallState>();
  readonly notifications: CrmNotification[] = [];
  private readonly legIndex = new Map<string, string>();

  constructor(private readonly options: CallModelOptions = DEFAULT_CALL_MODEL_OPTIONS) {}

  play(events: readonly ChannelEvent[]): this {
    for (const event of events) this.apply(event);
    return this;
  }

  private apply(event: ChannelEvent): void {
    const legIds = relatedLegIds(event);
    const indexed = Object.fromEntries(legIds.map((legId) => [legId, this.legIndex.get(legId)]));
    const callId = resolveCallId(event, indexed) ?? 'unknown';
    const update = applyEvent(this.states.get(callId), event, this.options);
    this.states.set(update.state.callId, update.state);
    for (const legId of legIds) if (!this.legIndex.has(legId)) this.legIndex.set(legId, update.state.callId);
    this.notifications.push(...update.notifications);
  }
}

export function play(events: readonly ChannelEvent[], options?: CallModelOptions): CallPlayer {
  return new CallPlayer(options).play(events);
}
