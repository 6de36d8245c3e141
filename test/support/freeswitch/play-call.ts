// Feeds event sequences to the call model the way the ingest does, for model-level tests.
import { applyEvent, callIdOf, DEFAULT_CALL_MODEL_OPTIONS, type CallModelOptions, type CallState, type ChannelEvent, type CrmNotification } from '@cc360/calls';
import type { EventFields } from './wire';

/** JSON event fields as the ESL client hands them on: multi-valued variables keep their first value. */
export function toChannelEvent(fields: EventFields): ChannelEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) headers[name] = typeof value === 'string' ? value : (value[0] ?? '');
  return { name: headers['Event-Name'], headers };
}

/** One state per call id, found through the leg ids seen so far. */
export function play(events: readonly EventFields[], options: CallModelOptions = DEFAULT_CALL_MODEL_OPTIONS) {
  const states = new Map<string, CallState>();
  const legToCall = new Map<string, string>();
  const notifications: CrmNotification[] = [];
  for (const fields of events) {
    const event = toChannelEvent(fields);
    const callId = legToCall.get(event.headers['Unique-ID']) ?? callIdOf(event) ?? 'unknown';
    const update = applyEvent(states.get(callId), event, options);
    states.set(callId, update.state);
    legToCall.set(event.headers['Unique-ID'], callId);
    notifications.push(...update.notifications);
  }
  return { notifications, states };
}
