// Answered calls played on the FreeSWITCH simulator at a steady rate: each call rings at once, is answered
// 0.5 s later and hangs up 1.5 s after it started. Calls are built as their time comes, so a long run
// (a 10-minute outage) holds only the calls in progress in memory.
import { randomUUID } from 'node:crypto';
import type { FreeswitchSimulator } from '../test/support/freeswitch-simulator';
import { answeredIncomingCall } from '../test/support/freeswitch/call-scenarios';
import type { EventFields } from '../test/support/freeswitch/wire';
import { now, sleep } from './bench-kit';

/** The agent leg's event that makes each CRM request, and the step the CRM sees. */
const TRIGGER: Record<string, string> = {
  CHANNEL_CREATE: 'ringing',
  CHANNEL_ANSWER: 'answer',
  CHANNEL_HANGUP: 'hangup',
  CHANNEL_HANGUP_COMPLETE: 'summary',
};
const OFFSETS_MS = [0, 500, 1_500];

/** A CRM request the load expects, at the moment its ESL event is written. */
export interface ExpectedRequest {
  callId: string;
  step: string;
  user: string;
  emittedAt: number;
}

export interface CallLoadOptions {
  rate: number;
  /** Calls stop starting after this long (Infinity: until `signal` aborts). */
  seconds: number;
  signal?: AbortSignal;
  onExpected(request: ExpectedRequest): void;
}

export interface CallLoadResult {
  calls: number;
  /** Latest an event was written compared with its schedule: a loaded bench process shows here. */
  maxLagMs: number;
}

interface Timed {
  at: number;
  event: EventFields;
  /** Set on the agent leg's events that make a CRM request. */
  trigger?: { callId: string; step: string; user: string };
}

function offsetClass(name: string): number {
  if (/ANSWER|BRIDGE/.test(name) && name !== 'CHANNEL_UNBRIDGE') return 1;
  return /HANGUP|UNBRIDGE/.test(name) ? 2 : 0;
}

function buildCall(index: number, start: number, classes: Timed[][]): void {
  const caller = randomUUID();
  const agent = randomUUID();
  const user = String(100 + (index % 900));
  for (const event of answeredIncomingCall({ caller, agent }, '79991234567', user, 1)) {
    const name = String(event['Event-Name']);
    const klass = offsetClass(name);
    const step = event['Unique-ID'] === agent ? TRIGGER[name] : undefined;
    // The CRM knows the call by the caller's leg (the call id) and the agent by extension.
    classes[klass].push({ at: start + OFFSETS_MS[klass], event, trigger: step ? { callId: caller, step, user } : undefined });
  }
}

/** The earliest due event among the three offset classes (each class is in time order already). */
function nextDue(classes: Timed[][], heads: number[], elapsed: number): number {
  let best = -1;
  for (let k = 0; k < classes.length; k++) {
    const item = classes[k][heads[k]];
    if (item && item.at <= elapsed && (best === -1 || item.at < classes[best][heads[best]].at)) best = k;
  }
  return best;
}

export async function runCallLoad(freeswitch: FreeswitchSimulator, options: CallLoadOptions): Promise<CallLoadResult> {
  const total = Number.isFinite(options.seconds) ? Math.round(options.rate * options.seconds) : Infinity;
  const classes: Timed[][] = [[], [], []];
  const heads = [0, 0, 0];
  let calls = 0;
  let maxLagMs = 0;
  const started = now();
  const pending = () => classes.some((items, k) => heads[k] < items.length);
  while ((calls < total && !options.signal?.aborted) || pending()) {
    const elapsed = now() - started;
    while (calls < total && !options.signal?.aborted && (calls * 1000) / options.rate <= elapsed) {
      buildCall(calls, (calls * 1000) / options.rate, classes);
      calls++;
    }
    for (let k = nextDue(classes, heads, elapsed); k !== -1; k = nextDue(classes, heads, elapsed)) {
      const { at, event, trigger } = classes[k][heads[k]++];
      const emittedAt = now();
      maxLagMs = Math.max(maxLagMs, emittedAt - started - at);
      if (trigger) options.onExpected({ ...trigger, emittedAt });
      freeswitch.emit(event);
    }
    // Forget what was sent, now and then, so memory stays flat.
    classes.forEach((items, k) => {
      if (heads[k] > 1_000) {
        items.splice(0, heads[k]);
        heads[k] = 0;
      }
    });
    await sleep(1);
  }
  return { calls, maxLagMs };
}
