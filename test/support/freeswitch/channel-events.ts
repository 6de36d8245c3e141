/*
 * Realistic FreeSWITCH events for tests. Each template in ./templates is one real event from the
 * FreeSWITCH 1.11.1 JSON captures, header set and order untouched:
 *   click2call.json.esl seq 744/745/755/762/782/804/805 (leg loopback/79991234567-a: Call-Direction outbound,
 *   Other-Type originator, like an agent leg of an incoming call), seq 770/785 (CHANNEL_BRIDGE/UNBRIDGE
 *   on the A leg), recorded_call.json.esl seq 956/979 (RECORD_START/STOP), HEARTBEAT, BACKGROUND_JOB.
 * The builders copy a template and overwrite only what varies between calls.
 */
import BACKGROUND_JOB from './templates/BACKGROUND_JOB.json';
import CHANNEL_ANSWER from './templates/CHANNEL_ANSWER.json';
import CHANNEL_BRIDGE from './templates/CHANNEL_BRIDGE.json';
import CHANNEL_CREATE from './templates/CHANNEL_CREATE.json';
import CHANNEL_DESTROY from './templates/CHANNEL_DESTROY.json';
import CHANNEL_HANGUP from './templates/CHANNEL_HANGUP.json';
import CHANNEL_HANGUP_COMPLETE from './templates/CHANNEL_HANGUP_COMPLETE.json';
import CHANNEL_ORIGINATE from './templates/CHANNEL_ORIGINATE.json';
import CHANNEL_PROGRESS from './templates/CHANNEL_PROGRESS.json';
import CHANNEL_UNBRIDGE from './templates/CHANNEL_UNBRIDGE.json';
import HEARTBEAT from './templates/HEARTBEAT.json';
import RECORD_START from './templates/RECORD_START.json';
import RECORD_STOP from './templates/RECORD_STOP.json';
import type { EventFields } from './wire';

const TEMPLATES = {
  CHANNEL_CREATE,
  CHANNEL_ORIGINATE,
  CHANNEL_PROGRESS,
  CHANNEL_ANSWER,
  CHANNEL_BRIDGE,
  CHANNEL_UNBRIDGE,
  CHANNEL_HANGUP,
  CHANNEL_HANGUP_COMPLETE,
  CHANNEL_DESTROY,
  RECORD_START,
  RECORD_STOP,
  HEARTBEAT,
  BACKGROUND_JOB,
} satisfies Record<string, EventFields>;

export type EventTemplateName = keyof typeof TEMPLATES;
export const EVENT_TEMPLATE_NAMES = Object.keys(TEMPLATES) as EventTemplateName[];

/** A header value to set, or undefined to remove the header. */
export type EventOverrides = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Copies a real event and applies `overrides` (undefined removes a header; new headers go last).
 * When `Unique-ID` / `Other-Leg-Unique-ID` are overridden, every occurrence of the template's ids in
 * any value (Channel-Call-UUID, variable_uuid, variable_originator, Bridge-*-Unique-ID...) follows.
 */
export function buildEvent(template: EventTemplateName, overrides: EventOverrides = {}): Record<string, string | readonly string[]> {
  const source: EventFields = TEMPLATES[template];
  const renames = new Map<string, string>();
  for (const idHeader of ['Unique-ID', 'Other-Leg-Unique-ID']) {
    const original = source[idHeader];
    const replacement = overrides[idHeader];
    if (typeof original === 'string' && typeof replacement === 'string') renames.set(original, replacement);
  }
  const event: Record<string, string | readonly string[]> = {};
  for (const [name, value] of Object.entries(source)) {
    event[name] = typeof value === 'string' ? renameIds(value, renames) : value.map((item) => renameIds(item, renames));
  }
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete event[name];
    else event[name] = value;
  }
  return event;
}

function renameIds(value: string, renames: ReadonlyMap<string, string>): string {
  let result = value;
  for (const [from, to] of renames) result = result.split(from).join(to);
  return result;
}

export type ChannelEventName = Exclude<EventTemplateName, 'HEARTBEAT' | 'BACKGROUND_JOB'>;

/** What varies between channel legs, in FreeSWITCH's words. */
export interface ChannelLeg {
  readonly uniqueId: string;
  readonly direction: 'inbound' | 'outbound';
  readonly channelName?: string;
  readonly callerIdNumber?: string;
  readonly callerIdName?: string;
  readonly destinationNumber?: string;
  /** The other leg; null removes Other-Type and every Other-Leg-* header (a leg with no partner). */
  readonly otherLegUniqueId?: string | null;
  /** Without the `variable_` prefix: { dialed_user: '101', cc360_call_id: '...' }. */
  readonly variables?: Readonly<Record<string, string>>;
  readonly hangupCause?: string;
  /** Any other header, applied last. */
  readonly headers?: EventOverrides;
}

export function buildChannelEvent(name: ChannelEventName, leg: ChannelLeg): Record<string, string | readonly string[]> {
  const overrides: Record<string, string | readonly string[] | undefined> = {
    'Unique-ID': leg.uniqueId,
    'Call-Direction': leg.direction,
    'Presence-Call-Direction': leg.direction,
    variable_direction: leg.direction,
  };
  if (leg.channelName !== undefined) overrides['Channel-Name'] = overrides.variable_channel_name = leg.channelName;
  if (leg.callerIdNumber !== undefined) overrides['Caller-Caller-ID-Number'] = leg.callerIdNumber;
  if (leg.callerIdName !== undefined) overrides['Caller-Caller-ID-Name'] = leg.callerIdName;
  if (leg.destinationNumber !== undefined) overrides['Caller-Destination-Number'] = leg.destinationNumber;
  if (leg.otherLegUniqueId) overrides['Other-Leg-Unique-ID'] = leg.otherLegUniqueId;
  if (leg.hangupCause !== undefined) overrides['Hangup-Cause'] = overrides.variable_hangup_cause = leg.hangupCause;
  for (const [variable, value] of Object.entries(leg.variables ?? {})) overrides[`variable_${variable}`] = value;
  const event = buildEvent(name, { ...overrides, ...leg.headers });
  if (leg.otherLegUniqueId === null) {
    for (const header of Object.keys(event)) {
      if (header === 'Other-Type' || header.startsWith('Other-Leg-')) delete event[header];
    }
  }
  return event;
}
