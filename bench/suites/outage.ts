// The backlog after a CRM outage: calls go on at 50/s while every CC360 request is answered 503 for
// BENCH_OUTAGE_MIN minutes; then the CRM comes back and we time how long the queued requests take to
// arrive, check that none is missing and that each call's requests for its agent arrived in order.
import { ms, now, processUsage, sleep, type Percentiles } from '../bench-kit';
import { ArrivalTracker } from '../arrival-tracker';
import { runCallLoad } from '../call-load';
import { startRig } from '../e2e-rig';
import type { BenchSettings } from '../settings';
import { defineSuite, fixed, progress, table } from '../suite';

/** Longest we wait for the backlog after the CRM is back (retries are at most 5 min apart by default). */
const DRAIN_LIMIT_MS = 20 * 60_000;

export interface OutageResult {
  outageMinutes: number;
  rate: number;
  /** Requests queued when the CRM came back. */
  backlog: number;
  /** Failed attempts the CRM answered 503 during the outage. */
  refusedAttempts: number;
  /** From the CRM's return until the last queued request arrived; undefined when it never did. */
  drainSeconds: number | undefined;
  expected: number;
  delivered: number;
  missing: number;
  duplicates: number;
  orderViolations: number;
  /** Requests of calls made after the CRM came back, while the backlog drained. */
  newCallsLatency: Percentiles;
  cpuOutagePercent: number;
  cpuDrainPercent: number;
  peakRssMb: number;
}

export async function runOutage(settings: BenchSettings): Promise<OutageResult> {
  const rig = await startRig('ours');
  const tracker = new ArrivalTracker(rig.crm);
  const abort = new AbortController();
  let peakRssMb = 0;
  const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, processUsage(rig.pid).rssMb)), 1_000);
  try {
    rig.crm.outage(true);
    const start = processUsage(rig.pid);
    const load = runCallLoad(rig.freeswitch, { rate: settings.outageRate, seconds: Infinity, signal: abort.signal, onExpected: (r) => tracker.expect(r) });
    const outageEnd = Date.now() + settings.outageMinutes * 60_000;
    while (Date.now() < outageEnd) {
      await sleep(Math.min(30_000, outageEnd - Date.now()));
      progress(`outage: ${tracker.outstanding} requests queued, ${rig.crm.refused} attempts refused`);
    }
    const healAt = now();
    rig.crm.outage(false);
    const refusedAttempts = rig.crm.refused;
    const heal = processUsage(rig.pid);
    const backlog = tracker.markBacklog(healAt);
    const drainLimit = Date.now() + DRAIN_LIMIT_MS;
    while (tracker.backlogDrainMs === undefined && Date.now() < drainLimit) {
      await sleep(5_000);
      progress(`outage: CRM back, ${tracker.backlogLeft} of ${backlog} queued requests still to arrive`);
    }
    const drained = processUsage(rig.pid);
    const drainedAt = now();
    abort.abort();
    await load;
    await tracker.settle(120_000);
    const result = tracker.result();
    const cpu = (from: typeof start, to: typeof start, seconds: number) => ((to.cpuSeconds - from.cpuSeconds) / seconds) * 100;
    return {
      outageMinutes: settings.outageMinutes,
      rate: settings.outageRate,
      backlog,
      refusedAttempts,
      drainSeconds: tracker.backlogDrainMs === undefined ? undefined : tracker.backlogDrainMs / 1000,
      expected: result.expected,
      delivered: result.delivered,
      missing: result.missing,
      duplicates: result.duplicates,
      orderViolations: result.orderViolations,
      newCallsLatency: tracker.latency(healAt),
      cpuOutagePercent: cpu(start, heal, settings.outageMinutes * 60),
      cpuDrainPercent: cpu(heal, drained, (drainedAt - healAt) / 1000),
      peakRssMb,
    };
  } finally {
    clearInterval(sampler);
    abort.abort();
    tracker.stop();
    await rig.close();
  }
}

export const outageSuite = defineSuite({
  name: 'outage',
  title: 'Backlog drain after a CRM outage',
  run: runOutage,
  render: (r) => {
    const drain = r.drainSeconds;
    return [
      `cc360-bridge with its default retry policy (DELIVERY_RETRY_INITIAL 1 s, DELIVERY_RETRY_MAX 5 min, jittered). Answered calls ` +
        `at ${r.rate}/s throughout; the CRM answers every CC360 request 503 for **${fixed(r.outageMinutes, 1)} minutes** ` +
        '(BENCH_OUTAGE_MIN), then normally. The first request the CRM accepts again wakes every backed-off request, so the ' +
        'drain runs at delivery speed rather than waiting out the backoffs.',
      '',
      table(['measured', 'value'], [
        ['requests queued when the CRM came back', String(r.backlog)],
        ['attempts refused (503) during the outage', String(r.refusedAttempts)],
        ['time until the last queued request arrived', drain === undefined ? 'not within 20 min' : `${fixed(drain, 1)} s`],
        ['drain rate (queued requests / that time)', drain === undefined ? '–' : `${fixed(r.backlog / drain)} requests/s`],
        ['requests expected / delivered / missing', `${r.expected} / ${r.delivered} / ${r.missing}`],
        ['**order violations** (a call\'s request for an agent arriving after a later one)', `**${r.orderViolations}**`],
        ['duplicates (a request arriving twice)', String(r.duplicates)],
        ['latency of new calls\' requests during the drain: p50 / p99 / max', `${ms(r.newCallsLatency.p50)} / ${ms(r.newCallsLatency.p99)} / ${ms(r.newCallsLatency.max)}`],
        ['connector CPU during the outage / during the drain', `${fixed(r.cpuOutagePercent)} % / ${fixed(r.cpuDrainPercent)} %`],
        ['connector peak RSS', `${fixed(r.peakRssMb)} MB`],
      ]),
    ].join('\n');
  },
});
