// Which call a channel event belongs to. The CRM `id` must be one id for the whole call, shared by every
// agent leg, and survive transfers: Channel-Call-UUID does not (FreeSWITCH resets it at originate, bridge
// and transfer), so we use our exported variable, else the caller's leg as FreeSWITCH names it.
import { header, legIdOf, variable, type ChannelEvent } from './channel-event';

/** Set by the dialplan (`export cc360_call_id=${uuid}`) or by our click-to-call originate. */
export const CALL_ID_VARIABLE = 'cc360_call_id';

/**
 * The call id an event names, best first: our exported variable; the originating leg (Other-Leg-Unique-ID
 * of an originated leg, variable_originator); mod_callcenter's member session; the bridge partner seen
 * from the B leg; else the leg itself (a leg that starts a call is the call).
 */
export function callIdOf(event: ChannelEvent): string | undefined {
  const exported = variable(event, CALL_ID_VARIABLE);
  if (exported) return exported;
  if (header(event, 'Other-Type') === 'originator') {
    const originator = header(event, 'Other-Leg-Unique-ID');
    if (originator) return originator;
  }
  return (
    variable(event, 'originator') ??
    variable(event, 'cc_member_session_uuid') ??
    legIdOf(event)
  );
}

/** Every leg id an event mentions (the ingest indexes them all under the event's call). */
export function legIdsOf(event: ChannelEvent): string[] {
  const ids = [
    legIdOf(event),
    header(event, 'Other-Leg-Unique-ID'),
    header(event, 'Bridge-A-Unique-ID'),
    header(event, 'Bridge-B-Unique-ID'),
  ];
  return [...new Set(ids.filter((id): id is string => id !== undefined))];
}
