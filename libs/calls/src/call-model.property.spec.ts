// Invariants of the call model for any order and any duplication of a call's events: per agent leg,
// ringing < answer < hangup < summary, nothing sent twice, and every call that started is closed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  answeredIncomingCall,
  blindTransferCall,
  callCenterCall,
  internalCall,
  missedIncomingCall,
  outgoingCall,
  ringGroupCall,
} from '../../../test/support/freeswitch/call-scenarios';
import type { EventFields } from '../../../test/support/freeswitch/wire';
import { toChannelEvent } from '../../../test/support/freeswitch/play-call';
import { applyEvent, closeOutCall, DEFAULT_CALL_MODEL_OPTIONS, notificationIdentity, type CallState, type CrmNotification } from './index';

const STEP_ORDER = ['ringing', 'answer', 'hangup', 'summary'];

const scenarios: Record<string, () => EventFields[]> = {
  answered: () => answeredIncomingCall({ caller: 'c', agent: 'a' }, '79991234567', '101', 30),
  missed: () => missedIncomingCall({ caller: 'c', agent: 'a' }, '79991234567', '101', 'NO_ANSWER'),
  ringGroup: () => ringGroupCall('c', '7999', [{ legId: 'x1', extension: '101' }, { legId: 'x2', extension: '102' }, { legId: 'x3', extension: '103' }], '102'),
  ringGroupMissed: () => ringGroupCall('c', '7999', [{ legId: 'x1', extension: '101' }, { legId: 'x2', extension: '102' }]),
  outgoing: () => outgoingCall({ phone: 'p', gateway: 'g' }, '101', '79161234567', 10),
  internal: () => internalCall({ phone: 'p', callee: 'a' }, '101', '102', 10),
  transfer: () => blindTransferCall({ caller: 'c', first: 'a', second: 'b' }, '7999', '101', '102'),
  callCenter: () => callCenterCall({ caller: 'c', agent: 'a' }, '7999', '104', true),
};

/** One state for the whole call: the ingest finds it through its leg index whatever the event order. */
function playAsOneCall(events: readonly EventFields[], notifyOutgoingStates: boolean): { notifications: CrmNotification[]; state: CallState | undefined } {
  let state: CallState | undefined;
  const notifications: CrmNotification[] = [];
  for (const fields of events) {
    const update = applyEvent(state, toChannelEvent(fields), { ...DEFAULT_CALL_MODEL_OPTIONS, notifyOutgoingStates });
    state = update.state;
    notifications.push(...update.notifications);
  }
  return { notifications, state };
}

function stepOf(notification: CrmNotification): string {
  return notification.type === 'ringing' ? notification.eventName : 'summary';
}

function assertPerLegOrderAndNoDuplicates(notifications: readonly CrmNotification[]): void {
  const identities = notifications.map(notificationIdentity);
  expect(new Set(identities).size).toBe(identities.length);
  const byLeg = new Map<string, number[]>();
  for (const notification of notifications) {
    const steps = byLeg.get(notification.legId) ?? [];
    steps.push(STEP_ORDER.indexOf(stepOf(notification)));
    byLeg.set(notification.legId, steps);
  }
  for (const steps of byLeg.values()) expect(steps).toEqual([...steps].sort((a, b) => a - b));
}

describe('call model properties', () => {
  const scenarioName = fc.constantFrom(...Object.keys(scenarios));

  it('any interleaving and duplication: per-leg order, no duplicates, closed once every leg is gone', () => {
    fc.assert(
      fc.property(
        scenarioName,
        fc.boolean(),
        fc.infiniteStream(fc.nat()),
        fc.array(fc.nat(), { maxLength: 10 }),
        (name, notifyOutgoingStates, shuffleKeys, duplicates) => {
          const events = scenarios[name]();
          const iterator = shuffleKeys[Symbol.iterator]();
          const shuffled = events
            .map((event) => ({ event, key: iterator.next().value as number }))
            .sort((a, b) => a.key - b.key)
            .map((entry) => entry.event);
          for (const index of duplicates) shuffled.splice(index % (shuffled.length + 1), 0, shuffled[index % shuffled.length]);

          const { notifications, state } = playAsOneCall(shuffled, notifyOutgoingStates);
          assertPerLegOrderAndNoDuplicates(notifications);
          expect(state?.closed).toBe(true);
          // Every agent leg that rang got its hangup.
          const rang = new Set(notifications.filter((n) => stepOf(n) === 'ringing').map((n) => n.legId));
          const hungUp = new Set(notifications.filter((n) => stepOf(n) === 'hangup').map((n) => n.legId));
          expect([...rang].every((leg) => hungUp.has(leg))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('in production order, the same events twice change nothing the second time (idempotent)', () => {
    fc.assert(
      fc.property(scenarioName, (name) => {
        const events = scenarios[name]();
        const once = playAsOneCall(events, false);
        const twice = playAsOneCall([...events, ...events], false);
        expect(twice.notifications).toEqual(once.notifications);
      }),
    );
  });

  it('a call cut off at any point is closed out: every leg that rang gets hangup, order holds', () => {
    fc.assert(
      fc.property(scenarioName, fc.nat(), (name, cut) => {
        const events = scenarios[name]();
        const prefix = events.slice(0, 1 + (cut % events.length));
        const { notifications, state } = playAsOneCall(prefix, false);
        if (!state) return;
        const closed = closeOutCall(state, DEFAULT_CALL_MODEL_OPTIONS);
        const all = [...notifications, ...closed.notifications];
        assertPerLegOrderAndNoDuplicates(all);
        expect(closed.closed).toBe(true);
        const rang = all.filter((n) => stepOf(n) === 'ringing').map((n) => n.legId);
        for (const leg of rang) expect(all.some((n) => n.legId === leg && stepOf(n) === 'hangup')).toBe(true);
      }),
    );
  });
});
