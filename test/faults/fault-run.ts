// One fault run: the whole product on loopback under a steady seeded call load, a fault injected by the
// caller's script, then the load stopped, the backlog awaited and the CRM's requests judged.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startHarness, type Harness } from '../e2e/connector-harness';
import { seededRandom } from '../support/freeswitch/wire';
import { CallLoad, clock } from './call-load';
import { judge, type BlindWindow, type FaultVerdict } from './fault-verdict';
import { CallMix, PUBLIC_BASE_URL, WEBAPI_TOKEN } from './scripted-calls';

export const FAULT_SEED = process.env.FAULT_SEED ? Number(process.env.FAULT_SEED) : Math.floor(Math.random() * 2 ** 31);
export const CALLS_PER_SECOND = Number(process.env.FAULT_CALLS_PER_S ?? 20);
/** The CRM outage of fault 3 (the issue asks for 60 s; CI may shorten it). */
export const CRM_OUTAGE_S = Number(process.env.FAULT_CRM_OUTAGE_S ?? 60);
/** Lanes of the connector under test: kill -9 may repeat at most the request in flight on each. */
export const LANES = 8;
const ESL_SILENCE_TIMEOUT_S = 5;
const WARMUP_MS = 3_000;
const AFTER_FAULT_MS = 5_000;
const DRAIN_TIMEOUT_MS = 90_000;
/** Longer than the longest retry delay (DELIVERY_RETRY_MAX) plus the CRM timeout, and than the order gate takes to drop an orphaned head (30 s). */
const STALL_MS = 35_000;
/** Events written this long before a connector died or its socket dropped may never have been handled. */
const IN_FLIGHT_MARGIN_MS = 1_000;

/** How the connector under test runs: retries capped at 5 s so recovery shows in seconds, not minutes. */
export const FAULT_ENV: Readonly<Record<string, string>> = {
  DELIVERY_CONCURRENCY: String(LANES),
  DELIVERY_RETRY_MAX: '5s',
  CRM_TIMEOUT_MS: '2000',
  FS_ESL_SILENCE_TIMEOUT: `${ESL_SILENCE_TIMEOUT_S}s`,
  WEBAPI_TOKEN,
  MAKECALL_RATE_LIMIT: '100000',
  PUBLIC_BASE_URL,
};

export interface FaultContext {
  readonly harness: Harness;
  readonly load: CallLoad;
  /** Events played in [from, to] may not have reached the connector: their calls are judged as closed out. */
  blind(from: number, to: number): void;
  /** Marks the in-flight margin before an ESL-side fault at `at`, and the moment after it. */
  blindAround(at: number): void;
  /** Resolves once a connector is subscribed to events again. */
  subscribed(timeoutMs?: number): Promise<number>;
  /** The connector's exits this fault causes on purpose (anything else is an exit on its own). */
  readonly causedExits: Array<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly log: (line: string) => void;
}

export interface FaultResult extends FaultVerdict {
  fault: string;
  seed: number;
  allowDuplicates: boolean;
  exits: Array<{ code: number | null; signal: NodeJS.Signals | null }>;
  causedExits: Array<{ code: number | null; signal: NodeJS.Signals | null }>;
  stillRunning: boolean;
  makecallRefused: number;
  logsTail: string;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A seed per fault derived from the suite's seed, so FAULT_SEED replays every fault. */
function seedFor(fault: string): number {
  let hash = FAULT_SEED >>> 0;
  for (const char of fault) hash = (Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0);
  return hash;
}

/** Runs `inject` under load; it returns the moment the fault ended. */
export async function runFault(fault: string, options: { allowDuplicates?: boolean }, inject: (context: FaultContext) => Promise<number>): Promise<FaultResult> {
  const seed = seedFor(fault);
  const random = seededRandom(seed);
  const recordingsDir = mkdtempSync(join(tmpdir(), 'cc360-faults-rec-'));
  const harness = await startHarness({ ...FAULT_ENV, RECORDINGS_DIR: recordingsDir }, { freeswitch: { heartbeatIntervalMs: 1_000 } });
  scriptMakecall(harness);
  const record = (path: string) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'ID3 fault suite');
  };
  const mix = new CallMix(random, recordingsDir, record);
  const load = new CallLoad(harness.freeswitch, mix, random, () => `http://127.0.0.1:${harness.connector.httpPort}`, CALLS_PER_SECOND);
  const windows: BlindWindow[] = [];
  const causedExits: FaultResult['causedExits'] = [];
  const log = (line: string) => console.log(`[${fault}] ${line}`);
  const context: FaultContext = {
    harness,
    load,
    blind: (from, to) => windows.push({ from, to }),
    blindAround: (at) => windows.push({ from: at - IN_FLIGHT_MARGIN_MS, to: at + IN_FLIGHT_MARGIN_MS }),
    subscribed: (timeoutMs = 30_000) => harness.freeswitch.waitUntil(() => (harness.freeswitch.subscribedConnections > 0 ? clock() : undefined), timeoutMs, 'a subscribed connector'),
    causedExits,
    log,
  };
  try {
    log(`seed ${seed} (FAULT_SEED=${FAULT_SEED}), ${CALLS_PER_SECOND} calls/s`);
    load.start();
    await sleep(WARMUP_MS);
    const faultEnd = await inject(context);
    await sleep(AFTER_FAULT_MS);
    await load.stop();
    const verdictNow = () => judge(load.played, harness.creatio.accepted, windows, faultEnd);
    // Wait for the backlog until nothing is missing, or nothing new arrived for a while (a real loss).
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    let seen = -1;
    let progressAt = Date.now();
    while (verdictNow().lost > 0 && Date.now() < deadline && Date.now() - progressAt < STALL_MS) {
      if (harness.creatio.accepted.length !== seen) [seen, progressAt] = [harness.creatio.accepted.length, Date.now()];
      await sleep(250);
    }
    // Redeliveries of kill -9's in-flight requests come after the takeover delay (2 s in the harness).
    await sleep(3_000);
    const verdict = verdictNow();
    const stillRunning = harness.connector.running;
    const result: FaultResult = {
      ...verdict,
      fault,
      seed,
      allowDuplicates: options.allowDuplicates ?? false,
      exits: [...harness.connector.exits],
      causedExits,
      stillRunning,
      makecallRefused: load.makecallRefused,
      logsTail: harness.connector.logs.slice(-4_000),
    };
    log(`${verdict.calls} calls (${verdict.exactCalls} exact, ${verdict.closedOutCalls} closed out), ${verdict.expected} expected, ${verdict.received} received, ` +
      `lost ${verdict.lost}, out of order ${verdict.outOfOrder}, duplicates ${verdict.duplicates}, unexpected ${verdict.unexpected}`);
    for (const line of verdict.problems) log(`  ${line}`);
    return result;
  } finally {
    await load.stop().catch(() => undefined);
    await harness.close();
    rmSync(recordingsDir, { recursive: true, force: true });
  }
}

/** FreeSWITCH's side of click-to-call: every agent exists and is registered, originate succeeds. */
function scriptMakecall(harness: Harness): void {
  const fs = harness.freeswitch;
  fs.handleApi('global_getvar', (args) => (args === 'domain' ? 'pbx.example.com' : undefined));
  fs.handleApi('user_exists', () => 'true');
  fs.handleApi('sofia_contact', (args) => `sofia/internal/sip:${args.slice(2, 5)}@10.0.0.5:5060`);
  fs.handleApi('originate', (args) => `+OK ${/origination_uuid=([0-9a-f-]+)/.exec(args)?.[1] ?? ''}\n`);
}

/** The summary table, one row per fault. */
export function summaryTable(results: readonly FaultResult[]): string {
  const seconds = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(1));
  const header = ['fault', 'calls (exact/closed out)', 'requests expected/received', 'closed-out calls: requests', 'lost', 'out of order', 'duplicates', 'unexpected', 'recovery s (1st delivery / new call / drained)'];
  const rows = results.map((r) => [
    r.fault,
    `${r.calls} (${r.exactCalls}/${r.closedOutCalls})`,
    `${r.expected}/${r.received}`,
    String(r.closedOutReceived),
    String(r.lost),
    String(r.outOfOrder),
    String(r.duplicates),
    String(r.unexpected),
    `${seconds(r.firstDeliveryS)} / ${seconds(r.newCallS)} / ${seconds(r.drainedS)}`,
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
