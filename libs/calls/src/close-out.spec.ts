// Calls that ended while we were away: what closeOutCall sends with what is known.
import { describe, expect, it } from 'vitest';
import { applyEvent, closeOutCall, closeOutLegs, DEFAULT_CALL_MODEL_OPTIONS, type CallModelOptions, type CallState, type ChannelEvent, type CrmNotification } from './index';
import { answeredIncomingCall, blindTransferCall, outgoingCall, ringGroupCall } from './testing/call-scenarios';

function playUntil(events: readonly ChannelEvent[], stop: (event: ChannelEvent) => boolean, options: CallModelOptions = DEFAULT_CALL_MODEL_OPTIONS): { state: CallState; sent: CrmNotification[] } {
  let state: CallState | undefined;
  const sent: CrmNotification[] = [];
  for (const event of events) {
    if (stop(event)) break;
    const update = applyEvent(state, event, options);
    state = update.state;
    sent.push(...update.notifications);
  }
  if (!state) throw new Error('no event played');
  // Through JSON, as the state is stored in Redis.
  return { state: JSON.parse(JSON.stringify(state)) as CallState, sent };
}

const steps = (notifications: readonly CrmNotification[]) =>
  notifications.map((n) => (n.type === 'ringing' ? `${n.user}:${n.eventName}` : `${n.user}:summary:${n.direction}:${n.durationSec}`));

describe('closeOutCall', () => {
  it('an answered call cut by a FreeSWITCH restart: hangup, then a summary with the talk time seen so far', () => {
    const events = answeredIncomingCall('r', '79991234567', '101', 40);
    const { state, sent } = playUntil(events, (event) => event.name === 'CHANNEL_HANGUP');
    expect(steps(sent)).toEqual(['101:ringing', '101:answer']);
    const closed = closeOutCall(state, 'core-restart');
    // The last event seen is the bridge, just after the answer: talk time 0 is all that is known.
    expect(steps(closed.notifications)).toEqual(['101:hangup', '101:summary:incoming:0']);
    expect(closed.closed).toBe(true);
    expect(closed.state.closedOut).toBe('core-restart');
    expect(closeOutCall(closed.state, 'core-restart').notifications).toEqual([]);
  });

  it('a summary held for a caller-leg recording goes out with the file when the call is closed out', () => {
    const events = answeredIncomingCall('h', '79991234567', '101', 40, { recorded: 'caller', agentHangsUpFirst: true });
    const callerHangsUp = events.findIndex((e, at) => at > 0 && e.name === 'CHANNEL_HANGUP' && e.headers['Unique-ID'] === 'h-caller');
    const { state, sent } = playUntil(events.slice(0, callerHangsUp), () => false);
    expect(steps(sent)).toEqual(['101:ringing', '101:answer', '101:hangup']);
    const closed = closeOutCall(state, 'gone-after-reconnect');
    expect(closed.notifications.map((n) => (n.type === 'summary' ? n.files : n.eventName))).toEqual([['/var/lib/freeswitch/recordings/h-caller.wav']]);
    expect(closed.closed).toBe(true);
  });

  it('a ring group still ringing: hangup for every agent and one missed call for the first', () => {
    const events = ringGroupCall('g', '7999', ['101', '102']);
    const { state } = playUntil(events, (event) => event.name === 'CHANNEL_HANGUP');
    expect(steps(closeOutCall(state, 'gone-after-reconnect').notifications)).toEqual(['101:hangup', '102:hangup', '101:summary:incoming:0']);
  });

  it('reports as the events were handled: answer/hangup for an outgoing call when notifyOutgoingStates was on', () => {
    const options = { ...DEFAULT_CALL_MODEL_OPTIONS, notifyOutgoingStates: true };
    const events = outgoingCall('o', '101', '79161234567', 30);
    const { state, sent } = playUntil(events, (event) => event.name === 'CHANNEL_HANGUP', options);
    expect(steps(sent)).toEqual(['101:answer']);
    expect(steps(closeOutCall(state, 'gone-after-reconnect').notifications)).toEqual(['101:hangup', '101:summary:outgoing:0']);
  });

  it('a call already closed sends nothing more', () => {
    const { state } = playUntil(answeredIncomingCall('d', '7999', '101', 5), () => false);
    expect(state.closed).toBe(true);
    expect(closeOutCall(state, 'core-restart').notifications).toEqual([]);
  });
});

describe('closeOutLegs', () => {
  it('a transferred agent whose leg ended unseen: that agent gets hangup and summary, the call goes on', () => {
    const events = blindTransferCall('t', '79991234567', '101', '102');
    const { state, sent } = playUntil(events, (event) => event.name === 'CHANNEL_HANGUP');
    expect(steps(sent)).toEqual(['101:ringing', '101:answer']);
    const closed = closeOutLegs(state, new Set(['t-101']));
    expect(steps(closed.notifications)).toEqual(['101:hangup', '101:summary:incoming:0']);
    expect(closed.closed).toBe(false);
    expect(closeOutLegs(closed.state, new Set(['t-101'])).notifications).toEqual([]);
  });
});
