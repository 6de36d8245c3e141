// Invariants of the call model for any order and any duplication of a call's events: per agent leg
// ringing < answer < hangup < summary, nothing sent twice, every agent leg that rang gets its hangup,
// and every call that started is closed. Events are fed to one state, as the ingest's leg index does.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvent, closeOutCall, DEFAULT_CALL_MODEL_OPTIONS, notificationIdentity, type CallState, type ChannelEvent, type CrmNotification } from './index';
import {
  answeredIncomingCall,
  attendedTransferCall,
  blindTransferCall,
  callCenterCall,
  clickToCall,
  internalCall,
  missedIncomingCall,
  outgoingCall,
  ringGroupCall,
} from './testing/call-scenarios';

const scenarios: Record<string, () => ChannelEvent[]> = {
  answered: () => answeredIncomingCall('p', '79991234567', '101', 30, { recorded: 'caller' }),
  answeredAgentHangsUpFirst: () => answeredIncomingCall('p', '79991234567', '101', 30, { recorded: 'caller', agentHangsUpFirst: true }),
  missed: () => missedIncomingCall('p', '79991234567', '101', 'NO_ANSWER'),
  cancelled: () => missedIncomingCall('p', '79991234567', '101', 'ORIGINATOR_CANCEL'),
  ringGroup: () => ringGroupCall('p', '7999', ['101', '102', '103'], '102'),
  ringGroupMissed: () => ringGroupCall('p', '7999', ['101', '102']),
  outgoing: () => outgoingCall('p', '101', '79161234567', 10),
  internal: () => internalCall('p', '101', '102', 10),
  blindTransfer: () => blindTransferCall('p', '7999', '101', '102', { recorded: 'caller' }),
  attendedTransfer: () => attendedTransferCall('p', '7999', '101', '102', { exportedCallId: 'X' }),
  callCenter: () => callCenterCall('p', '7999', '104', true),
  callCenterMissed: () => callCenterCall('p', '7999', '104', false),
  clickToCall: () => clickToCall('p', '101', '79161234567', 10),
  clickToCallAgent: () => clickToCall('p', '101', '102', 10, true),
};
const scenarioName = fc.constantFrom(...Object.keys(scenarios));
const STEP_ORDER = ['ringing', 'answer', 'hangup', 'summary'];

function playAsOneCall(events: readonly ChannelEvent[], options = DEFAULT_CALL_MODEL_OPTIONS): { notifications: CrmNotification[]; state: CallState | undefined; closed: boolean } {
  let state: CallState | undefined;
  let closed = false;
  const notifications: CrmNotification[] = [];
  for (const event of events) {
    const update = applyEvent(state, event, options);
    ({ state, closed } = update);
    notifications.push(...update.notifications);
  }
  return { notifications, state, closed };
}

function stepOf(notification: CrmNotification): string {
  return notification.type === 'ringing' ? notification.eventName : 'summary';
}

function assertInvariants(notifications: readonly CrmNotification[]): void {
  const identities = notifications.map(notificationIdentity);
  expect(new Set(identities).size).toBe(identities.length);
  const byLeg = new Map<string, number[]>();
  for (const notification of notifications) byLeg.set(notification.legId, [...(byLeg.get(notification.legId) ?? []), STEP_ORDER.indexOf(stepOf(notification))]);
  for (const steps of byLeg.values()) expect(steps).toEqual([...steps].sort((a, b) => a - b));
  const rang = notifications.filter((n) => stepOf(n) === 'ringing').map((n) => n.legId);
  for (const legId of rang) expect(notifications.some((n) => n.legId === legId && stepOf(n) === 'hangup')).toBe(true);
}

/** Random order (no causality at all: the model must not rely on it) with random duplicates. */
const shuffledWithDuplicates = (events: readonly ChannelEvent[]) =>
  fc.tuple(fc.array(fc.nat(), { minLength: events.length, maxLength: events.length }), fc.array(fc.nat(), { maxLength: 10 })).map(([keys, duplicates]) => {
    const shuffled = events.map((event, index) => ({ event, key: keys[index] })).sort((a, b) => a.key - b.key).map((entry) => entry.event);
    for (const index of duplicates) shuffled.splice(index % (shuffled.length + 1), 0, shuffled[index % shuffled.length]);
    return shuffled;
  });

/** Each leg's events keep their order, the legs interleave at random (what several dispatch threads do). */
const perLegInterleaving = (events: readonly ChannelEvent[]) =>
  fc.array(fc.nat(), { minLength: events.length, maxLength: events.length }).map((picks) => {
    const queues = new Map<string, ChannelEvent[]>();
    for (const event of events) queues.set(event.headers['Unique-ID'], [...(queues.get(event.headers['Unique-ID']) ?? []), event]);
    const result: ChannelEvent[] = [];
    for (const pick of picks) {
      const open = [...queues.values()].filter((queue) => queue.length > 0);
      result.push(open[pick % open.length].shift() as ChannelEvent);
    }
    return result;
  });

describe('call model properties', () => {
  it('any order and duplication: per-leg order, nothing twice, every ringing hung up, closed at the end', () => {
    fc.assert(
      fc.property(
        scenarioName.chain((name) => fc.tuple(fc.constant(name), shuffledWithDuplicates(scenarios[name]()))),
        fc.boolean(),
        ([, events], notifyOutgoingStates) => {
          const { notifications, closed, state } = playAsOneCall(events, { ...DEFAULT_CALL_MODEL_OPTIONS, notifyOutgoingStates });
          assertInvariants(notifications);
          expect(closed).toBe(true);
          // No summary is still held for a recording when the call is over.
          expect(Object.values(state?.agentLegs ?? {}).filter((agent) => agent.summaryHeld)).toEqual([]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('FreeSWITCH order with re-delivered events anywhere: every recording is in a summary', () => {
    const withRepeats = (events: readonly ChannelEvent[]) =>
      fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 10 }).map((repeats) => {
        const played = [...events];
        // A repeat comes after the original (a re-delivery), anywhere later.
        for (const [which, delay] of repeats) {
          const original = events[which % events.length];
          // After the original's place in what is played so far (earlier repeats moved it down).
          const at = played.indexOf(original);
          played.splice(at + 1 + (delay % (played.length - at)), 0, original);
        }
        return played;
      });
    fc.assert(
      fc.property(scenarioName.chain((name) => withRepeats(scenarios[name]())), (events) => {
        const { notifications, closed } = playAsOneCall(events);
        expect(closed).toBe(true);
        const recorded = new Set(events.filter((e) => e.name === 'RECORD_STOP').map((e) => e.headers['Record-File-Path']));
        const linked = new Set(notifications.flatMap((n) => (n.type === 'summary' ? n.files : [])));
        expect([...recorded].filter((path) => !linked.has(path))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('per-leg order kept: each agent leg gets the same notifications as in FreeSWITCH order', () => {
    fc.assert(
      fc.property(scenarioName.chain((name) => fc.tuple(fc.constant(name), perLegInterleaving(scenarios[name]()))), ([name, events]) => {
        const expected = playAsOneCall(scenarios[name]()).notifications.map(notificationIdentity).sort();
        const { notifications } = playAsOneCall(events);
        assertInvariants(notifications);
        // Which notifications, not their order across legs: a missed call may go to another first leg.
        if (!name.includes('Missed')) expect(notifications.map(notificationIdentity).sort()).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('the same events twice change nothing the second time (re-delivery after a reconnect)', () => {
    fc.assert(
      fc.property(scenarioName, (name) => {
        const events = scenarios[name]();
        expect(playAsOneCall([...events, ...events]).notifications).toEqual(playAsOneCall(events).notifications);
      }),
    );
  });

  it('a call cut off at any point is closed out: every leg that rang gets its hangup, order holds, once', () => {
    fc.assert(
      fc.property(scenarioName, fc.nat(), fc.constantFrom('core-restart' as const, 'gone-after-reconnect' as const), (name, cut, reason) => {
        const events = scenarios[name]();
        const { notifications, state } = playAsOneCall(events.slice(0, 1 + (cut % events.length)));
        if (!state) throw new Error('a played event always yields a state');
        const closedOut = closeOutCall(state, reason);
        const all = [...notifications, ...closedOut.notifications];
        assertInvariants(all);
        expect(closedOut.closed).toBe(true);
        expect(closedOut.state.closedOut).toBe(reason);
        // Every agent leg is settled: its summary, or it lost a race, or the call's one missed call went
        // out, or another agent answered (a transfer target that did not pick up is no missed call).
        const legs = Object.values(closedOut.state.agentLegs);
        const someoneAnswered = legs.some((leg) => leg.role === 'incoming' && leg.answered);
        for (const agent of legs) expect(agent.summarySent || agent.lostRace || closedOut.state.missedSummarySent || someoneAnswered).toBe(true);
        expect(closeOutCall(closedOut.state, reason).notifications).toEqual([]);
      }),
    );
  });

  // The calling phone's CHANNEL_CREATE comes first: FreeSWITCH creates it before it originates the
  // callee's leg, and the ingest orders by Event-Sequence. Before it, a leg ringing with caller id 101 is
  // indistinguishable from an external caller with a short number, so the model does not guess.
  it('internalCalls=ignore: nothing at all for an internal call, whatever the interleaving after its first event', () => {
    const ignore = { ...DEFAULT_CALL_MODEL_OPTIONS, internalCalls: 'ignore' as const };
    const [first, ...rest] = internalCall('p', '101', '102', 10);
    fc.assert(
      fc.property(perLegInterleaving(rest), (events) => {
        expect(playAsOneCall([first, ...events], ignore).notifications).toEqual([]);
      }),
    );
  });
});
