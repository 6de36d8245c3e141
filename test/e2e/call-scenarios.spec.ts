// Each call scenario end to end: FreeSWITCH events over the real ESL wire → connector → the exact CRM requests.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answeredIncomingCall,
  blindTransferCall,
  callCenterCall,
  internalCall,
  missedIncomingCall,
  outgoingCall,
  ringGroupCall,
} from '../support/freeswitch/call-scenarios';
import { describeRequests, startHarness, type Harness } from './connector-harness';

const id = () => randomUUID();

describe('call scenarios end to end', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('1. answered incoming call', async () => {
    const caller = id();
    harness.play(answeredIncomingCall({ caller, agent: id() }, '79991234567', '101', 37));
    const requests = await harness.requestsFor(caller, 4);
    expect(describeRequests(requests)).toEqual([
      '101:ringing:79991234567',
      '101:answer:79991234567',
      '101:hangup:79991234567',
      '101:summary:incoming:37:79991234567',
    ]);
    expect(requests[3].files).toEqual([]);
  });

  it('2. missed call: the caller gives up', async () => {
    const caller = id();
    harness.play(missedIncomingCall({ caller, agent: id() }, '79991112233', '102', 'ORIGINATOR_CANCEL'));
    expect(describeRequests(await harness.requestsFor(caller, 3))).toEqual([
      '102:ringing:79991112233',
      '102:hangup:79991112233',
      '102:summary:incoming:0:79991112233',
    ]);
  });

  it('3. ring group, 102 answers', async () => {
    const caller = id();
    const members = ['101', '102', '103'].map((extension) => ({ legId: id(), extension }));
    harness.play(ringGroupCall(caller, '79990000003', members, '102'));
    const requests = describeRequests(await harness.requestsFor(caller, 8));
    // One call is one lane and one order gate: the CRM sees the requests in the order they were produced.
    expect(requests).toEqual([
      '101:ringing:79990000003',
      '102:ringing:79990000003',
      '103:ringing:79990000003',
      '102:answer:79990000003',
      '101:hangup:79990000003',
      '103:hangup:79990000003',
      '102:hangup:79990000003',
      '102:summary:incoming:12:79990000003',
    ]);
  });

  it('3b. ring group, nobody answers: one missed call for the first agent', async () => {
    const caller = id();
    const members = ['101', '102'].map((extension) => ({ legId: id(), extension }));
    harness.play(ringGroupCall(caller, '79990000004', members));
    expect(describeRequests(await harness.requestsFor(caller, 5))).toEqual([
      '101:ringing:79990000004',
      '102:ringing:79990000004',
      '101:hangup:79990000004',
      '102:hangup:79990000004',
      '101:summary:incoming:0:79990000004',
    ]);
  });

  it('4. outgoing call from an agent', async () => {
    const phone = id();
    harness.play(outgoingCall({ phone, gateway: id() }, '105', '79161234567', 61));
    expect(describeRequests(await harness.requestsFor(phone, 1))).toEqual(['105:summary:outgoing:61:79161234567']);
  });

  it('5. internal call 101 → 102', async () => {
    const phone = id();
    harness.play(internalCall({ phone, callee: id() }, '101', '102', 9));
    expect(describeRequests(await harness.requestsFor(phone, 5))).toEqual([
      '102:ringing:101',
      '102:answer:101',
      '102:hangup:101',
      '101:summary:outgoing:9:102',
      '102:summary:incoming:9:101',
    ]);
  });

  it('6. blind transfer 101 → 102', async () => {
    const caller = id();
    harness.play(blindTransferCall({ caller, first: id(), second: id() }, '79990000006', '101', '102'));
    expect(describeRequests(await harness.requestsFor(caller, 8))).toEqual([
      '101:ringing:79990000006',
      '101:answer:79990000006',
      '101:hangup:79990000006',
      '101:summary:incoming:20:79990000006',
      '102:ringing:79990000006',
      '102:answer:79990000006',
      '102:hangup:79990000006',
      '102:summary:incoming:30:79990000006',
    ]);
  });

  it('7. mod_callcenter agent', async () => {
    const caller = id();
    harness.play(callCenterCall({ caller, agent: id() }, '79990000007', '104', true));
    expect(describeRequests(await harness.requestsFor(caller, 4))).toEqual([
      '104:ringing:79990000007',
      '104:answer:79990000007',
      '104:hangup:79990000007',
      '104:summary:incoming:40:79990000007',
    ]);
  });

  it('uses the exported cc360_call_id as the CRM id when the dialplan sets it', async () => {
    const callId = `cc360-${id()}`;
    harness.play(answeredIncomingCall({ caller: id(), agent: id() }, '79991234567', '101', 3, { exportedCallId: callId }));
    expect(await harness.requestsFor(callId, 4)).toHaveLength(4);
  });
});
