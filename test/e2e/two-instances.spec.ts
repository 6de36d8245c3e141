// Two connector processes on one Redis and one FreeSWITCH, both ingesting: every call is reported once
// and in order, and kill -9 of either one in the middle of a stream of calls loses nothing.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withoutRedeliveries } from '../support/call-notifications';
import { ConnectorProcess } from '../support/connector-process';
import { CreatioSimulator } from '../support/creatio-simulator';
import { FreeswitchSimulator } from '../support/freeswitch-simulator';
import { answeredIncomingCall, ringGroupCall } from '../support/freeswitch/call-scenarios';
import type { EventFields } from '../support/freeswitch/wire';
import { RedisServer } from '../support/redis-server';
import { connectorEnv, describeRequests } from './connector-harness';

const LANES = 8;
const CALLS = 120;
const CALL_EVERY_MS = 40;
/** A call's second half (hangup) is played this long after its first half (ringing, answer). */
const TALK_MS = 400;

interface PlannedCall {
  callId: string;
  extension: string;
  talkSeconds: number;
  start: EventFields[];
  end: EventFields[];
}

function planCall(index: number): PlannedCall {
  const callId = randomUUID();
  const extension = String(200 + index);
  const talkSeconds = 10 + (index % 50);
  const events = answeredIncomingCall({ caller: callId, agent: randomUUID() }, '79991234567', extension, talkSeconds);
  const bridged = events.findIndex((event) => event['Event-Name'] === 'CHANNEL_BRIDGE') + 1;
  return { callId, extension, talkSeconds, start: events.slice(0, bridged), end: events.slice(bridged) };
}

function expectedRequests(call: PlannedCall): string[] {
  return [
    `${call.extension}:ringing:79991234567`,
    `${call.extension}:answer:79991234567`,
    `${call.extension}:hangup:79991234567`,
    `${call.extension}:summary:incoming:${call.talkSeconds}:79991234567`,
  ];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('two connector instances on one Redis and one FreeSWITCH', () => {
  let redis: RedisServer;
  let freeswitch: FreeswitchSimulator;
  let creatio: CreatioSimulator;
  let connectors: ConnectorProcess[];

  beforeEach(async () => {
    redis = await RedisServer.start({ appendOnly: true });
    freeswitch = await FreeswitchSimulator.start({ password: 'esl-secret' });
    creatio = await CreatioSimulator.start({ token: 'two-instances-token', latencyMs: 5 });
    const env = connectorEnv({ redis, creatio, freeswitch }, { DELIVERY_CONCURRENCY: String(LANES), RECORDING_MODE: 'off', LOG_LEVEL: 'info' });
    connectors = [];
    connectors.push(await ConnectorProcess.start(env));
    await freeswitch.waitForAuthenticatedConnections(1, 10_000);
    connectors.push(await ConnectorProcess.start(env));
    await freeswitch.waitForAuthenticatedConnections(2, 10_000);
    // Both are subscribed once each has asked for its channel snapshot (and let the settle delay pass).
    await freeswitch.waitUntil(() => (freeswitch.commands.filter((c) => c === 'api show channels as json').length >= 2 ? true : undefined), 10_000, 'two snapshots');
    await sleep(1_200);
  });

  afterEach(async () => {
    for (const connector of connectors) await connector.terminate();
    await freeswitch.close();
    await creatio.stop();
    await redis.destroy();
  });

  /** Plays CALLS calls, one every CALL_EVERY_MS, each hung up TALK_MS after it started; `midway` runs halfway. */
  async function playCalls(midway: () => Promise<void>): Promise<PlannedCall[]> {
    const calls = Array.from({ length: CALLS }, (_, index) => planCall(index));
    const endings: Array<Promise<void>> = [];
    for (const [index, call] of calls.entries()) {
      if (index === CALLS / 2) await midway();
      for (const event of call.start) freeswitch.emit(event);
      endings.push(sleep(TALK_MS).then(() => call.end.forEach((event) => freeswitch.emit(event))));
      await sleep(CALL_EVERY_MS);
    }
    await Promise.all(endings);
    return calls;
  }

  /** Waits until every call got its four requests; returns the at-least-once repeats seen (kill -9 in flight). */
  async function expectEveryCallOnceInOrder(calls: readonly PlannedCall[]): Promise<number> {
    const deadline = Date.now() + 45_000;
    const received = () => creatio.received();
    const complete = () => calls.every((call) => new Set(received().filter((r) => r.id === call.callId).map((r) => JSON.stringify(r))).size >= 4);
    while (!complete() && Date.now() < deadline) await sleep(100);
    await sleep(2_500); // anything beyond the expected would show up now
    let repeats = 0;
    const wrong: string[] = [];
    for (const call of calls) {
      const requests = describeRequests(received().filter((request) => request.id === call.callId));
      if (JSON.stringify(withoutRedeliveries(requests)) !== JSON.stringify(expectedRequests(call))) {
        wrong.push(`${call.callId}: ${JSON.stringify(requests)}`);
      }
      repeats += requests.length - withoutRedeliveries(requests).length;
    }
    expect(wrong, `calls not reported exactly as expected:\n${wrong.join('\n')}\n${connectors.map((c) => c.logs.slice(-3000)).join('\n---\n')}`).toEqual([]);
    return repeats;
  }

  it('with both running, every call reaches the CRM exactly once, in order', async () => {
    const calls = await playCalls(async () => undefined);
    expect(await expectEveryCallOnceInOrder(calls)).toBe(0);
  });

  it('one instance loses FreeSWITCH for a moment while a ring group call ends: it adds nothing when it reconciles', async () => {
    const caller = randomUUID();
    const members = ['301', '302', '303'].map((extension) => ({ legId: randomUUID(), extension }));
    const events = ringGroupCall(caller, '79990000003', members, '302');
    const answered = events.findIndex((event) => event['Event-Name'] === 'CHANNEL_ANSWER');
    for (const event of events.slice(0, answered)) freeswitch.emit(event);
    const requestsOf = () => describeRequests(creatio.received().filter((request) => request.id === caller));
    await freeswitch.waitUntil(() => (requestsOf().length >= 3 ? true : undefined), 10_000, 'three ringing');

    freeswitch.dropConnection(0);
    for (const event of events.slice(answered)) freeswitch.emit(event);
    // The first instance reconnects, takes a channel snapshot and lets its settle delay pass.
    await freeswitch.waitUntil(() => (freeswitch.commands.filter((c) => c === 'api show channels as json').length >= 3 ? true : undefined), 10_000, 'the reconnect');
    await sleep(2_500);
    expect(requestsOf()).toEqual([
      '301:ringing:79990000003',
      '302:ringing:79990000003',
      '303:ringing:79990000003',
      '302:answer:79990000003',
      '301:hangup:79990000003',
      '303:hangup:79990000003',
      '302:hangup:79990000003',
      '302:summary:incoming:12:79990000003',
    ]);
  });

  for (const [victim, name] of [
    [0, 'the first instance'],
    [1, 'the second instance'],
  ] as const) {
    it(`kill -9 of ${name} in the middle of the calls: nothing lost, the other does all the work`, async () => {
      const calls = await playCalls(() => connectors[victim].kill9());
      // A request in flight at the kill may be sent again by the survivor (the at-least-once window).
      expect(await expectEveryCallOnceInOrder(calls)).toBeLessThanOrEqual(LANES);
      expect(connectors[victim].running).toBe(false);

      // The survivor alone: a call after the kill is reported in full.
      const after = planCall(CALLS);
      for (const event of [...after.start, ...after.end]) freeswitch.emit(event);
      expect(await expectEveryCallOnceInOrder([after])).toBe(0);
    });
  }
});
