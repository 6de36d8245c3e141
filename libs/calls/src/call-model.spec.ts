// The call model on whole calls built from real event shapes: the exact notifications per scenario.
import { describe, expect, it } from 'vitest';
import { applyEvent, DEFAULT_CALL_MODEL_OPTIONS, notificationIdentity, type CallState, type CrmNotification } from './index';
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
import { play } from './testing/play-call';

/** `id|user:event:callerid` for popup states, `id|user:summary:direction:duration:callerid` for summaries. */
function compact(notifications: readonly CrmNotification[]): string[] {
  return notifications.map((n) =>
    n.type === 'ringing' ? `${n.callId}|${n.user}:${n.eventName}:${n.callerId}` : `${n.callId}|${n.user}:summary:${n.direction}:${n.durationSec}:${n.callerId}`,
  );
}

const withOutgoingStates = { ...DEFAULT_CALL_MODEL_OPTIONS, notifyOutgoingStates: true };
const ignoringInternal = { ...DEFAULT_CALL_MODEL_OPTIONS, internalCalls: 'ignore' as const };

describe('call model scenarios', () => {
  it('1. answered incoming call: ringing, answer, hangup, then a summary with the agent leg billsec', () => {
    const player = play(answeredIncomingCall('c1', '79991234567', '101', 37));
    expect(compact(player.notifications)).toEqual([
      'c1-caller|101:ringing:79991234567',
      'c1-caller|101:answer:79991234567',
      'c1-caller|101:hangup:79991234567',
      'c1-caller|101:summary:incoming:37:79991234567',
    ]);
    expect(player.states.get('c1-caller')?.closed).toBe(true);
    expect(new Set(player.notifications.map(notificationIdentity)).size).toBe(4);
  });

  it('1b. our exported cc360_call_id is the CRM id, though the caller leg was created before the export', () => {
    const player = play(answeredIncomingCall('c1b', '79991234567', '101', 5, { exportedCallId: 'X-42' }));
    expect(new Set(player.notifications.map((n) => n.callId))).toEqual(new Set(['X-42']));
    expect(player.states.size).toBe(1);
  });

  it.each(['agent', 'caller'] as const)('1c. a recording of the %s leg goes into the summary files (raw paths)', (recorded) => {
    const player = play(answeredIncomingCall('c1c', '79991234567', '101', 9, { recorded }));
    const summary = player.notifications.find((n) => n.type === 'summary');
    expect(summary?.files).toEqual([`/var/lib/freeswitch/recordings/c1c-${recorded === 'agent' ? '101' : 'caller'}.wav`]);
  });

  it.each(['agent', 'caller'] as const)('1d. the agent hangs up first: the summary waits for the %s leg recording to stop', (recorded) => {
    const events = answeredIncomingCall('c1d', '79991234567', '101', 9, { recorded, agentHangsUpFirst: true });
    const player = play(events);
    const summary = player.notifications.find((n) => n.type === 'summary');
    expect(summary?.files).toEqual([`/var/lib/freeswitch/recordings/c1d-${recorded === 'agent' ? '101' : 'caller'}.wav`]);
    expect(summary?.type === 'summary' && summary.durationSec).toBe(9);
    expect(player.states.get('c1d-caller')?.closed).toBe(true);
    if (recorded === 'caller') {
      // Held back: nothing after the agent's CHANNEL_HANGUP_COMPLETE until the caller's RECORD_STOP.
      const stopAt = events.findIndex((e) => e.name === 'RECORD_STOP');
      expect(compact(play(events.slice(0, stopAt)).notifications)).not.toContain('c1d-caller|101:summary:incoming:9:79991234567');
    }
  });

  it('1e. a RECORD_STOP seen before its (reordered) RECORD_START holds nothing back', () => {
    const events = answeredIncomingCall('c1e', '79991234567', '101', 9, { recorded: 'caller', agentHangsUpFirst: true });
    const start = events.findIndex((e) => e.name === 'RECORD_START');
    const stop = events.findIndex((e) => e.name === 'RECORD_STOP');
    const reordered = [...events];
    [reordered[start], reordered[stop]] = [reordered[stop], reordered[start]];
    const summary = play(reordered).notifications.find((n) => n.type === 'summary');
    expect(summary?.files).toEqual(['/var/lib/freeswitch/recordings/c1e-caller.wav']);
  });

  it('1f. a recording whose RECORD_STOP never comes: the summary goes when its leg is gone', () => {
    const events = answeredIncomingCall('c1f', '79991234567', '101', 9, { recorded: 'caller', agentHangsUpFirst: true });
    const player = play(events.filter((e) => e.name !== 'RECORD_STOP'));
    const summary = player.notifications.find((n) => n.type === 'summary');
    expect(summary?.files).toEqual(['/var/lib/freeswitch/recordings/c1f-caller.wav']);
    expect(player.states.get('c1f-caller')?.closed).toBe(true);
  });

  it.each(['ORIGINATOR_CANCEL', 'NO_ANSWER', 'CALL_REJECTED', 'USER_BUSY'] as const)('2. missed call (%s): ringing, hangup, summary with duration 0', (cause) => {
    const player = play(missedIncomingCall('c2', '79990000001', '102', cause));
    expect(compact(player.notifications)).toEqual([
      'c2-caller|102:ringing:79990000001',
      'c2-caller|102:hangup:79990000001',
      'c2-caller|102:summary:incoming:0:79990000001',
    ]);
    expect(player.states.get('c2-caller')?.closed).toBe(true);
  });

  it('3. ring group, 102 answers: losers hang up at once with no summary, one summary for 102', () => {
    const player = play(ringGroupCall('c3', '79990000003', ['101', '102', '103'], '102'));
    expect(compact(player.notifications)).toEqual([
      'c3-caller|101:ringing:79990000003',
      'c3-caller|102:ringing:79990000003',
      'c3-caller|103:ringing:79990000003',
      'c3-caller|102:answer:79990000003',
      'c3-caller|101:hangup:79990000003',
      'c3-caller|103:hangup:79990000003',
      'c3-caller|102:hangup:79990000003',
      'c3-caller|102:summary:incoming:12:79990000003',
    ]);
  });

  it('3b. ring group nobody answers: ringing and hangup for each, one missed call for the first agent', () => {
    const player = play(ringGroupCall('c3b', '79990000003', ['103', '101', '102']));
    expect(compact(player.notifications)).toEqual([
      'c3b-caller|103:ringing:79990000003',
      'c3b-caller|101:ringing:79990000003',
      'c3b-caller|102:ringing:79990000003',
      'c3b-caller|103:hangup:79990000003',
      'c3b-caller|101:hangup:79990000003',
      'c3b-caller|102:hangup:79990000003',
      'c3b-caller|103:summary:incoming:0:79990000003',
    ]);
  });

  it('4. outgoing call: no ringing, summary outgoing with the dialled number and talk time', () => {
    const player = play(outgoingCall('c4', '101', '79161234567', 61));
    expect(compact(player.notifications)).toEqual(['c4-101|101:summary:outgoing:61:79161234567']);
    expect(player.states.get('c4-101')?.closed).toBe(true);
  });

  it('4b. notifyOutgoingStates also sends answer and hangup for outgoing calls', () => {
    const player = play(outgoingCall('c4', '101', '79161234567', 61), withOutgoingStates);
    expect(compact(player.notifications)).toEqual([
      'c4-101|101:answer:79161234567',
      'c4-101|101:hangup:79161234567',
      'c4-101|101:summary:outgoing:61:79161234567',
    ]);
  });

  it('4c. a gateway leg to a short number that looks like an extension is no agent', () => {
    const player = play(outgoingCall('c4c', '101', '112', 3));
    expect(compact(player.notifications)).toEqual(['c4c-101|101:summary:outgoing:3:112']);
  });

  it('5. internal call 101 → 102: 102 sees an incoming call from 101, 101 an outgoing call to 102', () => {
    const player = play(internalCall('c5', '101', '102', 9));
    expect(compact(player.notifications)).toEqual([
      'c5-101|102:ringing:101',
      'c5-101|102:answer:101',
      'c5-101|102:hangup:101',
      'c5-101|101:summary:outgoing:9:102',
      'c5-101|102:summary:incoming:9:101',
    ]);
  });

  it('5b. internalCalls=ignore reports nothing for a call between agents', () => {
    expect(play(internalCall('c5', '101', '102', 9), ignoringInternal).notifications).toEqual([]);
    expect(play(clickToCall('c5c', '101', '102', 9, true), ignoringInternal).notifications).toEqual([]);
  });

  it('5c. ... but still reports external calls, click-to-call included', () => {
    expect(play(answeredIncomingCall('c5d', '79991234567', '101', 5), ignoringInternal).notifications).toHaveLength(4);
    expect(play(outgoingCall('c5e', '101', '79161234567', 5), ignoringInternal).notifications).toHaveLength(1);
    expect(play(clickToCall('c5f', '101', '79161234567', 5), ignoringInternal).notifications).toHaveLength(1);
  });

  it("6c. blind transfer recorded on the caller leg: the first agent's summary goes at the transfer, both carry the file", () => {
    const events = blindTransferCall('c6c', '79990000006', '101', '102', { recorded: 'caller' });
    const player = play(events);
    const summaries = player.notifications.filter((n) => n.type === 'summary');
    expect(summaries.map((n) => [n.user, n.type === 'summary' ? n.files : []])).toEqual([
      ['101', ['/var/lib/freeswitch/recordings/c6c-caller.wav']],
      ['102', ['/var/lib/freeswitch/recordings/c6c-caller.wav']],
    ]);
    // 101's summary does not wait for the end of 102's conversation: it goes when the caller is bridged to 102.
    const bridgedTo102 = events.findIndex((e, at) => at > 0 && e.name === 'CHANNEL_BRIDGE' && e.headers['Bridge-B-Unique-ID'] === 'c6c-102');
    expect(compact(play(events.slice(0, bridgedTo102 + 1)).notifications)).toContain('c6c-caller|101:summary:incoming:20:79990000006');
  });

  it.each([undefined, 'X-6'])('6. blind transfer 101 → 102 (exported id %s): each agent its own sequence and talk time', (exportedCallId) => {
    const id = exportedCallId ?? 'c6-caller';
    const player = play(blindTransferCall('c6', '79990000006', '101', '102', { exportedCallId }));
    expect(compact(player.notifications)).toEqual([
      `${id}|101:ringing:79990000006`,
      `${id}|101:answer:79990000006`,
      `${id}|101:hangup:79990000006`,
      `${id}|101:summary:incoming:20:79990000006`,
      `${id}|102:ringing:79990000006`,
      `${id}|102:answer:79990000006`,
      `${id}|102:hangup:79990000006`,
      `${id}|102:summary:incoming:30:79990000006`,
    ]);
  });

  it.each([undefined, 'X-6b'])('6b. attended transfer 101 → 102 (exported id %s): same call id, callerid the original caller, 101 billed with the consultation', (exportedCallId) => {
    const id = exportedCallId ?? 'c6b-caller';
    const player = play(attendedTransferCall('c6b', '79990000066', '101', '102', { exportedCallId }));
    expect(compact(player.notifications)).toEqual([
      `${id}|101:ringing:79990000066`,
      `${id}|101:answer:79990000066`,
      `${id}|102:ringing:79990000066`,
      `${id}|102:answer:79990000066`,
      `${id}|101:hangup:79990000066`,
      `${id}|101:summary:incoming:32:79990000066`,
      `${id}|102:hangup:79990000066`,
      `${id}|102:summary:incoming:40:79990000066`,
    ]);
    expect([...player.states.values()].every((state) => state.closed)).toBe(true);
  });

  it.each([true, false])('7. mod_callcenter agent leg linked by cc_member_session_uuid (answers: %s)', (answers) => {
    const player = play(callCenterCall('c7', '79990000007', '104', answers));
    expect(compact(player.notifications)).toEqual(
      answers
        ? ['c7-caller|104:ringing:79990000007', 'c7-caller|104:answer:79990000007', 'c7-caller|104:hangup:79990000007', 'c7-caller|104:summary:incoming:40:79990000007']
        : ['c7-caller|104:ringing:79990000007', 'c7-caller|104:hangup:79990000007', 'c7-caller|104:summary:incoming:0:79990000007'],
    );
  });

  it('8. click-to-call: no popup on the agent own phone, outgoing summary to the client with the talk time', () => {
    const player = play(clickToCall('c8', '101', '79161234567', 25));
    expect(compact(player.notifications)).toEqual(['c8-call|101:summary:outgoing:25:79161234567']);
    expect(player.states.get('c8-call')?.closed).toBe(true);
  });

  it('8b. click-to-call with notifyOutgoingStates: answer when the client picks up, then hangup', () => {
    const player = play(clickToCall('c8', '101', '79161234567', 25), withOutgoingStates);
    expect(compact(player.notifications)).toEqual([
      'c8-call|101:answer:79161234567',
      'c8-call|101:hangup:79161234567',
      'c8-call|101:summary:outgoing:25:79161234567',
    ]);
  });

  it('8c. click-to-call to another agent: that agent sees an incoming call from the caller', () => {
    const player = play(clickToCall('c8c', '101', '102', 7, true));
    expect(compact(player.notifications)).toEqual([
      'c8c-call|102:ringing:101',
      'c8c-call|102:answer:101',
      'c8c-call|102:hangup:101',
      'c8c-call|101:summary:outgoing:7:102',
      'c8c-call|102:summary:incoming:7:101',
    ]);
  });

  it('reordered: an ANSWER before any ringing sends ringing first; a late CREATE after the hangup sends nothing', () => {
    const events = answeredIncomingCall('r1', '79991234567', '101', 8);
    const early = events.filter((event) => event.headers['Unique-ID'] === 'r1-101' && ['CHANNEL_CREATE', 'CHANNEL_ORIGINATE', 'CHANNEL_PROGRESS'].includes(event.name));
    const rest = events.filter((event) => !early.includes(event));
    expect(compact(play([...rest, ...early]).notifications)).toEqual([
      'r1-caller|101:ringing:79991234567',
      'r1-caller|101:answer:79991234567',
      'r1-caller|101:hangup:79991234567',
      'r1-caller|101:summary:incoming:8:79991234567',
    ]);
  });

  it('a connector restart at any point goes on from the stored (JSON) state with the same notifications', () => {
    for (const events of [answeredIncomingCall('s1', '7999', '101', 8), ringGroupCall('s2', '7999', ['101', '102'], '102')]) {
      const uninterrupted = play(events).notifications;
      for (let cut = 1; cut < events.length; cut++) {
        let state: CallState | undefined;
        const sent: CrmNotification[] = [];
        events.forEach((event, index) => {
          if (index === cut) state = JSON.parse(JSON.stringify(state)) as CallState;
          const update = applyEvent(state, event, DEFAULT_CALL_MODEL_OPTIONS);
          state = update.state;
          sent.push(...update.notifications);
        });
        expect(sent).toEqual(uninterrupted);
      }
    }
  });
});
