// applyEvent: the call model as a pure reducer, one FreeSWITCH channel event at a time. Events may come
// twice or out of order; a leg's progress is taken from whatever evidence an event carries (answer and
// bridge times are on every event of a leg), so the notifications stay in order and are sent once.
import { identifyAgentLeg } from './agent-leg';
import { callIdOf, callKeyOf } from './call-identity';
import { reportingPolicyOf, type CallModelOptions } from './call-model-options';
import { CallProgress } from './call-progress';
import { handOverRecordings, recordingPathOf, recordingStarted, recordingStopped, stopRecordingsOf } from './call-recordings';
import { newCallState, type AgentLegState, type CallState } from './call-state';
import {
  eventSequenceOf,
  eventTimeMicros,
  hangupCauseOf,
  header,
  legCreatedMicros,
  legIdHeader,
  legIdOf,
  positiveNumber,
  variable,
  wholeSeconds,
  type ChannelEvent,
} from './channel-event';
import type { CrmNotification } from './notifications';

export interface CallUpdate {
  readonly state: CallState;
  readonly notifications: CrmNotification[];
  /** Every leg seen is gone: the state can be dropped (keep it a while against late duplicates). */
  readonly closed: boolean;
}

/** A channel event the model cannot place: it names no leg. */
export class MalformedChannelEventError extends Error {
  constructor(readonly eventName: string, readonly eventSequence: number | undefined) {
    super(`Channel event ${eventName} (Event-Sequence ${eventSequence ?? '?'}) has no Unique-ID`);
    this.name = 'MalformedChannelEventError';
  }
}

export function applyEvent(previous: CallState | undefined, event: ChannelEvent, options: CallModelOptions): CallUpdate {
  const legId = legIdOf(event);
  if (!legId) throw new MalformedChannelEventError(event.name, eventSequenceOf(event));
  const policy = reportingPolicyOf(options);
  const state: CallState = previous ? { ...structuredClone(previous), policy } : newCallState(callIdOf(event) ?? legId, header(event, 'Core-UUID'), policy);
  state.coreUuid ??= header(event, 'Core-UUID');
  adoptExportedCallId(state, event);
  const progress = new CallProgress(state);
  const agent = trackLeg(state, legId, event, options.agentExtensionPattern);
  if (event.name === 'RECORD_START') recordingStarted(state, legId, event);
  if (event.name === 'RECORD_STOP') recordingStopped(state, legId, recordingPathOf(event));
  // A leg that is gone records nothing more, whether or not its RECORD_STOP reached us.
  if (event.name === 'CHANNEL_HANGUP_COMPLETE') stopRecordingsOf(state, legId);
  if (event.name === 'CHANNEL_BRIDGE') bridged(progress, event);
  if (agent?.role === 'outgoing' && !agent.clickToCall && dialsAgent(event, options.agentExtensionPattern)) state.internal = true;
  if (agent) agentLegEvent(progress, agent, event);
  else if (event.name === 'CHANNEL_HANGUP_COMPLETE') state.otherLegs[legId].complete = true;
  progress.sendHeldSummaries();
  const closed = progress.updateClosed();
  return { state, notifications: progress.notifications(), closed };
}

function agentLegEvent(progress: CallProgress, agent: AgentLegState, event: ChannelEvent): void {
  agent.lastEventMicros = eventTimeMicros(event) ?? agent.lastEventMicros;
  // Whatever the event, an incoming agent leg exists, so the phone rang.
  progress.ringing(agent);
  const answeredAt = answeredAtMicros(agent, event);
  if (answeredAt !== undefined || (event.name === 'CHANNEL_ANSWER' && !agent.clickToCall)) {
    progress.answered(agent, answeredAt ?? eventTimeMicros(event));
  }
  const hangingUp = event.name === 'CHANNEL_HANGUP' || event.name === 'CHANNEL_HANGUP_COMPLETE';
  if (!hangingUp) return;
  if (hangupCauseOf(event) === 'LOSE_RACE' || variable(event, 'group_dial_status') === 'loser') agent.lostRace = true;
  progress.hungUp(agent);
  if (event.name !== 'CHANNEL_HANGUP_COMPLETE') return;
  agent.talkSec = talkSecondsOf(agent, event) ?? agent.talkSec;
  progress.completed(agent);
  progress.missedCall();
}

/**
 * When the leg was answered, from the times every channel event carries. The agent's own phone in our
 * click-to-call answers first and waits for the client: its call is answered when it is bridged.
 */
function answeredAtMicros(agent: AgentLegState, event: ChannelEvent): number | undefined {
  if (agent.clickToCall) return positiveNumber(header(event, 'Caller-Channel-Bridged-Time')) ?? positiveNumber(variable(event, 'bridge_uepoch'));
  return positiveNumber(header(event, 'Caller-Channel-Answered-Time')) ?? positiveNumber(variable(event, 'answer_uepoch'));
}

/** The agent's talk time: the leg's billsec; for a click-to-call leg, from the bridge to the end. */
function talkSecondsOf(agent: AgentLegState, event: ChannelEvent): number | undefined {
  if (agent.clickToCall) {
    const bridgedAt = positiveNumber(variable(event, 'bridge_uepoch'));
    const endedAt = positiveNumber(variable(event, 'end_uepoch'));
    if (bridgedAt !== undefined && endedAt !== undefined) return Math.max(0, Math.round((endedAt - bridgedAt) / 1e6));
  }
  return wholeSeconds(variable(event, 'billsec'));
}

function bridged(progress: CallProgress, event: ChannelEvent): void {
  const a = legIdHeader(event, 'Bridge-A-Unique-ID');
  const b = legIdHeader(event, 'Bridge-B-Unique-ID');
  const at = eventTimeMicros(event);
  handOverRecordings(progress.state, [a, b].filter((leg): leg is string => leg !== undefined));
  for (const [legId, partner] of [[a, b], [b, a]] as const) {
    const agent = legId ? progress.state.agentLegs[legId] : undefined;
    if (!agent || !partner) continue;
    agent.bridgedTo = partner;
    progress.ringing(agent);
    progress.answered(agent, at);
  }
}

/** Finds or adds the leg; returns its agent leg state when it is an agent's phone. */
function trackLeg(state: CallState, legId: string, event: ChannelEvent, agentExtension: RegExp): AgentLegState | undefined {
  const known = state.agentLegs[legId];
  if (known) return known;
  const identity = identifyAgentLeg(event, agentExtension);
  if (!identity) {
    state.otherLegs[legId] ??= otherLegOf(event);
    return undefined;
  }
  // A leg first seen through an event that could not identify it (no variables) becomes an agent leg.
  const wasOther = state.otherLegs[legId];
  delete state.otherLegs[legId];
  const otherParty =
    identity.role === 'incoming' ? (partyOfOriginator(state, event) ?? identity.otherParty ?? firstCallerNumber(state)) : identity.otherParty;
  const agent: AgentLegState = {
    legId,
    role: identity.role,
    extension: identity.extension,
    otherParty: otherParty ?? '',
    clickToCall: identity.clickToCall,
    rank: legCreatedMicros(event) ?? Object.keys(state.agentLegs).length,
    ringingSent: false,
    answerSent: false,
    hangupSent: false,
    summarySent: false,
    answered: false,
    lostRace: false,
    complete: wasOther?.complete ?? false,
    recordings: [],
  };
  state.agentLegs[legId] = agent;
  state.internal ||= isInternal(state);
  return agent;
}

function otherLegOf(event: ChannelEvent): CallState['otherLegs'][string] {
  const direction = header(event, 'Call-Direction');
  if (direction === 'inbound') return { complete: false, direction, number: header(event, 'Caller-Caller-ID-Number') };
  if (direction === 'outbound') return { complete: false, direction, number: header(event, 'Caller-Destination-Number') };
  return { complete: false };
}

/**
 * Who is calling an incoming agent leg, from the leg that originated it: the caller's number, the agent
 * who dialled (an internal call), or the caller an agent was talking to (a consultation call).
 */
function partyOfOriginator(state: CallState, event: ChannelEvent): string | undefined {
  const originator =
    (header(event, 'Other-Type') === 'originator' ? legIdHeader(event, 'Other-Leg-Unique-ID') : undefined) ??
    legIdHeader(event, 'variable_originator') ??
    legIdHeader(event, 'variable_cc_member_session_uuid');
  if (!originator) return undefined;
  const agent = state.agentLegs[originator];
  if (agent) return agent.role === 'outgoing' ? agent.extension : agent.otherParty || undefined;
  return state.otherLegs[originator]?.number;
}

function firstCallerNumber(state: CallState): string | undefined {
  return Object.values(state.otherLegs).find((leg) => leg.direction === 'inbound' && leg.number)?.number;
}

/**
 * The phone's own leg dials another agent: the user endpoint sets variable_dialed_user on the calling leg
 * when it originates `user/<ext>` (its CHANNEL_CREATE comes before that).
 */
function dialsAgent(event: ChannelEvent, agentExtension: RegExp): boolean {
  const dialled = variable(event, 'dialed_user');
  return dialled !== undefined && agentExtension.test(dialled);
}

/** An agent's outgoing leg and another agent's incoming leg called from that agent, in either order. */
function isInternal(state: CallState): boolean {
  const legs = Object.values(state.agentLegs);
  const callers = new Set(legs.filter((leg) => leg.role === 'outgoing').map((leg) => leg.extension));
  return legs.some((leg) => leg.role === 'incoming' && callers.has(leg.otherParty));
}

/** The CRM id switches to our exported id only while nothing has been sent: one id per call in the CRM. */
function adoptExportedCallId(state: CallState, event: ChannelEvent): void {
  const exported = callKeyOf(event);
  if (!exported || state.crmCallId !== undefined) return;
  const sent = Object.values(state.agentLegs).some((leg) => leg.ringingSent || leg.answerSent || leg.hangupSent || leg.summarySent);
  if (!sent) state.crmCallId = exported;
}
