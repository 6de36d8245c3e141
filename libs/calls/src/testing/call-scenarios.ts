// Whole calls as FreeSWITCH reports them, one function per scenario of the call model, in FreeSWITCH's
// event order. Leg ids are `<tag>-caller`, `<tag>-<extension>`... so a test can tell them apart.
import type { ChannelEvent } from '../channel-event';
import { agentLeg, CallScript, callerLeg, gatewayLeg, phoneLeg, type Leg } from './freeswitch-events';

export interface IncomingOptions {
  /** The dialplan exports cc360_call_id on the caller's leg (after its CHANNEL_CREATE, as a dialplan does). */
  readonly exportedCallId?: string;
  /** Which leg is recorded, from the answer (RECORD_STOP comes after that leg's CHANNEL_HANGUP). */
  readonly recorded?: 'agent' | 'caller';
  /** The agent hangs up first (the caller's leg, and its recording, end after the agent's leg is gone). */
  readonly agentHangsUpFirst?: boolean;
}

function incomingCaller(script: CallScript, tag: string, callerNumber: string, exportedCallId?: string): Leg {
  const caller = callerLeg(script, `${tag}-caller`, callerNumber);
  script.create(caller);
  if (exportedCallId) caller.variables.cc360_call_id = exportedCallId;
  return caller;
}

/** Scenario 1: an external caller, agent answers after 4 s, talks `talkSec`, the caller (or the agent) hangs up. */
export function answeredIncomingCall(tag: string, callerNumber: string, extension: string, talkSec: number, options: IncomingOptions = {}): ChannelEvent[] {
  const script = new CallScript();
  const caller = incomingCaller(script, tag, callerNumber, options.exportedCallId);
  const agent = agentLeg(script, `${tag}-${extension}`, extension, callerNumber, caller);
  const recorded = options.recorded === 'caller' ? caller : options.recorded === 'agent' ? agent : undefined;
  const recording = `/var/lib/freeswitch/recordings/${tag}-${options.recorded === 'caller' ? 'caller' : extension}.wav`;
  script.wait(1).create(agent).progress(agent).wait(4).answer(agent).answer(caller).bridge(caller, agent);
  if (recorded) script.recordStart(recorded, recording);
  script.wait(talkSec);
  // A recorded leg's RECORD_STOP comes right after its CHANNEL_HANGUP, before its CHANNEL_HANGUP_COMPLETE.
  const hangUp = (leg: Leg): CallScript => {
    script.hangup(leg);
    return leg === recorded ? script.recordStop(leg, recording) : script;
  };
  if (options.agentHangsUpFirst) {
    // The agent's leg is gone before the caller's leg (hangup_after_bridge) and its recording end.
    hangUp(agent).unbridge(caller, agent).hangupComplete(agent);
    return hangUp(caller).hangupComplete(caller).events;
  }
  hangUp(caller).unbridge(caller, agent);
  return hangUp(agent).hangupComplete(agent).hangupComplete(caller).events;
}

export type MissedCause = 'ORIGINATOR_CANCEL' | 'NO_ANSWER' | 'CALL_REJECTED' | 'USER_BUSY';

/** Scenario 2: the agent's phone rings and nobody picks up, for the given reason. */
export function missedIncomingCall(tag: string, callerNumber: string, extension: string, cause: MissedCause): ChannelEvent[] {
  const script = new CallScript();
  const caller = incomingCaller(script, tag, callerNumber);
  const agent = agentLeg(script, `${tag}-${extension}`, extension, callerNumber, caller);
  script.wait(1).create(agent).progress(agent).wait(cause === 'NO_ANSWER' ? 30 : 8);
  if (cause === 'ORIGINATOR_CANCEL') {
    script.hangup(caller).hangupComplete(agent, 'ORIGINATOR_CANCEL').hangupComplete(caller);
  } else {
    // Ring timeout: the agent's leg ends NO_ANSWER while the caller's may end NORMAL_CLEARING.
    script.hangupComplete(agent, cause).wait(1).hangupComplete(caller, cause === 'NO_ANSWER' ? 'NORMAL_CLEARING' : cause);
  }
  return script.events;
}

/** Scenario 3: `bridge user/101,user/102,...`; the winner (if any) answers after 5 s and talks 12 s. */
export function ringGroupCall(tag: string, callerNumber: string, extensions: readonly string[], winner?: string): ChannelEvent[] {
  const script = new CallScript();
  const caller = incomingCaller(script, tag, callerNumber);
  const agents = extensions.map((extension) => agentLeg(script, `${tag}-${extension}`, extension, callerNumber, caller));
  script.wait(1);
  for (const agent of agents) script.create(agent);
  for (const agent of agents) script.progress(agent);
  script.wait(5);
  const answering = agents.find((agent) => agent.destinationNumber === winner);
  if (!answering) {
    script.wait(25);
    for (const agent of agents) script.hangupComplete(agent, 'NO_ANSWER');
    return script.hangupComplete(caller).events;
  }
  script.answer(answering);
  for (const agent of agents) if (agent !== answering) script.hangup(agent, 'LOSE_RACE');
  script.answer(caller).bridge(caller, answering);
  for (const agent of agents) if (agent !== answering) script.hangupComplete(agent, 'LOSE_RACE');
  script.wait(12).hangup(caller).unbridge(caller, answering).hangup(answering);
  return script.hangupComplete(answering).hangupComplete(caller).events;
}

/** Scenario 4: the agent's phone dials an external number, which answers after 5 s. */
export function outgoingCall(tag: string, extension: string, number: string, talkSec: number): ChannelEvent[] {
  const script = new CallScript();
  const phone = phoneLeg(script, `${tag}-${extension}`, extension, number);
  script.create(phone);
  const gateway = gatewayLeg(script, `${tag}-gw`, number, phone, '74951234567');
  script.create(gateway).progress(gateway).wait(5).answer(gateway).answer(phone).bridge(phone, gateway).wait(talkSec);
  return script.hangup(phone).unbridge(phone, gateway).hangup(gateway).hangupComplete(phone).hangupComplete(gateway).events;
}

/** Scenario 5: agent `from` dials agent `to`, who answers after 3 s; the caller hangs up. */
export function internalCall(tag: string, from: string, to: string, talkSec: number): ChannelEvent[] {
  const script = new CallScript();
  const phone = phoneLeg(script, `${tag}-${from}`, from, to);
  script.create(phone);
  // Once it dials user/<to>, the calling phone's inbound leg carries the callee in variable_dialed_user
  // (cgrates capture).
  phone.variables.dialed_user = to;
  const callee = agentLeg(script, `${tag}-${to}`, to, from, phone);
  script.create(callee).progress(callee).wait(3).answer(callee).answer(phone).bridge(phone, callee).wait(talkSec);
  return script.hangup(phone).unbridge(phone, callee).hangup(callee).hangupComplete(phone).hangupComplete(callee).events;
}

/** Scenario 6a: 101 answers, talks 20 s, blind-transfers (SIP REFER) to 102, who talks 30 s. */
export function blindTransferCall(tag: string, callerNumber: string, first: string, second: string, options: IncomingOptions = {}): ChannelEvent[] {
  const script = new CallScript();
  const caller = incomingCaller(script, tag, callerNumber, options.exportedCallId);
  const a = agentLeg(script, `${tag}-${first}`, first, callerNumber, caller);
  const recording = `/var/lib/freeswitch/recordings/${tag}-caller.wav`;
  script.wait(1).create(a).progress(a).wait(3).answer(a).answer(caller).bridge(caller, a);
  // Recorded on the caller's leg: one file for the whole call, through both agents.
  if (options.recorded === 'caller') script.recordStart(caller, recording);
  script.wait(20);
  a.variables.endpoint_disposition = 'BLIND_TRANSFER';
  script.hangup(a).unbridge(caller, a).hangupComplete(a);
  // The caller's leg is bridged to a new leg for the second agent, originated from the caller's leg.
  const b = agentLeg(script, `${tag}-${second}`, second, callerNumber, caller);
  script.create(b).progress(b).wait(4).answer(b).bridge(caller, b).wait(30);
  script.hangup(caller);
  if (options.recorded === 'caller') script.recordStop(caller, recording);
  return script.unbridge(caller, b).hangup(b).hangupComplete(b).hangupComplete(caller).events;
}

/**
 * Scenario 6b: attended transfer by att_xfer: 101 answers, talks 20 s, consults 102 on a leg originated
 * from 101's leg (its caller id is 101's, swapped at answer), hangs up; the caller is bridged to 102.
 */
export function attendedTransferCall(tag: string, callerNumber: string, first: string, second: string, options: IncomingOptions = {}): ChannelEvent[] {
  const script = new CallScript();
  const caller = incomingCaller(script, tag, callerNumber, options.exportedCallId);
  const a = agentLeg(script, `${tag}-${first}`, first, callerNumber, caller);
  script.wait(1).create(a).progress(a).wait(3).answer(a, first).answer(caller).bridge(caller, a).wait(20);
  const b = agentLeg(script, `${tag}-${second}`, second, a.callerIdNumber, a, a.variables.cc360_call_id ? { cc360_call_id: a.variables.cc360_call_id } : {});
  script.create(b).progress(b).wait(2).answer(b).bridge(a, b).wait(10);
  script.hangup(a).unbridge(a, b).hangupComplete(a).bridge(caller, b).wait(30);
  return script.hangup(caller).unbridge(caller, b).hangup(b).hangupComplete(b).hangupComplete(caller).events;
}

/**
 * Scenario 7: mod_callcenter. The queue answers the caller; the agent's leg is originated on its own (no
 * originator, no Other-Leg until the bridge), linked only by cc_member_session_uuid; uuid_bridge joins them.
 */
export function callCenterCall(tag: string, callerNumber: string, extension: string, answers: boolean): ChannelEvent[] {
  const script = new CallScript();
  const caller = incomingCaller(script, tag, callerNumber);
  script.answer(caller).wait(5);
  const agent = agentLeg(script, `${tag}-${extension}`, extension, callerNumber, undefined, {
    cc_member_session_uuid: caller.uniqueId,
    cc_member_uuid: `${tag}-member`,
    cc_queue: 'support@default',
    cc_agent: `${extension}@default`,
  });
  script.create(agent).progress(agent);
  if (!answers) {
    return script.wait(20).hangupComplete(agent, 'NO_ANSWER').wait(10).hangup(caller).hangupComplete(caller).events;
  }
  script.wait(2).answer(agent).bridge(caller, agent).wait(40);
  return script.hangup(caller).unbridge(caller, agent).hangup(agent).hangupComplete(agent).hangupComplete(caller).events;
}

/**
 * Scenario 8: our makecall. `originate {cc360_*}user/101 &bridge({cc360_*}sofia/gateway/carrier/<client>)`:
 * the agent's phone rings first (caller id 0000000000), answers, then the client is dialled and answers.
 * `client` may be another agent's extension: then the second leg is `user/<client>`.
 */
export function clickToCall(tag: string, extension: string, client: string, talkSec: number, clientIsAgent = false): ChannelEvent[] {
  const script = new CallScript();
  const marks = { cc360_call_id: `${tag}-call`, cc360_direction: 'outgoing', cc360_agent: extension, cc360_client: client };
  const agent = agentLeg(script, `${tag}-${extension}`, extension, '0000000000', undefined, { ...marks, sip_from_user: '0000000000' });
  script.create(agent).progress(agent).wait(3).answer(agent, '0000000000');
  const far = clientIsAgent
    ? agentLeg(script, `${tag}-${client}`, client, extension, agent, marks)
    : gatewayLeg(script, `${tag}-gw`, client, agent, '74951234567', marks);
  script.create(far).progress(far).wait(4).answer(far).bridge(agent, far).wait(talkSec);
  return script.hangup(far).unbridge(agent, far).hangup(agent).hangupComplete(agent).hangupComplete(far).events;
}
