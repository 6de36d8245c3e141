// The connector or FreeSWITCH goes away in the middle of calls: the calls are still reported, without
// repeats, because call state lives in Redis and every (re)connect reconciles with `show channels`.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answeredIncomingCall, blindTransferCall } from '../support/freeswitch/call-scenarios';
import { describeRequests, startHarness, type Harness } from './connector-harness';

/** Events of an answered call, split where the call is up and talking (after the bridge). */
function answeredCallInTwoHalves(caller: string, extension: string, talkSeconds: number) {
  const events = answeredIncomingCall({ caller, agent: randomUUID() }, '79991234567', extension, talkSeconds);
  const bridged = events.findIndex((event) => event['Event-Name'] === 'CHANNEL_BRIDGE') + 1;
  return { start: events.slice(0, bridged), end: events.slice(bridged) };
}

describe('restarts and reconciliation', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness();
  });
  afterEach(() => harness.close());

  it('8. a connector restart in the middle of a call: the rest of the call is reported from the state in Redis', async () => {
    const caller = randomUUID();
    const { start, end } = answeredCallInTwoHalves(caller, '101', 25);
    harness.play(start);
    await harness.requestsFor(caller, 2);

    await harness.connector.kill9();
    await harness.connector.spawn();
    await harness.freeswitch.waitForAuthenticatedConnections(1, 10_000);
    await harness.freeswitch.waitUntil(() => (harness.freeswitch.commands.filter((c) => c === 'api show channels as json').length >= 2 ? true : undefined), 10_000, 'the reconnect');
    harness.play(end);

    expect(describeRequests(await harness.requestsFor(caller, 4))).toEqual([
      '101:ringing:79991234567',
      '101:answer:79991234567',
      '101:hangup:79991234567',
      '101:summary:incoming:25:79991234567',
    ]);
  });

  it('a call that ended while the connector was down is closed out after it reconnects', async () => {
    const caller = randomUUID();
    const { start, end } = answeredCallInTwoHalves(caller, '102', 25);
    harness.play(start);
    await harness.requestsFor(caller, 2);

    await harness.connector.kill9();
    harness.play(end); // nobody listens: FreeSWITCH forgets the channels, the connector never sees the hangup
    expect(harness.freeswitch.activeChannels).toHaveLength(0);
    await harness.connector.spawn();

    const requests = describeRequests(await harness.requestsFor(caller, 4));
    expect(requests.slice(0, 3)).toEqual(['102:ringing:79991234567', '102:answer:79991234567', '102:hangup:79991234567']);
    expect(requests[3]).toMatch(/^102:summary:incoming:\d+:79991234567$/);
  });

  it('a call that starts while the connector reconciles after connecting is not closed out', async () => {
    // startHarness returns as soon as the connector asked for its channel snapshot: the settle delay runs now.
    const caller = randomUUID();
    const { start, end } = answeredCallInTwoHalves(caller, '104', 25);
    harness.play(start);
    await harness.requestsFor(caller, 2);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(describeRequests(harness.creatio.received().filter((request) => request.id === caller))).toEqual([
      '104:ringing:79991234567',
      '104:answer:79991234567',
    ]);
    harness.play(end);
    expect(describeRequests(await harness.requestsFor(caller, 4)).slice(2)).toEqual(['104:hangup:79991234567', '104:summary:incoming:25:79991234567']);
  });

  it('FreeSWITCH restarting (new Core-UUID) closes out the calls it had', async () => {
    const caller = randomUUID();
    const { start } = answeredCallInTwoHalves(caller, '103', 25);
    harness.play(start);
    await harness.requestsFor(caller, 2);

    harness.freeswitch.restart();
    const requests = describeRequests(await harness.requestsFor(caller, 4));
    expect(requests.slice(0, 3)).toEqual(['103:ringing:79991234567', '103:answer:79991234567', '103:hangup:79991234567']);
    expect(requests[3]).toMatch(/^103:summary:incoming:\d+:79991234567$/);
    expect(harness.connector.logs).toMatch(/FreeSWITCH restarted/);
  });

  /** A blind transfer 101 → 102 whose events from `from` (inclusive) to `to` (exclusive) go out while the ESL link is down. */
  async function transferWithGap(caller: string, isFrom: (name: string, leg: string) => boolean, isTo: (name: string, leg: string) => boolean) {
    const first = randomUUID();
    const events = blindTransferCall({ caller, first, second: randomUUID() }, '79990000008', '101', '102');
    const at = (test: (name: string, leg: string) => boolean) => events.findIndex((event) => test(String(event['Event-Name']), event['Unique-ID'] === first ? 'first' : 'other'));
    const gapStart = at(isFrom);
    const gapEnd = at(isTo);
    harness.play(events.slice(0, gapStart));
    await harness.requestsFor(caller, 2);
    harness.freeswitch.dropConnections();
    harness.play(events.slice(gapStart, gapEnd)); // nobody is connected: the connector never sees these
    await harness.freeswitch.waitUntil(() => (harness.freeswitch.commands.filter((c) => c === 'api show channels as json').length >= 2 ? true : undefined), 10_000, 'the reconnect');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the reconcile's settle delay
    harness.play(events.slice(gapEnd));
  }

  it('a transferred agent whose hangup went out while the ESL link was down still gets its hangup before its history', async () => {
    const caller = randomUUID();
    await transferWithGap(caller, (name, leg) => name === 'CHANNEL_HANGUP' && leg === 'first', (name, leg) => name === 'CHANNEL_HANGUP_COMPLETE' && leg === 'first');
    const requests = describeRequests(await harness.requestsFor(caller, 8));
    expect(requests.filter((request) => request.startsWith('101:'))).toEqual([
      '101:ringing:79990000008',
      '101:answer:79990000008',
      '101:hangup:79990000008',
      '101:summary:incoming:20:79990000008',
    ]);
  });

  it('a transferred agent whose leg ended while the ESL link was down is closed out although the call goes on', async () => {
    const caller = randomUUID();
    await transferWithGap(caller, (name, leg) => name === 'CHANNEL_UNBRIDGE' && leg === 'other', (name, leg) => name === 'CHANNEL_CREATE' && leg === 'other');
    const requests = describeRequests(await harness.requestsFor(caller, 8));
    expect(requests.filter((request) => request.startsWith('101:')).slice(0, 3)).toEqual(['101:ringing:79990000008', '101:answer:79990000008', '101:hangup:79990000008']);
    expect(requests.filter((request) => request.startsWith('101:'))[3]).toMatch(/^101:summary:incoming:\d+:79990000008$/);
    expect(requests.filter((request) => request.startsWith('102:'))).toEqual([
      '102:ringing:79990000008',
      '102:answer:79990000008',
      '102:hangup:79990000008',
      '102:summary:incoming:30:79990000008',
    ]);
  });

  it('a transferred agent whose leg ended while the ESL link was down is closed out, also when the next agent was picked up meanwhile', async () => {
    const caller = randomUUID();
    // From the caller's answer to the second agent's bridge nothing is seen; then the call ends in sight.
    await transferWithGap(caller, (name, leg) => name === 'CHANNEL_ANSWER' && leg === 'other', (name, leg) => name === 'CHANNEL_HANGUP' && leg === 'other');
    const forFirst = () => describeRequests(harness.creatio.received().filter((request) => request.id === caller && request.user === '101'));
    await harness.freeswitch.waitUntil(() => (forFirst().length >= 4 ? true : undefined), 10_000, 'the first agent closed out').catch(() => undefined);
    expect(forFirst().slice(0, 3)).toEqual(['101:ringing:79990000008', '101:answer:79990000008', '101:hangup:79990000008']);
    expect(forFirst()[3]).toMatch(/^101:summary:incoming:\d+:79990000008$/);
  });
});
