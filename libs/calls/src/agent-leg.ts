// Is this leg an agent's phone, and which way does the call go for the agent?
import { header, userPart, variable, type ChannelEvent } from './channel-event';

export type AgentLegRole =
  /** Someone calls the agent: FreeSWITCH originated this leg to the agent's phone. */
  | 'incoming'
  /** The agent's phone placed the call (or our click-to-call rang it to place one). */
  | 'outgoing';

export interface AgentLegIdentity {
  readonly role: AgentLegRole;
  readonly extension: string;
  /** The other party's number as this leg knows it. */
  readonly otherParty: string | undefined;
  /** The agent's own phone ringing for a call our click-to-call placed: no popup for it. */
  readonly clickToCall: boolean;
}

/** Variables our makecall originate sets (exported, so every leg of the call carries them). */
export const CLICK_TO_CALL_VARIABLES = { direction: 'cc360_direction', agent: 'cc360_agent', client: 'cc360_client' } as const;

/**
 * Incoming to an agent: an outbound leg to `user/<ext>` (variable_dialed_user; for phones reached another
 * way the presence id or destination, never on a gateway leg). Outgoing: an inbound leg from a registered
 * phone (variable_user_name). Note a phone's inbound leg also carries variable_dialed_user (the callee):
 * the direction decides first.
 */
export function identifyAgentLeg(event: ChannelEvent, agentExtension: RegExp): AgentLegIdentity | undefined {
  const direction = header(event, 'Call-Direction');
  if (direction === 'outbound') return identifyOriginatedLeg(event, agentExtension);
  if (direction === 'inbound') {
    const extension = variable(event, 'user_name');
    if (!extension || !agentExtension.test(extension)) return undefined;
    return { role: 'outgoing', extension, otherParty: header(event, 'Caller-Destination-Number'), clickToCall: false };
  }
  return undefined;
}

function identifyOriginatedLeg(event: ChannelEvent, agentExtension: RegExp): AgentLegIdentity | undefined {
  const extension = variable(event, 'dialed_user') ?? (isGatewayLeg(event) ? undefined : (userPart(header(event, 'Channel-Presence-ID')) ?? header(event, 'Caller-Destination-Number')));
  if (!extension || !agentExtension.test(extension)) return undefined;
  if (variable(event, CLICK_TO_CALL_VARIABLES.direction) === 'outgoing') {
    const agent = variable(event, CLICK_TO_CALL_VARIABLES.agent);
    // Our click-to-call from another agent to this one: an internal call coming in from that agent.
    if (agent && agent !== extension) return { role: 'incoming', extension, otherParty: agent, clickToCall: false };
    return { role: 'outgoing', extension, otherParty: variable(event, CLICK_TO_CALL_VARIABLES.client), clickToCall: true };
  }
  return { role: 'incoming', extension, otherParty: callerNumberOf(event), clickToCall: false };
}

/**
 * FreeSWITCH overwrites Caller-Caller-ID-Number on an originated leg once it is answered; the caller's
 * number then stays in Caller-Orig-Caller-ID-Number.
 */
function callerNumberOf(event: ChannelEvent): string | undefined {
  const answerState = header(event, 'Answer-State');
  const current = header(event, 'Caller-Caller-ID-Number');
  const original = header(event, 'Caller-Orig-Caller-ID-Number');
  return answerState === 'ringing' || answerState === 'early' ? (current ?? original) : (original ?? current);
}

function isGatewayLeg(event: ChannelEvent): boolean {
  return (header(event, 'Channel-Name') ?? '').includes('/gateway/') || variable(event, 'sip_gateway_name') !== undefined;
}
