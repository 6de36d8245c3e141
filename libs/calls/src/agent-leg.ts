// Is this leg an agent's phone, and which way does the call go for the agent?
import { header, userPart, variable, type ChannelEvent } from './channel-event';

export type AgentLegRole =
  /** Someone calls the agent: FreeSWITCH originated this leg to the agent's phone. */
  | 'incoming'
  /** The agent's phone placed the call (or our click-to-call rang it first). */
  | 'outgoing';

export interface AgentLegIdentity {
  readonly role: AgentLegRole;
  readonly extension: string;
  /** The other party's number as known when the leg appears. */
  readonly otherParty: string | undefined;
  /** A click-to-call leg: the agent's own phone ringing for a call we placed (no popup for it). */
  readonly clickToCall: boolean;
}

/**
 * Incoming to an agent: an outbound leg to `user/<ext>` (variable_dialed_user; the presence id for
 * phones reached another way, but never a gateway leg). Outgoing: an inbound leg from a registered
 * phone (variable_user_name). Our click-to-call marks its agent leg with cc360_direction=outgoing.
 */
export function identifyAgentLeg(event: ChannelEvent, agentExtension: RegExp): AgentLegIdentity | undefined {
  const direction = header(event, 'Call-Direction');
  const channel = header(event, 'Channel-Name') ?? '';
  if (direction === 'outbound') {
    const extension =
      variable(event, 'dialed_user') ??
      (channel.includes('/gateway/') ? undefined : userPart(header(event, 'Channel-Presence-ID')));
    if (!extension || !agentExtension.test(extension)) return undefined;
    if (variable(event, 'cc360_direction') === 'outgoing') {
      const agent = variable(event, 'cc360_agent');
      if (agent && agent !== extension) return undefined; // the client's leg of our click-to-call
      return { role: 'outgoing', extension, otherParty: variable(event, 'cc360_client'), clickToCall: true };
    }
    // FreeSWITCH overwrites Caller-Caller-ID-Number when an originated leg is answered; the caller's
    // number then stays in Caller-Orig-Caller-ID-Number.
    const answered = header(event, 'Answer-State') !== 'ringing' && header(event, 'Answer-State') !== 'early';
    const current = header(event, 'Caller-Caller-ID-Number');
    const original = header(event, 'Caller-Orig-Caller-ID-Number');
    const otherParty = answered ? (original ?? current) : (current ?? original);
    return { role: 'incoming', extension, otherParty, clickToCall: false };
  }
  if (direction === 'inbound') {
    const extension = variable(event, 'user_name');
    if (!extension || !agentExtension.test(extension)) return undefined;
    return { role: 'outgoing', extension, otherParty: header(event, 'Caller-Destination-Number'), clickToCall: false };
  }
  return undefined;
}
