// The fault suite's call mix: seeded scenario picks built on the shared call scenarios, each with the
// CRM requests it must produce, per agent and in order (the README's "How calls map to CC360 requests").
import type { ReceivedNotification } from '../support/creatio-simulator';
import {
  answeredIncomingCall,
  blindTransferCall,
  clickToCallEvents,
  missedIncomingCall,
  outgoingCall,
  recordedIncomingCall,
  ringGroupCall,
} from '../support/freeswitch/call-scenarios';
import type { EventFields } from '../support/freeswitch/wire';

export type ScenarioName = 'answered' | 'missed' | 'ring-group' | 'outgoing' | 'click-to-call' | 'transfer' | 'recorded';

/** Relative weights of the mix. */
const MIX: ReadonlyArray<[ScenarioName, number]> = [
  ['answered', 25],
  ['missed', 15],
  ['ring-group', 15],
  ['outgoing', 15],
  ['click-to-call', 10],
  ['transfer', 10],
  ['recorded', 10],
];

export const WEBAPI_TOKEN = 'faults-webapi-token';
export const PUBLIC_BASE_URL = 'https://pbx.example.com';

/** One call as FreeSWITCH plays it, and what the CRM must get for it: agent → request labels in order. */
export interface ScriptedCall {
  readonly callId: string;
  readonly scenario: ScenarioName;
  readonly events: readonly EventFields[];
  readonly expected: ReadonlyMap<string, readonly string[]>;
}

/** A call's recipe: everything but the call id of a click-to-call, which the connector hands out. */
export interface CallPlan {
  readonly scenario: ScenarioName;
  /** The agent a click-to-call is placed for. */
  readonly extension: string;
  readonly clientNumber: string;
  build(callId?: string): ScriptedCall;
}

/** The label of a CRM request for comparisons: the step, the caller id, and for summaries their content. */
export function requestLabel(request: ReceivedNotification): string {
  if (request.method === 'RingingEventHandler') return `${request.eventName}:${request.callerid}`;
  return `summary:${request.event}:${request.duration}:${request.callerid}:files=${request.files?.length ?? 0}`;
}

/** The step of a label: ringing, answer, hangup or summary. */
export function stepOfLabel(label: string): string {
  return label.slice(0, label.indexOf(':'));
}

export class CallMix {
  private recordings = 0;

  constructor(
    private readonly random: () => number,
    /** Where recorded calls write their file: `record(path)` creates it (the connector publishes files under RECORDINGS_DIR). */
    private readonly recordingsDir: string,
    private readonly record: (path: string) => void,
  ) {}

  /** A seeded id shaped like FreeSWITCH's uuids, so a seed replays the same calls. */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.random() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  }

  next(): CallPlan {
    const scenario = this.pickScenario();
    const extension = this.extension();
    const number = `7999${String(Math.floor(this.random() * 1e7)).padStart(7, '0')}`;
    const talk = 1 + Math.floor(this.random() * 120);
    const build = this.builder(scenario, extension, number, talk);
    return { scenario, extension, clientNumber: number, build };
  }

  private builder(scenario: ScenarioName, ext: string, number: string, talk: number): (callId?: string) => ScriptedCall {
    const call = (callId: string, events: readonly EventFields[], expected: Array<[string, string[]]>): ScriptedCall => ({
      callId,
      scenario,
      events,
      expected: new Map(expected),
    });
    const answered = (seconds: number, files = 0) => [`ringing:${number}`, `answer:${number}`, `hangup:${number}`, `summary:incoming:${seconds}:${number}:files=${files}`];
    switch (scenario) {
      case 'answered': {
        const caller = this.uuid();
        return () => call(caller, answeredIncomingCall({ caller, agent: this.uuid() }, number, ext, talk), [[ext, answered(talk)]]);
      }
      case 'recorded': {
        const caller = this.uuid();
        const path = `${this.recordingsDir}/2026/11/29/${caller}-${this.recordings++}.mp3`;
        this.record(path);
        return () => call(caller, recordedIncomingCall({ caller, agent: this.uuid() }, number, ext, talk, path), [[ext, answered(talk, 1)]]);
      }
      case 'missed': {
        const caller = this.uuid();
        const reasons = ['ORIGINATOR_CANCEL', 'NO_ANSWER', 'CALL_REJECTED', 'USER_BUSY'] as const;
        const reason = reasons[Math.floor(this.random() * reasons.length)];
        const events = missedIncomingCall({ caller, agent: this.uuid() }, number, ext, reason);
        return () => call(caller, events, [[ext, [`ringing:${number}`, `hangup:${number}`, `summary:incoming:0:${number}:files=0`]]]);
      }
      case 'ring-group': {
        const caller = this.uuid();
        const members = this.distinctExtensions(2 + Math.floor(this.random() * 2)).map((extension) => ({ legId: this.uuid(), extension }));
        const winner = this.random() < 0.7 ? members[Math.floor(this.random() * members.length)].extension : undefined;
        const expected = members.map(({ extension }, i): [string, string[]] => {
          if (extension === winner) return [extension, [`ringing:${number}`, `answer:${number}`, `hangup:${number}`, `summary:incoming:12:${number}:files=0`]];
          const missedHistory = winner === undefined && i === 0 ? [`summary:incoming:0:${number}:files=0`] : [];
          return [extension, [`ringing:${number}`, `hangup:${number}`, ...missedHistory]];
        });
        return () => call(caller, ringGroupCall(caller, number, members, winner), expected);
      }
      case 'outgoing': {
        const phone = this.uuid();
        return () => call(phone, outgoingCall({ phone, gateway: this.uuid() }, ext, number, talk), [[ext, [`summary:outgoing:${talk}:${number}:files=0`]]]);
      }
      case 'click-to-call': {
        const client = this.uuid();
        return (callId = '') => call(callId, clickToCallEvents(callId, ext, number, talk, client), [[ext, [`summary:outgoing:${talk}:${number}:files=0`]]]);
      }
      case 'transfer': {
        const caller = this.uuid();
        const [first, second] = this.distinctExtensions(2);
        const events = blindTransferCall({ caller, first: this.uuid(), second: this.uuid() }, number, first, second);
        return () => call(caller, events, [[first, answered(20)], [second, answered(30)]]);
      }
    }
  }

  private pickScenario(): ScenarioName {
    const total = MIX.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.random() * total;
    for (const [name, weight] of MIX) {
      roll -= weight;
      if (roll < 0) return name;
    }
    return MIX[0][0];
  }

  private extension(): string {
    return String(100 + Math.floor(this.random() * 100));
  }

  private distinctExtensions(count: number): string[] {
    const picked = new Set<string>();
    while (picked.size < count) picked.add(this.extension());
    return [...picked];
  }
}
