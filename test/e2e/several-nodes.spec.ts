// Two FreeSWITCH nodes, one connector each, one Redis: a connector (re)starting judges only the calls of
// its own node, so the other node's calls in progress are not closed out.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorProcess } from '../support/connector-process';
import { CreatioSimulator } from '../support/creatio-simulator';
import { FreeswitchSimulator } from '../support/freeswitch-simulator';
import { answeredIncomingCall } from '../support/freeswitch/call-scenarios';
import { RedisServer } from '../support/redis-server';
import { connectorEnv, describeRequests } from './connector-harness';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('several FreeSWITCH nodes on one Redis', () => {
  let redis: RedisServer;
  let creatio: CreatioSimulator;
  const nodes: FreeswitchSimulator[] = [];
  const connectors: ConnectorProcess[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start({ appendOnly: true });
    creatio = await CreatioSimulator.start({ token: 'nodes-token' });
    for (const name of ['pbx1', 'pbx2']) {
      const node = await FreeswitchSimulator.start({ password: 'esl-secret' });
      nodes.push(node);
      connectors.push(
        await ConnectorProcess.start(connectorEnv({ redis, creatio, freeswitch: node }, { FS_NODE_ID: name, RECORDING_MODE: 'off' })),
      );
      await node.waitForCommand(/^api show channels as json/, 10_000);
    }
  });

  afterAll(async () => {
    for (const connector of connectors) await connector.terminate();
    for (const node of nodes) await node.close();
    await creatio.stop();
    await redis.destroy();
  });

  const requestsOf = (callId: string) => describeRequests(creatio.received().filter((request) => request.id === callId));

  async function waitForRequests(callId: string, count: number): Promise<string[]> {
    const deadline = Date.now() + 15_000;
    while (requestsOf(callId).length < count && Date.now() < deadline) await sleep(25);
    await sleep(200);
    return requestsOf(callId);
  }

  it("a connector restarting does not close out the other node's call in progress", async () => {
    const caller = randomUUID();
    const events = answeredIncomingCall({ caller, agent: randomUUID() }, '79991234567', '101', 25);
    const bridged = events.findIndex((event) => event['Event-Name'] === 'CHANNEL_BRIDGE') + 1;
    for (const event of events.slice(0, bridged)) nodes[0].emit(event);
    expect(await waitForRequests(caller, 2)).toHaveLength(2);

    // The second node's connector restarts: it restores and reconciles against its own node only.
    await connectors[1].kill9();
    await connectors[1].spawn();
    await nodes[1].waitUntil(() => (nodes[1].commands.filter((c) => c === 'api show channels as json').length >= 2 ? true : undefined), 10_000, 'the reconcile');
    await sleep(2_000); // the reconcile's settle delay, then its close-outs would be delivered
    expect(requestsOf(caller)).toEqual(['101:ringing:79991234567', '101:answer:79991234567']);

    for (const event of events.slice(bridged)) nodes[0].emit(event);
    expect(await waitForRequests(caller, 4)).toEqual([
      '101:ringing:79991234567',
      '101:answer:79991234567',
      '101:hangup:79991234567',
      '101:summary:incoming:25:79991234567',
    ]);
  });
});
