// Which call an event belongs to. The CRM `id` must be one id for the whole call, shared by every agent
// leg, and survive transfers: Channel-Call-UUID does not (FreeSWITCH resets it at originate, bridge and
// transfer), so we use our exported variable, else the caller's leg as FreeSWITCH names it.
//
// How the ingest finds a call's state (states are stored by call id, plus a leg index legId -> callId):
//   1. callId = resolveCallId(event, index entries of relatedLegIds(event));
//   2. load the state stored under callId (none: a new call), applyEvent;
//   3. index every id of relatedLegIds(event) under state.callId (legIdsOfCall(state) lists them all).
import { header, legIdHeader, legIdOf, variable, type ChannelEvent } from './channel-event';

/** Set by the dialplan (`export cc360_call_id=${uuid}`) and by our click-to-call originate. */
export const CALL_ID_VARIABLE = 'cc360_call_id';

/** The call id when the event names it for certain (our exported variable), with no index needed. */
export function callKeyOf(event: ChannelEvent): string | undefined {
  return variable(event, CALL_ID_VARIABLE);
}

/**
 * The call id an event names on its own, best first: our exported variable; the originating leg
 * (Other-Leg-Unique-ID when Other-Type is originator, variable_originator); mod_callcenter's member
 * session; the A leg of a bridge; an originated leg's bridge partner; else the leg itself.
 * Used for a call not seen before: an indexed leg wins over this (resolveCallId).
 */
export function callIdOf(event: ChannelEvent): string | undefined {
  const own = legIdOf(event);
  const bridgeA = legIdHeader(event, 'Bridge-A-Unique-ID');
  return (
    callKeyOf(event) ??
    originatorOf(event) ??
    legIdHeader(event, 'variable_cc_member_session_uuid') ??
    (bridgeA !== own ? bridgeA : undefined) ??
    // On the phone's own inbound leg bridge_uuid names the leg it called, not its caller.
    (header(event, 'Call-Direction') === 'outbound' ? legIdHeader(event, 'variable_bridge_uuid') : undefined) ??
    own
  );
}

/**
 * The leg ids that certainly belong to the event's call, its own leg first: the leg, its originator and
 * mod_callcenter's member session. Bridge partners are left out on purpose: a bridge can join legs of two
 * calls (an attended transfer by the phone joins the caller to the consultation call's leg), and indexing
 * them would move a leg of one call into the other.
 */
export function relatedLegIds(event: ChannelEvent): string[] {
  const ids = [legIdOf(event), originatorOf(event), legIdHeader(event, 'variable_originator'), legIdHeader(event, 'variable_cc_member_session_uuid')];
  return [...new Set(ids.filter((id): id is string => id !== undefined))];
}

/**
 * The call an event belongs to, given the leg index entries the ingest found for relatedLegIds(event)
 * (legId -> callId): the first indexed leg (a leg never changes calls; the caller's CHANNEL_CREATE comes
 * before the dialplan exports our id), else what the event names.
 */
export function resolveCallId(event: ChannelEvent, indexed: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const legId of relatedLegIds(event)) {
    const callId = indexed[legId];
    if (callId) return callId;
  }
  return callIdOf(event);
}

function originatorOf(event: ChannelEvent): string | undefined {
  if (header(event, 'Other-Type') === 'originator') {
    const originator = legIdHeader(event, 'Other-Leg-Unique-ID');
    if (originator) return originator;
  }
  return legIdHeader(event, 'variable_originator');
}
