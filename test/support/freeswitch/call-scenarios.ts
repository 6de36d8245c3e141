// Whole calls as FreeSWITCH reports them over ESL, built from the real event templates (see
// channel-events.ts) with SIP phone legs shaped like /work/shared/esl-notes.md and the public captures:
// an external caller's inbound leg, agent legs originated to user/<ext> (Other-Type originator,
// variable_dialed_user), a phone's own inbound leg for outgoing calls (variable_user_name).
import { randomUUID } from 'node:crypto';
import { buildChannelEvent, type ChannelEventName, type ChannelLeg } from './channel-events';
import type { EventFields } from './wire';

const DOMAIN = 'pbx.example.com';
const DID = '74951234567';

export interface ScenarioOptions {
  /** Sets our exported cc360_call_id on every leg (the dialplan export). */
  exportedCallId?: string;
}

interface LegTimes {
  created: number;
  progress?: number;
  answered?: number;
  bridged?: number;
  hangup?: number;
}

/**
 * Builds the events of one call in order. Like FreeSWITCH, every event carries the leg's own times
 * (Caller-Channel-*-Time, and the *_uepoch variables at the end), kept coherent with the call's clock,
 * so nothing from the template's real call (which was answered) leaks into, say, a missed call.
 */
export class CallScript {
  readonly events: Array<Record<string, string | readonly string[]>> = [];
  private clockMicros: number;
  private readonly legTimes = new Map<string, LegTimes>();

  constructor(startMs: number = Date.now(), private readonly options: ScenarioOptions = {}) {
    this.clockMicros = startMs * 1000;
  }

  /** Advances the call's clock. */
  wait(seconds: number): this {
    this.clockMicros += Math.round(seconds * 1e6);
    return this;
  }

  event(name: ChannelEventName, leg: ChannelLeg, headers: Record<string, string | undefined> = {}): this {
    const variables = { ...leg.variables };
    if (this.options.exportedCallId) variables.cc360_call_id = this.options.exportedCallId;
    const times = this.advanceLegTimes(name, leg.uniqueId, headers);
    const event = buildChannelEvent(name, {
      ...leg,
      variables,
      headers: { ...leg.headers, 'Event-Date-Timestamp': String(this.clockMicros), ...timeHeaders(name, times), ...headers },
    });
    this.events.push(event);
    this.clockMicros += 250; // FreeSWITCH's events of one call are a fraction of a millisecond apart
    return this;
  }

  private advanceLegTimes(name: ChannelEventName, legId: string, headers: Record<string, string | undefined>): LegTimes {
    const times = this.legTimes.get(legId) ?? { created: this.clockMicros };
    this.legTimes.set(legId, times);
    const now = this.clockMicros;
    if (name === 'CHANNEL_PROGRESS') times.progress ??= now;
    if (name === 'CHANNEL_ANSWER') times.answered ??= now;
    if (name === 'CHANNEL_HANGUP') times.hangup ??= now;
    if (name === 'CHANNEL_BRIDGE') {
      for (const id of [headers['Bridge-A-Unique-ID'], headers['Bridge-B-Unique-ID']]) {
        const bridged = id ? this.legTimes.get(id) : undefined;
        if (bridged) bridged.bridged ??= now;
      }
    }
    return times;
  }
}

function timeHeaders(name: ChannelEventName, times: LegTimes): Record<string, string | undefined> {
  const at = (value: number | undefined) => String(value ?? 0);
  const headers: Record<string, string | undefined> = {
    'Caller-Channel-Created-Time': at(times.created),
    'Caller-Channel-Progress-Time': at(times.progress),
    'Caller-Channel-Answered-Time': at(times.answered),
    'Caller-Channel-Bridged-Time': at(times.bridged),
    'Caller-Channel-Hangup-Time': at(times.hangup),
  };
  if (name === 'CHANNEL_HANGUP_COMPLETE') {
    const end = times.hangup ?? times.created;
    Object.assign(headers, {
      variable_start_uepoch: at(times.created),
      variable_progress_uepoch: at(times.progress),
      variable_answer_uepoch: at(times.answered),
      variable_answer_epoch: String(Math.floor((times.answered ?? 0) / 1e6)),
      variable_bridge_uepoch: at(times.bridged),
      variable_bridge_epoch: String(Math.floor((times.bridged ?? 0) / 1e6)),
      variable_end_uepoch: at(end),
      variable_duration: String(Math.round((end - times.created) / 1e6)),
      variable_billsec: String(times.answered ? Math.round((end - times.answered) / 1e6) : 0),
      variable_answersec: String(times.answered ? Math.round((times.answered - times.created) / 1e6) : 0),
    });
  }
  return headers;
}

/** An external caller's leg: from the carrier gateway into the PBX. */
export function callerLeg(uniqueId: string, number: string): ChannelLeg {
  return {
    uniqueId,
    direction: 'inbound',
    channelName: `sofia/external/${number}@carrier.example.net`,
    callerIdNumber: number,
    destinationNumber: DID,
    otherLegUniqueId: null,
    headers: {
      'Caller-Orig-Caller-ID-Number': undefined,
      'Channel-Presence-ID': undefined,
      variable_originator: undefined,
      variable_bridge_uuid: undefined,
      variable_other_loopback_leg_uuid: undefined,
    },
  };
}

/** The leg FreeSWITCH originates to an agent's phone (bridge to user/<ext>). */
export function agentLeg(uniqueId: string, extension: string, originatorId: string, callerNumber: string): ChannelLeg {
  return {
    uniqueId,
    direction: 'outbound',
    channelName: `sofia/internal/${extension}@10.0.0.${Number(extension) % 250}:5060`,
    callerIdNumber: callerNumber,
    destinationNumber: extension,
    otherLegUniqueId: originatorId,
    variables: { dialed_user: extension, dialed_domain: DOMAIN, originator: originatorId },
    headers: {
      'Other-Type': 'originator',
      'Caller-Orig-Caller-ID-Number': callerNumber,
      'Channel-Presence-ID': `${extension}@${DOMAIN}`,
      variable_other_loopback_leg_uuid: undefined,
    },
  };
}

/** An agent's phone placing a call: its own inbound leg. */
export function phoneLeg(uniqueId: string, extension: string, dialled: string): ChannelLeg {
  return {
    uniqueId,
    direction: 'inbound',
    channelName: `sofia/internal/${extension}@${DOMAIN}`,
    callerIdNumber: extension,
    destinationNumber: dialled,
    otherLegUniqueId: null,
    variables: { user_name: extension, domain_name: DOMAIN },
    headers: {
      'Caller-Orig-Caller-ID-Number': undefined,
      'Channel-Presence-ID': `${extension}@${DOMAIN}`,
      variable_originator: undefined,
      variable_bridge_uuid: undefined,
      variable_other_loopback_leg_uuid: undefined,
    },
  };
}

/** The carrier leg of an agent's outgoing call. */
export function gatewayLeg(uniqueId: string, dialled: string, originatorId: string, agentExtension: string): ChannelLeg {
  return {
    uniqueId,
    direction: 'outbound',
    channelName: `sofia/gateway/carrier/${dialled}`,
    callerIdNumber: agentExtension,
    destinationNumber: dialled,
    otherLegUniqueId: originatorId,
    variables: { originator: originatorId },
    headers: {
      'Other-Type': 'originator',
      'Caller-Orig-Caller-ID-Number': undefined,
      'Channel-Presence-ID': undefined,
      variable_other_loopback_leg_uuid: undefined,
    },
  };
}

function bridge(script: CallScript, a: ChannelLeg, b: ChannelLeg): void {
  script.event('CHANNEL_BRIDGE', a, { 'Bridge-A-Unique-ID': a.uniqueId, 'Bridge-B-Unique-ID': b.uniqueId });
}

function hangupBoth(script: CallScript, first: ChannelLeg, second: ChannelLeg, billsec: number, duration: number): void {
  const clearing = { 'Hangup-Cause': 'NORMAL_CLEARING', variable_hangup_cause: 'NORMAL_CLEARING' };
  script.event('CHANNEL_UNBRIDGE', first, { 'Bridge-A-Unique-ID': first.uniqueId, 'Bridge-B-Unique-ID': second.uniqueId });
  script.event('CHANNEL_HANGUP', first, clearing).event('CHANNEL_HANGUP', second, clearing);
  script.event('CHANNEL_HANGUP_COMPLETE', first, { ...clearing, variable_billsec: String(billsec), variable_duration: String(duration) });
  script.event('CHANNEL_HANGUP_COMPLETE', second, { ...clearing, variable_billsec: String(billsec), variable_duration: String(duration) });
}

/** Scenario 1: an external caller, agent `extension` answers after 2 s, they talk `talkSeconds`. */
export function answeredIncomingCall(ids: { caller: string; agent: string }, callerNumber: string, extension: string, talkSeconds: number, options: ScenarioOptions = {}): EventFields[] {
  const script = new CallScript(Date.now(), options);
  const caller = callerLeg(ids.caller, callerNumber);
  const agent = agentLeg(ids.agent, extension, ids.caller, callerNumber);
  script.event('CHANNEL_CREATE', caller);
  script.event('CHANNEL_CREATE', agent).event('CHANNEL_ORIGINATE', agent).event('CHANNEL_PROGRESS', agent);
  script.wait(2).event('CHANNEL_ANSWER', agent).event('CHANNEL_ANSWER', caller);
  bridge(script, caller, agent);
  script.wait(talkSeconds);
  hangupBoth(script, caller, agent, talkSeconds, talkSeconds + 2);
  return script.events;
}

/** Scenario 1 recorded: `record_session` on the agent leg stops just before its CHANNEL_HANGUP_COMPLETE. */
export function recordedIncomingCall(ids: { caller: string; agent: string }, callerNumber: string, extension: string, talkSeconds: number, recordingPath: string): EventFields[] {
  const events = answeredIncomingCall(ids, callerNumber, extension, talkSeconds);
  const script = new CallScript();
  const agent = agentLeg(ids.agent, extension, ids.caller, callerNumber);
  script.event('RECORD_STOP', agent, {
    'Record-File-Path': recordingPath,
    variable_record_seconds: String(talkSeconds),
    'Record-Completion-Cause': 'success',
  });
  const agentComplete = events.findIndex((event) => event['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE' && event['Unique-ID'] === ids.agent);
  events.splice(agentComplete, 0, ...script.events);
  return events;
}

/**
 * Scenario 1 recorded as our dialplan does it: `record_session` on the caller's leg from the bridge. The
 * agent hangs up first, so the caller's RECORD_STOP comes after the agent leg's CHANNEL_HANGUP_COMPLETE.
 */
export function dialplanRecordedIncomingCall(ids: { caller: string; agent: string }, callerNumber: string, extension: string, talkSeconds: number, recordingPath: string): EventFields[] {
  const script = new CallScript();
  const caller = callerLeg(ids.caller, callerNumber);
  const agent = agentLeg(ids.agent, extension, ids.caller, callerNumber);
  const clearing = { 'Hangup-Cause': 'NORMAL_CLEARING', variable_hangup_cause: 'NORMAL_CLEARING' };
  const cdr = { ...clearing, variable_billsec: String(talkSeconds), variable_duration: String(talkSeconds + 2) };
  script.event('CHANNEL_CREATE', caller);
  script.event('CHANNEL_CREATE', agent).event('CHANNEL_ORIGINATE', agent).event('CHANNEL_PROGRESS', agent);
  script.wait(2).event('CHANNEL_ANSWER', agent).event('CHANNEL_ANSWER', caller);
  bridge(script, caller, agent);
  script.event('RECORD_START', caller, { 'Record-File-Path': recordingPath });
  script.wait(talkSeconds).event('CHANNEL_HANGUP', agent, clearing);
  script.event('CHANNEL_UNBRIDGE', caller, { 'Bridge-A-Unique-ID': caller.uniqueId, 'Bridge-B-Unique-ID': agent.uniqueId });
  script.event('CHANNEL_HANGUP_COMPLETE', agent, cdr).event('CHANNEL_HANGUP', caller, clearing);
  script.event('RECORD_STOP', caller, { 'Record-File-Path': recordingPath, variable_record_seconds: String(talkSeconds), 'Record-Completion-Cause': 'success' });
  return script.event('CHANNEL_HANGUP_COMPLETE', caller, cdr).events;
}

export type MissReason = 'ORIGINATOR_CANCEL' | 'NO_ANSWER' | 'CALL_REJECTED' | 'USER_BUSY';

/** Scenario 2: the agent's phone rings and nobody answers. */
export function missedIncomingCall(ids: { caller: string; agent: string }, callerNumber: string, extension: string, reason: MissReason): EventFields[] {
  const script = new CallScript();
  const caller = callerLeg(ids.caller, callerNumber);
  const agent = agentLeg(ids.agent, extension, ids.caller, callerNumber);
  const cause = { 'Hangup-Cause': reason, variable_hangup_cause: reason, variable_billsec: '0' };
  script.event('CHANNEL_CREATE', caller);
  script.event('CHANNEL_CREATE', agent).event('CHANNEL_ORIGINATE', agent).event('CHANNEL_PROGRESS', agent);
  script.wait(reason === 'NO_ANSWER' ? 30 : 5);
  const callerCause = reason === 'NO_ANSWER' ? 'NORMAL_CLEARING' : reason;
  script.event('CHANNEL_HANGUP', agent, cause).event('CHANNEL_HANGUP_COMPLETE', agent, cause);
  script.event('CHANNEL_HANGUP', caller, { 'Hangup-Cause': callerCause }).event('CHANNEL_HANGUP_COMPLETE', caller, { 'Hangup-Cause': callerCause, variable_billsec: '0' });
  return script.events;
}

/** Scenario 3: ring group; `winner` answers (or nobody when undefined). */
export function ringGroupCall(callerId: string, callerNumber: string, members: ReadonlyArray<{ legId: string; extension: string }>, winner?: string): EventFields[] {
  const script = new CallScript();
  const caller = callerLeg(callerId, callerNumber);
  const legs = members.map((member) => ({ ...member, leg: agentLeg(member.legId, member.extension, callerId, callerNumber) }));
  script.event('CHANNEL_CREATE', caller);
  for (const { leg } of legs) script.event('CHANNEL_CREATE', leg).event('CHANNEL_ORIGINATE', leg);
  for (const { leg } of legs) script.event('CHANNEL_PROGRESS', leg);
  script.wait(3);
  const won = legs.find((member) => member.extension === winner);
  if (!won) {
    for (const { leg } of legs) {
      const cause = { 'Hangup-Cause': 'ORIGINATOR_CANCEL', variable_hangup_cause: 'ORIGINATOR_CANCEL', variable_billsec: '0' };
      script.event('CHANNEL_HANGUP', leg, cause).event('CHANNEL_HANGUP_COMPLETE', leg, cause);
    }
    script.event('CHANNEL_HANGUP', caller, { 'Hangup-Cause': 'ORIGINATOR_CANCEL' }).event('CHANNEL_HANGUP_COMPLETE', caller, { 'Hangup-Cause': 'ORIGINATOR_CANCEL' });
    return script.events;
  }
  script.event('CHANNEL_ANSWER', won.leg);
  for (const { leg } of legs.filter((member) => member !== won)) {
    const cause = { 'Hangup-Cause': 'LOSE_RACE', variable_hangup_cause: 'LOSE_RACE', variable_group_dial_status: 'loser', variable_billsec: '0' };
    script.event('CHANNEL_HANGUP', leg, cause).event('CHANNEL_HANGUP_COMPLETE', leg, cause);
  }
  script.event('CHANNEL_ANSWER', caller);
  bridge(script, caller, won.leg);
  script.wait(12);
  hangupBoth(script, caller, won.leg, 12, 15);
  return script.events;
}

/** Scenario 4: agent `extension` dials an external number, talk `talkSeconds`. */
export function outgoingCall(ids: { phone: string; gateway: string }, extension: string, dialled: string, talkSeconds: number): EventFields[] {
  const script = new CallScript();
  const phone = phoneLeg(ids.phone, extension, dialled);
  const carrier = gatewayLeg(ids.gateway, dialled, ids.phone, extension);
  script.event('CHANNEL_CREATE', phone);
  script.event('CHANNEL_CREATE', carrier).event('CHANNEL_ORIGINATE', carrier).event('CHANNEL_PROGRESS', carrier);
  script.wait(4).event('CHANNEL_ANSWER', carrier).event('CHANNEL_ANSWER', phone);
  bridge(script, phone, carrier);
  script.wait(talkSeconds);
  hangupBoth(script, phone, carrier, talkSeconds, talkSeconds + 4);
  return script.events;
}

/** Scenario 5: agent `from` calls agent `to`. */
export function internalCall(ids: { phone: string; callee: string }, from: string, to: string, talkSeconds: number): EventFields[] {
  const script = new CallScript();
  const phone = phoneLeg(ids.phone, from, to);
  const callee = agentLeg(ids.callee, to, ids.phone, from);
  script.event('CHANNEL_CREATE', phone);
  script.event('CHANNEL_CREATE', callee).event('CHANNEL_ORIGINATE', callee).event('CHANNEL_PROGRESS', callee);
  script.wait(2).event('CHANNEL_ANSWER', callee).event('CHANNEL_ANSWER', phone);
  bridge(script, phone, callee);
  script.wait(talkSeconds);
  hangupBoth(script, phone, callee, talkSeconds, talkSeconds + 2);
  return script.events;
}

/** Scenario 6 (blind transfer by REFER): 101 answers, transfers the caller to 102, who answers. */
export function blindTransferCall(ids: { caller: string; first: string; second: string }, callerNumber: string, firstExt: string, secondExt: string): EventFields[] {
  const script = new CallScript();
  const caller = callerLeg(ids.caller, callerNumber);
  const first = agentLeg(ids.first, firstExt, ids.caller, callerNumber);
  const second = agentLeg(ids.second, secondExt, ids.caller, callerNumber);
  const clearing = { 'Hangup-Cause': 'NORMAL_CLEARING', variable_hangup_cause: 'NORMAL_CLEARING' };
  script.event('CHANNEL_CREATE', caller);
  script.event('CHANNEL_CREATE', first).event('CHANNEL_PROGRESS', first);
  script.wait(2).event('CHANNEL_ANSWER', first).event('CHANNEL_ANSWER', caller);
  bridge(script, caller, first);
  script.wait(20);
  script.event('CHANNEL_UNBRIDGE', caller, { 'Bridge-A-Unique-ID': ids.caller, 'Bridge-B-Unique-ID': ids.first });
  script.event('CHANNEL_HANGUP', first, { ...clearing, variable_endpoint_disposition: 'BLIND_TRANSFER' });
  script.event('CHANNEL_HANGUP_COMPLETE', first, { ...clearing, variable_billsec: '20', variable_duration: '22', variable_endpoint_disposition: 'BLIND_TRANSFER' });
  script.event('CHANNEL_CREATE', second).event('CHANNEL_PROGRESS', second);
  script.wait(3).event('CHANNEL_ANSWER', second);
  bridge(script, caller, second);
  script.wait(30);
  hangupBoth(script, caller, second, 30, 33);
  return script.events;
}

/** Scenario 7: mod_callcenter offers the call to an agent leg it originates on its own (no Other-Leg). */
export function callCenterCall(ids: { caller: string; agent: string }, callerNumber: string, extension: string, answers: boolean): EventFields[] {
  const script = new CallScript();
  const caller = callerLeg(ids.caller, callerNumber);
  const base = agentLeg(ids.agent, extension, ids.caller, callerNumber);
  const agent: ChannelLeg = {
    ...base,
    otherLegUniqueId: null,
    variables: { dialed_user: extension, cc_member_session_uuid: ids.caller, cc_queue: 'support@default', cc_agent: `${extension}@default` },
    headers: { ...base.headers, 'Other-Type': undefined, variable_originator: undefined },
  };
  script.event('CHANNEL_CREATE', caller);
  script.wait(5).event('CHANNEL_CREATE', agent).event('CHANNEL_ORIGINATE', agent).event('CHANNEL_PROGRESS', agent);
  if (!answers) {
    const cause = { 'Hangup-Cause': 'NO_ANSWER', variable_hangup_cause: 'NO_ANSWER', variable_billsec: '0' };
    script.wait(15).event('CHANNEL_HANGUP', agent, cause).event('CHANNEL_HANGUP_COMPLETE', agent, cause);
    script.event('CHANNEL_HANGUP', caller, { 'Hangup-Cause': 'NORMAL_CLEARING' }).event('CHANNEL_HANGUP_COMPLETE', caller, { 'Hangup-Cause': 'NORMAL_CLEARING' });
    return script.events;
  }
  script.wait(3).event('CHANNEL_ANSWER', agent);
  bridge(script, caller, agent);
  script.wait(40);
  hangupBoth(script, caller, agent, 40, 48);
  return script.events;
}

/** Scenario 8 (click-to-call): what FreeSWITCH reports for our originate: the agent's phone (marked by our variables), then the client. */
export function clickToCallEvents(callId: string, extension: string, number: string, talkSeconds: number, clientLegId: string = randomUUID()): EventFields[] {
  const script = new CallScript();
  const agent: ChannelLeg = {
    uniqueId: callId,
    direction: 'outbound',
    channelName: `sofia/internal/${extension}@10.0.0.5:5060`,
    callerIdNumber: number,
    destinationNumber: extension,
    otherLegUniqueId: null,
    variables: { dialed_user: extension, cc360_call_id: callId, cc360_direction: 'outgoing', cc360_agent: extension, cc360_client: number, origination_uuid: callId },
    headers: { variable_originator: undefined, variable_other_loopback_leg_uuid: undefined, 'Channel-Presence-ID': `${extension}@pbx.example.com` },
  };
  const client = { ...gatewayLeg(clientLegId, number, callId, extension), variables: { originator: callId, cc360_call_id: callId } };
  const clearing = { 'Hangup-Cause': 'NORMAL_CLEARING' };
  script.event('CHANNEL_CREATE', agent).event('CHANNEL_ORIGINATE', agent).event('CHANNEL_PROGRESS', agent);
  script.wait(2).event('CHANNEL_ANSWER', agent);
  script.event('CHANNEL_CREATE', client).event('CHANNEL_PROGRESS', client);
  script.wait(3).event('CHANNEL_ANSWER', client);
  script.event('CHANNEL_BRIDGE', agent, { 'Bridge-A-Unique-ID': callId, 'Bridge-B-Unique-ID': client.uniqueId });
  script.wait(talkSeconds);
  script.event('CHANNEL_HANGUP', client, clearing).event('CHANNEL_HANGUP', agent, clearing);
  script.event('CHANNEL_HANGUP_COMPLETE', client, { ...clearing, variable_billsec: String(talkSeconds) });
  script.event('CHANNEL_HANGUP_COMPLETE', agent, { ...clearing, variable_billsec: String(talkSeconds + 3) });
  return script.events;
}
