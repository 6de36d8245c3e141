// Fault injection under load (`npm run test:faults`): FreeSWITCH simulator at a steady seeded call mix →
// the built connector → Creatio simulator, one fault at a time and then combined. Every request the calls
// must produce arrives, each agent's in order, duplicates only after kill -9 (at most one per lane), and
// the connector never exits on its own. Replay a run with FAULT_SEED=<the seed printed>.
import { afterAll, describe, expect, it } from 'vitest';
import type { Fault } from '../support/creatio-simulator';
import { clock } from './call-load';
import { CALLS_PER_SECOND, CRM_OUTAGE_S, FAULT_SEED, LANES, runFault, sleep, summaryTable, type FaultContext, type FaultResult } from './fault-run';

const results: FaultResult[] = [];
const RESTART_AFTER_MS = 3_000;
/** The combined run keeps its CRM outage shorter: the single-fault run already covers the long one. */
const COMBINED_OUTAGE_S = Math.min(CRM_OUTAGE_S, 20);

/** 5xx, a request that never gets an answer (the client's timeout fires) and a reset, in turn. */
function crmOutage(context: FaultContext): void {
  const faults: Fault[] = [{ kind: 'status', status: 503 }, { kind: 'hang' }, { kind: 'status', status: 500 }, { kind: 'reset' }, { kind: 'status', status: 502 }];
  let next = 0;
  context.harness.creatio.failWhen(() => faults[next++ % faults.length]);
}

async function kill9(context: FaultContext): Promise<void> {
  const at = clock();
  await context.harness.connector.kill9();
  context.causedExits.push({ code: null, signal: 'SIGKILL' });
  context.blind(at - 1_000, clock() + 1_000);
}

async function restartConnector(context: FaultContext): Promise<number> {
  await context.harness.connector.spawn();
  await context.subscribed();
  return clock();
}

async function record(fault: string, options: { allowDuplicates?: boolean }, inject: (context: FaultContext) => Promise<number>): Promise<FaultResult> {
  const result = await runFault(fault, options, inject);
  results.push(result);
  return result;
}

function expectNothingLost(result: FaultResult): void {
  const context = `${result.fault} (seed ${result.seed}):\n${result.problems.join('\n')}\n--- connector log tail ---\n${result.logsTail}`;
  expect(result.exactCalls, context).toBeGreaterThan(0);
  expect(result.lost, context).toBe(0);
  expect(result.outOfOrder, context).toBe(0);
  expect(result.unexpected, context).toBe(0);
  const kills = result.causedExits.filter((exit) => exit.signal === 'SIGKILL').length;
  expect(result.duplicates, context).toBeLessThanOrEqual(result.allowDuplicates ? LANES * kills : 0);
  // The connector never exited on its own: only the exits the fault caused, and it runs at the end.
  expect(result.exits, context).toEqual(result.causedExits);
  expect(result.stillRunning, context).toBe(true);
}

describe('faults under a steady call load', () => {
  afterAll(() => {
    console.log(`\nFault suite, FAULT_SEED=${FAULT_SEED}, ${CALLS_PER_SECOND} calls/s, CRM outage ${CRM_OUTAGE_S} s\n${summaryTable(results)}\n`);
  });

  it('1. kill -9 of the connector, restarted 3 s later: duplicates only within the at-least-once window', async () => {
    const result = await record('kill -9', { allowDuplicates: true }, async (context) => {
      await kill9(context);
      await sleep(RESTART_AFTER_MS);
      return restartConnector(context);
    });
    expectNothingLost(result);
  });

  it('2. Redis killed and restarted from its AOF', async () => {
    const result = await record('Redis restart', {}, async ({ harness }) => {
      await harness.redis.kill();
      await sleep(RESTART_AFTER_MS);
      await harness.redis.restart();
      return clock();
    });
    expectNothingLost(result);
  });

  it(`3. the CRM answers 5xx, times out and resets connections for ${CRM_OUTAGE_S} s`, async () => {
    const result = await record(`CRM outage ${CRM_OUTAGE_S} s`, {}, async (context) => {
      crmOutage(context);
      await sleep(CRM_OUTAGE_S * 1_000);
      context.harness.creatio.clearFaults();
      return clock();
    });
    expectNothingLost(result);
  });

  it('4. every CRM session expires at once', async () => {
    const result = await record('CRM sessions expired', {}, async ({ harness }) => {
      const loginsBefore = harness.creatio.loginCount;
      harness.creatio.expireAllSessions();
      const at = clock();
      await harness.freeswitch.waitUntil(() => (harness.creatio.loginCount > loginsBefore ? true : undefined), 10_000, 'a new login');
      return at;
    });
    expectNothingLost(result);
  });

  it('5a. the ESL connection drops in the middle of calls', async () => {
    const result = await record('ESL dropped', {}, async (context) => {
      const at = clock();
      context.harness.freeswitch.dropConnections();
      context.blind(at - 1_000, (await context.subscribed()) + 1_000);
      return at;
    });
    expectNothingLost(result);
  });

  it('5b. FreeSWITCH restarts with a new Core-UUID: its calls are closed out', async () => {
    const result = await record('FreeSWITCH restart', {}, async (context) => {
      const at = clock();
      context.log(`${context.load.abortInProgress()} calls up when FreeSWITCH restarts`);
      context.harness.freeswitch.restart();
      context.blind(at - 1_000, (await context.subscribed()) + 1_000);
      return at;
    });
    expectNothingLost(result);
    expect(result.logsTail).toMatch(/FreeSWITCH restarted/);
  });

  it('6. ESL silence without a socket close: the connector gives up on the socket and reconnects', async () => {
    const result = await record('ESL silence', {}, async (context) => {
      const at = clock();
      context.harness.freeswitch.goSilent();
      const back = await context.subscribed(30_000);
      context.log(`resubscribed ${((back - at) / 1_000).toFixed(1)} s after the silence began`);
      context.blind(at - 1_000, back + 1_000);
      return at;
    });
    expectNothingLost(result);
  });

  it('7. SIGTERM under load, restarted 3 s later: exits 0, nothing twice', async () => {
    const result = await record('SIGTERM', {}, async (context) => {
      const at = clock();
      const code = await context.harness.connector.terminate();
      context.causedExits.push({ code: 0, signal: null });
      context.log(`exited with ${code} ${((clock() - at) / 1_000).toFixed(1)} s after SIGTERM`);
      context.blind(at - 1_000, clock() + 1_000);
      await sleep(RESTART_AFTER_MS);
      return restartConnector(context);
    });
    expectNothingLost(result);
  });

  it(`8. combined: a ${COMBINED_OUTAGE_S} s CRM outage with sessions expired, kill -9, Redis restart, ESL drop and FreeSWITCH restart inside it`, async () => {
    const result = await record('combined', { allowDuplicates: true }, async (context) => {
      const { harness } = context;
      const start = clock();
      crmOutage(context);
      await sleep(2_000);
      harness.creatio.expireAllSessions();
      await sleep(2_000);
      await kill9(context);
      await harness.redis.kill();
      await sleep(RESTART_AFTER_MS);
      await harness.redis.restart();
      await restartConnector(context);
      let at = clock();
      harness.freeswitch.dropConnections();
      context.blind(at - 1_000, (await context.subscribed()) + 1_000);
      await sleep(2_000);
      at = clock();
      context.load.abortInProgress();
      harness.freeswitch.restart();
      context.blind(at - 1_000, (await context.subscribed()) + 1_000);
      await sleep(Math.max(0, start + COMBINED_OUTAGE_S * 1_000 - clock()));
      harness.creatio.clearFaults();
      return clock();
    });
    expectNothingLost(result);
  });
});
