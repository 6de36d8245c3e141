// The call model: a pure reducer from FreeSWITCH channel events to CC360 notifications, per agent leg.
// Per agent leg it sends ringing < answer < hangup < summary, each at most once, whatever order or
// duplicates the events come in; every agent leg that rang gets its hangup.
import { identifyAgentLeg } from './agent-leg';
import { callIdOf } from './call-identity';
import { newCallState, type AgentLegState, type CallState } from './call-state';
import { eventTimeMicros, header, legIdOf, variable, wholeSeconds, type ChannelEvent } from './channel-event';
import type { CallSummary, CrmNotification, RingingEventName } from './notifications';

export interface CallModelOptions {
  /** Which extensions are agents (default ^\d{2,6}$: CC360 needs digit-only extensions). */
  readonly agentExtensionPattern: RegExp;
  /** Also send answer and hangup for calls the agent places. */
  readonly notifyOutgoingStates: boolean;
  /** `ignore`: report nothing for calls between two agents. */
  readonly internalCalls: 'report' | 'ignore';
}

export const DEFAULT_CALL_MODEL_OPTIONS: CallModelOptions = {
  agentExtensionPattern: /^\d{2,6}$/,
  notifyOutgoingStates: false,
  internalCalls: 'report',
};

export interface CallUpdate {
  readonly state: CallState;
  readonly notifications: CrmNotification[];
  /** Every leg of the call is gone: the state can be dropped. */
  readonly closed: boolean;
}

const RINGING_EVENTS = new Set(['CHANNEL_CREATE', 'CHANNEL_ORIGINATE', 'CHANNEL_PROGRESS', 'CHANNEL_PROGRESS_MEDIA']);

export function applyEvent(previous: CallState | undefined, event: ChannelEvent, options: CallModelOptions): CallUpdate {
  const legId = legIdOf(event);
  const callId = previous?.callId ?? callIdOf(event);
  if (!legId || !callId) {
    const state = previous ?? newCallState(callId ?? 'unknown', header(event, 'Core-UUID'));
    return { state, notifications: [], closed: state.closed };
  }
  const state: CallState = previous ? structuredClone(previous) : newCallState(callId, header(event, 'Core-UUID'));
  const call = new CallUpdater(state, options);
  call.track(legId, event);
  call.apply(legId, event);
  return call.result();
}

/** A call that ended while we could not see it (FreeSWITCH restarted, or it was gone after a reconnect). */
export function closeOutCall(previous: CallState, options: CallModelOptions): CallUpdate {
  const call = new CallUpdater(structuredClone(previous), options);
  call.closeOut();
  return call.result();
}

class CallUpdater {
  private readonly out: CrmNotification[] = [];

  constructor(private readonly state: CallState, private readonly options: CallModelOptions) {}

  result(): CallUpdate {
    const legs = [...Object.values(this.state.agentLegs), ...Object.values(this.state.otherLegs)];
    this.state.closed = legs.length > 0 && legs.every((leg) => leg.complete);
    const silent = this.state.internal && this.options.internalCalls === 'ignore';
    return { state: this.state, notifications: silent ? [] : this.out, closed: this.state.closed };
  }

  track(legId: string, event: ChannelEvent): void {
    if (this.state.agentLegs[legId] || this.state.otherLegs[legId]) return;
    const identity = identifyAgentLeg(event, this.options.agentExtensionPattern);
    if (!identity) {
      const inbound = header(event, 'Call-Direction') === 'inbound';
      this.state.otherLegs[legId] = { complete: false, callerNumber: inbound ? header(event, 'Caller-Caller-ID-Number') : undefined };
      return;
    }
    // An incoming agent leg reports the caller's number, best taken from the caller's own leg.
    const caller = Object.values(this.state.otherLegs).find((leg) => leg.callerNumber)?.callerNumber;
    const callingAgent = Object.values(this.state.agentLegs).find((leg) => leg.role === 'outgoing' && !leg.clickToCall);
    const otherParty =
      identity.role === 'incoming' ? (callingAgent?.extension ?? caller ?? identity.otherParty) : identity.otherParty;
    this.state.agentLegs[legId] = {
      legId,
      role: identity.role,
      extension: identity.extension,
      otherParty: otherParty ?? '',
      clickToCall: identity.clickToCall,
      rank: Object.keys(this.state.agentLegs).length,
      ringingSent: false,
      answerSent: false,
      hangupSent: false,
      summarySent: false,
      answered: false,
      lostRace: false,
      complete: false,
      recordings: [],
    };
    const legs = Object.values(this.state.agentLegs);
    this.state.internal =
      legs.some((leg) => leg.role === 'outgoing' && !leg.clickToCall) && legs.some((leg) => leg.role === 'incoming');
  }

  apply(legId: string, event: ChannelEvent): void {
    const agent = this.state.agentLegs[legId];
    if (agent) agent.lastEventMicros = eventTimeMicros(event) ?? agent.lastEventMicros;
    if (event.name === 'RECORD_STOP') this.recordingStopped(legId, event);
    if (event.name === 'CHANNEL_BRIDGE') {
      for (const id of [header(event, 'Bridge-A-Unique-ID'), header(event, 'Bridge-B-Unique-ID')]) {
        const bridged = id ? this.state.agentLegs[id] : undefined;
        if (bridged) this.answered(bridged, event);
      }
    }
    if (!agent) {
      if (event.name === 'CHANNEL_HANGUP_COMPLETE') this.state.otherLegs[legId].complete = true;
      return;
    }
    if (RINGING_EVENTS.has(event.name)) this.ringing(agent);
    else if (event.name === 'CHANNEL_ANSWER') this.answered(agent, event);
    else if (event.name === 'CHANNEL_HANGUP') this.hungUp(agent, event);
    else if (event.name === 'CHANNEL_HANGUP_COMPLETE') {
      this.hungUp(agent, event);
      agent.billsec = wholeSeconds(variable(event, 'billsec')) ?? agent.billsec;
      agent.complete = true;
      this.summarize(agent);
      this.missedCallSummary();
    }
  }

  closeOut(): void {
    for (const agent of Object.values(this.state.agentLegs)) {
      if (agent.complete) continue;
      if (agent.answered && agent.billsec === undefined && agent.answeredAtMicros && agent.lastEventMicros) {
        // What is known: talk time up to the last event we saw of this leg.
        agent.billsec = Math.max(0, Math.floor((agent.lastEventMicros - agent.answeredAtMicros) / 1e6));
      }
      this.hangup(agent);
      agent.complete = true;
      this.summarize(agent);
    }
    for (const leg of Object.values(this.state.otherLegs)) leg.complete = true;
    this.missedCallSummary();
  }

  private ringing(agent: AgentLegState): void {
    if (agent.role !== 'incoming' || agent.ringingSent || agent.hangupSent) return;
    agent.ringingSent = true;
    this.notify(agent, 'ringing');
  }

  private answered(agent: AgentLegState, event: ChannelEvent): void {
    if (!agent.answered) {
      agent.answered = true;
      agent.answeredAtMicros = eventTimeMicros(event);
    }
    if (agent.answerSent || agent.hangupSent) return;
    if (agent.role === 'incoming') {
      this.ringing(agent);
      agent.answerSent = true;
      this.notify(agent, 'answer');
    } else if (this.options.notifyOutgoingStates) {
      agent.answerSent = true;
      this.notify(agent, 'answer');
    }
  }

  private hungUp(agent: AgentLegState, event: ChannelEvent): void {
    const cause = header(event, 'Hangup-Cause') ?? variable(event, 'hangup_cause');
    if (cause === 'LOSE_RACE' || variable(event, 'group_dial_status') === 'loser') agent.lostRace = true;
    this.hangup(agent);
  }

  private hangup(agent: AgentLegState): void {
    if (agent.hangupSent) return;
    if (agent.role === 'incoming') {
      this.ringing(agent);
      agent.hangupSent = true;
      this.notify(agent, 'hangup');
    } else if (this.options.notifyOutgoingStates) {
      agent.hangupSent = true;
      this.notify(agent, 'hangup');
    }
  }

  private summarize(agent: AgentLegState): void {
    if (agent.summarySent) return;
    if (agent.role === 'outgoing') {
      this.summary(agent, 'outgoing', agent.answered ? (agent.billsec ?? 0) : 0);
    } else if (agent.answered) {
      this.summary(agent, 'incoming', agent.billsec ?? 0);
    }
    // An unanswered incoming leg waits for missedCallSummary(): one missed call per call, not per phone.
  }

  /** When every agent that rang is done and none answered: one missed call, for the first agent that rang. */
  private missedCallSummary(): void {
    if (this.state.missedSummarySent) return;
    const incoming = Object.values(this.state.agentLegs).filter((leg) => leg.role === 'incoming');
    if (incoming.length === 0 || incoming.some((leg) => leg.answered || !leg.complete)) return;
    const candidates = incoming.filter((leg) => !leg.lostRace && !leg.summarySent);
    if (candidates.length === 0) return;
    const first = candidates.reduce((a, b) => (a.rank <= b.rank ? a : b));
    this.state.missedSummarySent = true;
    this.summary(first, 'incoming', 0);
  }

  private recordingStopped(legId: string, event: ChannelEvent): void {
    const path = header(event, 'Record-File-Path') ?? variable(event, 'record_file_path');
    if (!path) return;
    const own = this.state.agentLegs[legId];
    // A recording on a non-agent leg (the caller's) belongs to the agents talking on the call.
    const owners = own ? [own] : Object.values(this.state.agentLegs).filter((leg) => leg.answered && !leg.summarySent);
    for (const owner of owners) if (!owner.recordings.includes(path)) owner.recordings.push(path);
  }

  private summary(agent: AgentLegState, direction: CallSummary['direction'], durationSec: number): void {
    agent.summarySent = true;
    this.out.push({
      type: 'summary',
      callId: this.state.callId,
      callerId: agent.otherParty,
      user: agent.extension,
      direction,
      durationSec,
      files: [...agent.recordings],
      legId: agent.legId,
    });
  }

  private notify(agent: AgentLegState, eventName: RingingEventName): void {
    this.out.push({
      type: 'ringing',
      callId: this.state.callId,
      eventName,
      callerId: agent.otherParty,
      user: agent.extension,
      legId: agent.legId,
    });
  }
}
