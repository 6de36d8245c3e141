// The call model on whole calls built from real event shapes: the exact notifications per scenario.
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
import { play } from '../../../test/support/freeswitch/play-call';
import { DEFAULT_CALL_MODEL_OPTIONS, type CrmNotification } from './index';

/** Compact form: `user:event` for ringing events, `user:summary:direction:duration:callerid`. */
function compact(notifications: readonly CrmNotification[]): string[] {
  return notifications.map((n) =>
    n.type === 'ringing' ? `${n.callId}|${n.user}:${n.eventName}:${n.callerId}` : `${n.callId}|${n.user}:summary:${n.direction}:${n.durationSec}:${n.callerId}`,
  );
}

describe('call model scenarios', () => {
  it('1. answered incoming call: ringing, answer, hangup, then summary with the agent leg billsec', () => {
    const { notifications, states } = play(answeredIncomingCall({ caller: 'c1', agent: 'a1' }, '79991234567', '101', 37));
    expect(compact(notifications)).toEqual([
      'c1|101:ringing:79991234567',
      'c1|101:answer:79991234567',
      'c1|101:hangup:79991234567',
      'c1|101:summary:incoming:37:79991234567',
    ]);
    expect(states.get('c1')?.closed).toBe(true);
  });

  it('1b. our exported cc360_call_id is the CRM id when present', () => {
    const { notifications } = play(answeredIncomingCall({ caller: 'c1', agent: 'a1' }, '79991234567', '101', 5, { exportedCallId: 'X-42' }));
    expect(new Set(notifications.map((n) => n.callId))).toEqual(new Set(['X-42']));
  });

  it.each(['ORIGINATOR_CANCEL', 'NO_ANSWER', 'CALL_REJECTED', 'USER_BUSY'] as const)('2. missed call (%s): ringing, hangup, summary with duration 0', (reason) => {
    const { notifications } = play(missedIncomingCall({ caller: 'c2', agent: 'a2' }, '79990000001', '102', reason));
    expect(compact(notifications)).toEqual([
      'c2|102:ringing:79990000001',
      'c2|102:hangup:79990000001',
      'c2|102:summary:incoming:0:79990000001',
    ]);
  });

  const group = [
    { legId: 'g101', extension: '101' },
    { legId: 'g102', extension: '102' },
    { legId: 'g103', extension: '103' },
  ];

  it('3. ring group, 102 answers: losers get hangup at once and no summary, one summary for 102', () => {
    const { notifications } = play(ringGroupCall('c3', '79990000003', group, '102'));
    expect(compact(notifications)).toEqual([
      'c3|101:ringing:79990000003',
      'c3|102:ringing:79990000003',
      'c3|103:ringing:79990000003',
      'c3|102:answer:79990000003',
      'c3|101:hangup:79990000003',
      'c3|103:hangup:79990000003',
      'c3|102:hangup:79990000003',
      'c3|102:summary:incoming:12:79990000003',
    ]);
  });

  it('3b. ring group nobody answers: ringing and hangup for each, one missed call for the first agent', () => {
    const { notifications } = play(ringGroupCall('c3b', '79990000003', group));
    expect(compact(notifications)).toEqual([
      'c3b|101:ringing:79990000003',
      'c3b|102:ringing:79990000003',
      'c3b|103:ringing:79990000003',
      'c3b|101:hangup:79990000003',
      'c3b|102:hangup:79990000003',
      'c3b|103:hangup:79990000003',
      'c3b|101:summary:incoming:0:79990000003',
    ]);
  });

  it('4. outgoing call: no ringing, summary outgoing with the dialled number and talk time', () => {
    const { notifications } = play(outgoingCall({ phone: 'p4', gateway: 'g4' }, '101', '79161234567', 61));
    expect(compact(notifications)).toEqual(['p4|101:summary:outgoing:61:79161234567']);
  });

  it('4b. NOTIFY_OUTGOING_STATES also sends answer and hangup for outgoing calls', () => {
    const { notifications } = play(outgoingCall({ phone: 'p4', gateway: 'g4' }, '101', '79161234567', 61), {
      ...DEFAULT_CALL_MODEL_OPTIONS,
      notifyOutgoingStates: true,
    });
    expect(compact(notifications)).toEqual(['p4|101:answer:79161234567', 'p4|101:hangup:79161234567', 'p4|101:summary:outgoing:61:79161234567']);
  });

  it('5. internal call 101 → 102: 102 sees an incoming call from 101, 101 an outgoing call to 102', () => {
    const { notifications } = play(internalCall({ phone: 'p5', callee: 'a5' }, '101', '102', 9));
    expect(compact(notifications)).toEqual([
      'p5|102:ringing:101',
      'p5|102:answer:101',
      'p5|102:hangup:101',
      'p5|101:summary:outgoing:9:102',
      'p5|102:summary:incoming:9:101',
    ]);
  });

  it('5b. INTERNAL_CALLS=ignore reports nothing for a call between agents', () => {
    const { notifications } = play(internalCall({ phone: 'p5', callee: 'a5' }, '101', '102', 9), {
      ...DEFAULT_CALL_MODEL_OPTIONS,
      internalCalls: 'ignore',
    });
    expect(notifications).toEqual([]);
  });

  it('6. blind transfer 101 → 102: both agents get their own sequence and talk time, same call id and caller', () => {
    const { notifications } = play(blindTransferCall({ caller: 'c6', first: 'a6', second: 'b6' }, '79990000006', '101', '102'));
    expect(compact(notifications)).toEqual([
      'c6|101:ringing:79990000006',
      'c6|101:answer:79990000006',
      'c6|101:hangup:79990000006',
      'c6|101:summary:incoming:20:79990000006',
      'c6|102:ringing:79990000006',
      'c6|102:answer:79990000006',
      'c6|102:hangup:79990000006',
      'c6|102:summary:incoming:30:79990000006',
    ]);
  });

  it.each([true, false])('7. mod_callcenter agent leg linked by cc_member_session_uuid (answers: %s)', (answers) => {
    const { notifications } = play(callCenterCall({ caller: 'c7', agent: 'a7' }, '79990000007', '104', answers));
    expect(compact(notifications)).toEqual(
      answers
        ? ['c7|104:ringing:79990000007', 'c7|104:answer:79990000007', 'c7|104:hangup:79990000007', 'c7|104:summary:incoming:40:79990000007']
        : ['c7|104:ringing:79990000007', 'c7|104:hangup:79990000007', 'c7|104:summary:incoming:0:79990000007'],
    );
  });

  it('ignores a gateway leg whose short number looks like an extension', () => {
    const { notifications } = play(outgoingCall({ phone: 'p8', gateway: 'g8' }, '101', '112', 3));
    expect(compact(notifications)).toEqual(['p8|101:summary:outgoing:3:112']);
  });
});
