// Call id resolution and agent-leg detection on single events shaped like the real captures.
import { describe, expect, it } from 'vitest';
import { callIdOf, callKeyOf, DEFAULT_CALL_MODEL_OPTIONS, identifyAgentLeg, relatedLegIds, resolveCallId, type ChannelEvent } from './index';
import { answeredIncomingCall, attendedTransferCall, callCenterCall, internalCall, outgoingCall } from './testing/call-scenarios';

const pattern = DEFAULT_CALL_MODEL_OPTIONS.agentExtensionPattern;
const find = (events: ChannelEvent[], name: string, legId: string): ChannelEvent => {
  const found = events.find((event) => event.name === name && event.headers['Unique-ID'] === legId);
  if (!found) throw new Error(`no ${name} for ${legId}`);
  return found;
};

describe('call identity', () => {
  const incoming = answeredIncomingCall('i', '79991234567', '101', 5, { exportedCallId: 'X-1' });

  it('the exported cc360_call_id names the call; without it the originator (Other-Type originator) does', () => {
    const agentCreate = find(incoming, 'CHANNEL_CREATE', 'i-101');
    expect(callKeyOf(agentCreate)).toBe('X-1');
    expect(callIdOf(agentCreate)).toBe('X-1');
    const plain = find(answeredIncomingCall('j', '7999', '101', 5), 'CHANNEL_CREATE', 'j-101');
    expect(callKeyOf(plain)).toBeUndefined();
    expect(callIdOf(plain)).toBe('j-caller');
  });

  it('Channel-Call-UUID is never used: an answered agent leg reports its own uuid again at hangup', () => {
    const complete = find(answeredIncomingCall('k', '7999', '101', 5), 'CHANNEL_HANGUP_COMPLETE', 'k-101');
    expect(complete.headers['Channel-Call-UUID']).toBe('k-101');
    expect(callIdOf(complete)).toBe('k-caller');
  });

  it('the phone own leg is its call: its bridge_uuid names the leg it called, not a caller', () => {
    const events = outgoingCall('o', '101', '79161234567', 5);
    expect(callIdOf(find(events, 'CHANNEL_HANGUP_COMPLETE', 'o-101'))).toBe('o-101');
    expect(callIdOf(find(events, 'CHANNEL_CREATE', 'o-gw'))).toBe('o-101');
  });

  it('mod_callcenter agent legs name the caller through cc_member_session_uuid (not cc_member_uuid)', () => {
    const create = find(callCenterCall('q', '7999', '104', true), 'CHANNEL_CREATE', 'q-104');
    expect(callIdOf(create)).toBe('q-caller');
    expect(relatedLegIds(create)).toEqual(['q-104', 'q-caller']);
  });

  it('related legs leave bridge partners out; the leg index resolves a consultation leg through its originator', () => {
    const events = attendedTransferCall('t', '7999', '101', '102');
    const bridge = events.filter((event) => event.name === 'CHANNEL_BRIDGE').at(-1) as ChannelEvent;
    expect(bridge.headers['Bridge-B-Unique-ID']).toBe('t-102');
    expect(relatedLegIds(bridge)).toEqual(['t-caller']);
    const consultation = find(events, 'CHANNEL_CREATE', 't-102');
    expect(callIdOf(consultation)).toBe('t-101');
    expect(resolveCallId(consultation, { 't-102': undefined, 't-101': 't-caller' })).toBe('t-caller');
  });
});

describe('agent legs', () => {
  it('incoming: the originated leg to user/101, the other party is the caller even after the caller id swap', () => {
    const events = answeredIncomingCall('a', '79991234567', '101', 5);
    const answered = find(events, 'CHANNEL_HANGUP_COMPLETE', 'a-101');
    expect(answered.headers['Caller-Caller-ID-Number']).toBe('101');
    expect(identifyAgentLeg(answered, pattern)).toEqual({ role: 'incoming', extension: '101', otherParty: '79991234567', clickToCall: false });
    expect(identifyAgentLeg(find(events, 'CHANNEL_CREATE', 'a-caller'), pattern)).toBeUndefined();
  });

  it('outgoing: the phone own inbound leg (variable_user_name), although it also carries variable_dialed_user', () => {
    const complete = find(internalCall('b', '101', '102', 5), 'CHANNEL_HANGUP_COMPLETE', 'b-101');
    expect(complete.headers.variable_dialed_user).toBe('102');
    expect(identifyAgentLeg(complete, pattern)).toEqual({ role: 'outgoing', extension: '101', otherParty: '102', clickToCall: false });
  });

  it('an extension outside the pattern is no agent', () => {
    const create = find(answeredIncomingCall('c', '7999', '1001', 5), 'CHANNEL_CREATE', 'c-1001');
    expect(identifyAgentLeg(create, /^1\d{2}$/)).toBeUndefined();
    expect(identifyAgentLeg(create, pattern)?.extension).toBe('1001');
  });
});
