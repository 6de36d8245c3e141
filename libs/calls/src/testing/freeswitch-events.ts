// Builds FreeSWITCH channel events for tests from real ones: each template in ./templates is an event of
// the FreeSWITCH 1.11.1 JSON captures (click2call.json.esl seq 744..804, recorded_call.json.esl RECORD_STOP)
// with its variables removed; the builder replaces every header that names a leg, a party or a time with
// the values of a SIP phone call shaped like the public captures (libresbc A/B legs, cgrates 1001 -> 1002).
import type { ChannelEvent } from '../channel-event';
import CHANNEL_ANSWER from './templates/CHANNEL_ANSWER.json';
import CHANNEL_BRIDGE from './templates/CHANNEL_BRIDGE.json';
import CHANNEL_CREATE from './templates/CHANNEL_CREATE.json';
import CHANNEL_HANGUP from './templates/CHANNEL_HANGUP.json';
import CHANNEL_HANGUP_COMPLETE from './templates/CHANNEL_HANGUP_COMPLETE.json';
import CHANNEL_ORIGINATE from './templates/CHANNEL_ORIGINATE.json';
import CHANNEL_PROGRESS from './templates/CHANNEL_PROGRESS.json';
import CHANNEL_UNBRIDGE from './templates/CHANNEL_UNBRIDGE.json';
import RECORD_START from './templates/RECORD_START.json';
import RECORD_STOP from './templates/RECORD_STOP.json';

const TEMPLATES: Record<string, Readonly<Record<string, string>>> = {
  CHANNEL_CREATE,
  CHANNEL_ORIGINATE,
  CHANNEL_PROGRESS,
  CHANNEL_ANSWER,
  CHANNEL_BRIDGE,
  CHANNEL_UNBRIDGE,
  CHANNEL_HANGUP,
  CHANNEL_HANGUP_COMPLETE,
  RECORD_START,
  RECORD_STOP,
};

/** Headers of the templates that belong to the captured call, not to the one being built. */
const LEG_HEADERS = /^(Other-|Bridge-|Caller-|Hangup-Cause|Record-|Channel-Presence-ID|Presence-Call-Direction|Unique-ID|Channel-Name|Call-Direction|Channel-Call-UUID|Answer-State|Event-Sequence|Event-Date-Timestamp|Core-UUID)/;

export const CORE_UUID = '6b0a4f7e-2f4c-4c2b-9a53-0f1f1c0de001';
export const DOMAIN = 'pbx.example.com';

/** One channel (leg) of a call, as FreeSWITCH describes it; the script moves it through its life. */
export interface Leg {
  readonly uniqueId: string;
  readonly direction: 'inbound' | 'outbound';
  readonly channelName: string;
  readonly presenceId?: string;
  readonly context: string;
  readonly username: string;
  callerIdNumber: string;
  readonly origCallerIdNumber: string;
  readonly destinationNumber: string;
  readonly variables: Record<string, string>;
  other?: { readonly type: 'originator' | 'originatee'; readonly leg: Leg };
  readonly createdMicros: number;
  answeredMicros?: number;
  bridgedMicros?: number;
  hangupMicros?: number;
  hangupCause?: string;
}

export type LegSpec = Omit<Leg, 'createdMicros' | 'variables' | 'origCallerIdNumber'> & { variables?: Record<string, string> };

/** The events of one call in FreeSWITCH's order, with Event-Sequence and Event-Date-Timestamp as a real stream. */
export class CallScript {
  readonly events: ChannelEvent[] = [];
  private clockMicros: number;
  private sequence: number;

  constructor(startMicros = 1_795_874_898_000_000, firstSequence = 700) {
    this.clockMicros = startMicros;
    this.sequence = firstSequence;
  }

  wait(seconds: number): this {
    this.clockMicros += Math.round(seconds * 1e6);
    return this;
  }

  leg(spec: LegSpec): Leg {
    this.clockMicros += 100; // legs of one dial string are created one after the other
    return { ...spec, variables: { ...spec.variables }, origCallerIdNumber: spec.callerIdNumber, createdMicros: this.clockMicros };
  }

  create(leg: Leg): this {
    this.emit('CHANNEL_CREATE', leg);
    return leg.direction === 'outbound' ? this.emit('CHANNEL_ORIGINATE', leg) : this;
  }

  progress(leg: Leg): this {
    return this.emit('CHANNEL_PROGRESS', leg);
  }

  /** An originated leg that answers gets the callee's number as its caller id (FreeSWITCH's swap). */
  answer(leg: Leg, calleeNumber?: string): this {
    leg.answeredMicros = this.clockMicros;
    if (leg.direction === 'outbound') leg.callerIdNumber = calleeNumber ?? leg.destinationNumber;
    return this.emit('CHANNEL_ANSWER', leg);
  }

  /** Fired once, on the A leg. */
  bridge(a: Leg, b: Leg): this {
    a.bridgedMicros = this.clockMicros;
    b.bridgedMicros = this.clockMicros;
    a.other ??= { type: 'originatee', leg: b };
    b.other ??= { type: 'originatee', leg: a };
    // An originated leg's bridge_uuid names its A leg; the phone's own inbound leg names the leg it called.
    a.variables.bridge_uuid = b.uniqueId;
    b.variables.bridge_uuid = a.uniqueId;
    return this.emit('CHANNEL_BRIDGE', a, { 'Bridge-A-Unique-ID': a.uniqueId, 'Bridge-B-Unique-ID': b.uniqueId });
  }

  unbridge(a: Leg, b: Leg): this {
    return this.emit('CHANNEL_UNBRIDGE', a, { 'Bridge-A-Unique-ID': a.uniqueId, 'Bridge-B-Unique-ID': b.uniqueId });
  }

  hangup(leg: Leg, cause = 'NORMAL_CLEARING'): this {
    leg.hangupMicros = this.clockMicros;
    leg.hangupCause = cause;
    leg.variables.hangup_cause = cause;
    return this.emit('CHANNEL_HANGUP', leg);
  }

  recordStart(leg: Leg, path: string): this {
    return this.emit('RECORD_START', leg, { 'Record-File-Path': path, variable_record_file_path: path });
  }

  recordStop(leg: Leg, path: string): this {
    return this.emit('RECORD_STOP', leg, { 'Record-File-Path': path, 'Record-Completion-Cause': 'success-maxtime', variable_record_file_path: path });
  }

  /** CHANNEL_HANGUP then CHANNEL_HANGUP_COMPLETE with the CDR variables (billsec is answer to hangup). */
  hangupComplete(leg: Leg, cause = 'NORMAL_CLEARING'): this {
    if (leg.hangupMicros === undefined) this.hangup(leg, cause);
    const end = leg.hangupMicros ?? this.clockMicros;
    const seconds = (from: number | undefined) => (from === undefined ? 0 : Math.floor((end - from) / 1e6));
    const cdr: Record<string, string> = {
      variable_start_uepoch: String(leg.createdMicros),
      variable_answer_uepoch: String(leg.answeredMicros ?? 0),
      variable_bridge_uepoch: String(leg.bridgedMicros ?? 0),
      variable_end_uepoch: String(end),
      variable_duration: String(seconds(leg.createdMicros)),
      variable_billsec: String(seconds(leg.answeredMicros)),
      variable_answersec: String(leg.answeredMicros === undefined ? 0 : Math.floor((leg.answeredMicros - leg.createdMicros) / 1e6)),
      variable_endpoint_disposition: leg.answeredMicros === undefined ? 'EARLY MEDIA' : 'ANSWER',
    };
    return this.emit('CHANNEL_HANGUP_COMPLETE', leg, cdr);
  }

  private emit(name: string, leg: Leg, extra: Record<string, string> = {}): this {
    const template = TEMPLATES[name];
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(template)) if (!LEG_HEADERS.test(key)) headers[key] = value;
    Object.assign(headers, this.eventHeaders(name), legHeaders(leg), extra);
    this.events.push({ name, headers });
    return this;
  }

  private eventHeaders(name: string): Record<string, string> {
    this.sequence += 1;
    this.clockMicros += 1000; // FreeSWITCH's events of one moment are still a few hundred µs apart
    return { 'Event-Name': name, 'Core-UUID': CORE_UUID, 'Event-Date-Timestamp': String(this.clockMicros), 'Event-Sequence': String(this.sequence) };
  }
}

function legHeaders(leg: Leg): Record<string, string> {
  const answerState = leg.hangupMicros !== undefined ? 'hangup' : leg.answeredMicros !== undefined ? 'answered' : 'ringing';
  const headers: Record<string, string> = {
    'Unique-ID': leg.uniqueId,
    'Channel-Name': leg.channelName,
    'Call-Direction': leg.direction,
    'Presence-Call-Direction': leg.direction,
    // Not the call: FreeSWITCH resets it at originate, bridge and transfer (see the Traps in esl-notes).
    // An originated leg starts with its originator's; an answered leg reports its own again at hangup.
    'Channel-Call-UUID': leg.hangupMicros === undefined && leg.other ? leg.other.leg.uniqueId : leg.uniqueId,
    'Answer-State': answerState,
    'Caller-Direction': leg.direction,
    'Caller-Username': leg.username,
    'Caller-Caller-ID-Name': leg.callerIdNumber,
    'Caller-Caller-ID-Number': leg.callerIdNumber,
    'Caller-Orig-Caller-ID-Number': leg.origCallerIdNumber,
    'Caller-Destination-Number': leg.destinationNumber,
    'Caller-Unique-ID': leg.uniqueId,
    'Caller-Context': leg.context,
    'Caller-Channel-Name': leg.channelName,
    'Caller-Channel-Created-Time': String(leg.createdMicros),
    'Caller-Channel-Answered-Time': String(leg.answeredMicros ?? 0),
    'Caller-Channel-Bridged-Time': String(leg.bridgedMicros ?? 0),
    'Caller-Channel-Hangup-Time': String(leg.hangupMicros ?? 0),
    variable_direction: leg.direction,
    variable_uuid: leg.uniqueId,
    variable_call_uuid: leg.uniqueId,
  };
  if (leg.presenceId) headers['Channel-Presence-ID'] = leg.presenceId;
  if (leg.hangupCause) headers['Hangup-Cause'] = leg.hangupCause;
  if (leg.other) {
    const other = leg.other.leg;
    Object.assign(headers, {
      'Other-Type': leg.other.type,
      'Other-Leg-Direction': other.direction,
      'Other-Leg-Username': other.username,
      'Other-Leg-Caller-ID-Number': other.callerIdNumber,
      'Other-Leg-Destination-Number': other.destinationNumber,
      'Other-Leg-Unique-ID': other.uniqueId,
      'Other-Leg-Channel-Name': other.channelName,
    });
  }
  for (const [name, value] of Object.entries(leg.variables)) headers[`variable_${name}`] = value;
  return headers;
}

/** An external caller's leg: from the carrier into the PBX (libresbc A-leg shape). */
export function callerLeg(script: CallScript, uniqueId: string, number: string, variables: Record<string, string> = {}): Leg {
  return script.leg({
    uniqueId,
    direction: 'inbound',
    channelName: `sofia/external/${number}@carrier.example.net`,
    context: 'public',
    username: number,
    callerIdNumber: number,
    destinationNumber: '74951234567',
    variables: { sip_from_user: number, sip_profile_name: 'external', ...variables },
  });
}

/**
 * FreeSWITCH's leg to an agent's phone (`bridge user/101`): outbound, variable_dialed_user, the caller's
 * number as caller id, and Other-Type originator naming the leg it was originated from, if any.
 */
export function agentLeg(script: CallScript, uniqueId: string, extension: string, callerNumber: string, originator?: Leg, variables: Record<string, string> = {}): Leg {
  return script.leg({
    uniqueId,
    direction: 'outbound',
    channelName: `sofia/internal/${extension}@192.0.2.${10 + Number(extension.slice(-1))}:5060`,
    presenceId: `${extension}@${DOMAIN}`,
    context: 'default',
    username: originator?.username ?? callerNumber,
    callerIdNumber: callerNumber,
    destinationNumber: extension,
    other: originator ? { type: 'originator', leg: originator } : undefined,
    variables: {
      dialed_user: extension,
      dialed_domain: DOMAIN,
      presence_id: `${extension}@${DOMAIN}`,
      // On the agent's leg sip_from_user is the caller, not the agent (esl-notes).
      sip_from_user: callerNumber,
      ...(originator ? { originator: originator.uniqueId } : {}),
      ...(originator?.variables.cc360_call_id ? { cc360_call_id: originator.variables.cc360_call_id } : {}),
      ...variables,
    },
  });
}

/** A registered phone's own leg when it dials (cgrates 1001 -> 1002 A-leg shape). */
export function phoneLeg(script: CallScript, uniqueId: string, extension: string, dialled: string): Leg {
  return script.leg({
    uniqueId,
    direction: 'inbound',
    channelName: `sofia/internal/${extension}@${DOMAIN}`,
    presenceId: `${extension}@${DOMAIN}`,
    context: 'default',
    username: extension,
    callerIdNumber: extension,
    destinationNumber: dialled,
    variables: { user_name: extension, domain_name: DOMAIN, presence_id: `${extension}@${DOMAIN}`, sip_from_user: extension },
  });
}

/** FreeSWITCH's leg to the carrier (libresbc B-leg shape). */
export function gatewayLeg(script: CallScript, uniqueId: string, number: string, originator: Leg, callerNumber: string, variables: Record<string, string> = {}): Leg {
  return script.leg({
    uniqueId,
    direction: 'outbound',
    channelName: `sofia/gateway/carrier/${number}`,
    context: 'default',
    username: callerNumber,
    callerIdNumber: callerNumber,
    destinationNumber: number,
    other: { type: 'originator', leg: originator },
    variables: { originator: originator.uniqueId, sip_gateway_name: 'carrier', ...variables },
  });
}
