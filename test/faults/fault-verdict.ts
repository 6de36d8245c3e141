// Judges what the CRM received against the calls played: lost, out of order, duplicated, unexpected
// requests, and how long the pipeline took to recover after the fault ended.
import type { SimulatorRequest } from '../support/creatio-simulator';
import { toNotification } from '../support/creatio/received';
import type { PlayedCall } from './call-load';
import { requestLabel, stepOfLabel } from './scripted-calls';

/** A stretch of time in which FreeSWITCH's events may not have reached a connector. */
export interface BlindWindow {
  from: number;
  to: number;
}

export interface FaultVerdict {
  calls: number;
  /** Calls whose every event reached a connector: their requests are checked exactly. */
  exactCalls: number;
  /** Calls with events no connector got: checked for being closed out consistently. */
  closedOutCalls: number;
  /** Requests the exact calls must produce, and those the CRM accepted for them. */
  expected: number;
  received: number;
  /** Requests the CRM accepted for the closed-out calls. */
  closedOutReceived: number;
  lost: number;
  outOfOrder: number;
  duplicates: number;
  /** Requests for ids no call had, or for agents not in their call. */
  unexpected: number;
  /** Fault end → first request the CRM accepted. */
  firstDeliveryS: number | undefined;
  /** Fault end → first request of a call started after the fault ended. */
  newCallS: number | undefined;
  /** Fault end → the last request of the calls that ended before it arrived. */
  drainedS: number | undefined;
  problems: string[];
}

/** The canonical order of one agent's steps in one call. */
const STEP_ORDER = ['ringing', 'answer', 'hangup', 'summary'];

export function judge(played: readonly PlayedCall[], accepted: readonly SimulatorRequest[], blind: readonly BlindWindow[], faultEnd: number): FaultVerdict {
  const verdict: FaultVerdict = {
    calls: played.length, exactCalls: 0, closedOutCalls: 0, expected: 0, received: 0, closedOutReceived: 0,
    lost: 0, outOfOrder: 0, duplicates: 0, unexpected: 0,
    firstDeliveryS: undefined, newCallS: undefined, drainedS: undefined, problems: [],
  };
  const byCall = new Map<string, Array<{ user: string; label: string; at: number }>>();
  for (const request of accepted) {
    const notification = toNotification(request);
    const list = byCall.get(notification.id) ?? [];
    list.push({ user: notification.user, label: requestLabel(notification), at: request.receivedAt });
    byCall.set(notification.id, list);
  }
  const problem = (text: string) => verdict.problems.length < 20 && verdict.problems.push(text);
  const known = new Set(played.map(({ call }) => call.callId));
  for (const [id, list] of byCall) {
    if (!known.has(id)) {
      verdict.unexpected += list.length;
      problem(`${list.length} request(s) for unknown call ${id}: ${list.map((r) => `${r.user}:${r.label}`).join(', ')}`);
    }
  }
  let drainedAt: number | undefined;
  for (const entry of played) {
    const { call } = entry;
    const received = byCall.get(call.callId) ?? [];
    const exact = !entry.aborted && entry.emitted.every(({ at, live }) => live && !blind.some((w) => at >= w.from && at <= w.to));
    if (exact) {
      verdict.exactCalls++;
      verdict.received += received.length;
    } else {
      verdict.closedOutCalls++;
      verdict.closedOutReceived += received.length;
    }
    for (const { user } of received) {
      if (!call.expected.has(user)) {
        verdict.unexpected++;
        problem(`${call.scenario} ${call.callId}: request for agent ${user}, who was not in the call`);
      }
    }
    for (const [user, expected] of call.expected) {
      const got = received.filter((r) => r.user === user);
      const tag = `${call.scenario} ${call.callId} agent ${user}`;
      const firsts = got.filter((r, i) => got.findIndex((o) => o.label === r.label) === i);
      verdict.duplicates += got.length - firsts.length;
      if (exact) {
        verdict.expected += expected.length;
        const missing = expected.filter((label) => !firsts.some((r) => r.label === label));
        verdict.lost += missing.length;
        if (missing.length > 0) problem(`${tag}: lost ${missing.join(', ')} (got ${got.map((r) => r.label).join(', ') || 'nothing'})`);
        const extra = firsts.filter((r) => !expected.includes(r.label));
        verdict.unexpected += extra.length;
        if (extra.length > 0) problem(`${tag}: unexpected ${extra.map((r) => r.label).join(', ')}`);
        const order = firsts.filter((r) => expected.includes(r.label)).map((r) => r.label);
        if (order.join('|') !== expected.filter((label) => order.includes(label)).join('|')) {
          verdict.outOfOrder++;
          problem(`${tag}: out of order ${order.join(', ')} (expected ${expected.join(', ')})`);
        }
      } else {
        const steps = firsts.map((r) => stepOfLabel(r.label));
        const ranks = steps.map((step) => STEP_ORDER.indexOf(step));
        if (ranks.some((rank, i) => rank < 0 || (i > 0 && rank <= ranks[i - 1]))) {
          verdict.outOfOrder++;
          problem(`${tag} (closed out): steps out of order ${steps.join(', ')}`);
        }
        // Closed out with what was known: no popup left ringing, no answered call without its history.
        const dangling = (steps.includes('ringing') && !steps.includes('hangup') ? 1 : 0) + (steps.includes('answer') && !steps.includes('summary') ? 1 : 0);
        verdict.lost += dangling;
        if (dangling > 0) problem(`${tag} (closed out): left open with ${steps.join(', ')}; events (! = no connector subscribed, * = near the fault): ${eventTrace(entry, blind)}`);
      }
    }
    if (entry.endedAt !== undefined && entry.endedAt <= faultEnd) {
      const times = exact ? [...call.expected.values()].flat().map((label) => received.find((r) => r.label === label)?.at ?? 0) : received.map((r) => r.at);
      for (const at of times) drainedAt = Math.max(drainedAt ?? faultEnd, at);
    }
    if (entry.startedAt >= faultEnd && received.length > 0) {
      const first = Math.min(...received.map((r) => r.at));
      verdict.newCallS = Math.min(verdict.newCallS ?? Infinity, (first - faultEnd) / 1_000);
    }
  }
  const after = accepted.filter((request) => request.receivedAt >= faultEnd).map((request) => request.receivedAt);
  verdict.firstDeliveryS = after.length > 0 ? (Math.min(...after) - faultEnd) / 1_000 : undefined;
  verdict.drainedS = drainedAt === undefined ? undefined : (drainedAt - faultEnd) / 1_000;
  return verdict;
}

/** The call's events as `NAME@leg`, marked where no connector got them or may have: what a failure report needs. */
function eventTrace(entry: PlayedCall, blind: readonly BlindWindow[]): string {
  return entry.call.events
    .map((event, i) => {
      const sent = entry.emitted[i];
      const mark = !sent || !sent.live ? '!' : blind.some((w) => sent.at >= w.from && sent.at <= w.to) ? '*' : '';
      const leg = typeof event.variable_dialed_user === 'string' ? event.variable_dialed_user : 'caller';
      return `${mark}${String(event['Event-Name']).replace('CHANNEL_', '')}@${leg}`;
    })
    .join(' ');
}
