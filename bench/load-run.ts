// One measured stretch of steady call load on a rig: latency percentiles (ESL event written → CRM
// request received), the pipeline process's CPU and peak RSS, and what was still outstanding when the
// load stopped (a growing backlog).
import Redis from 'ioredis';
import { machineTicks, now, processUsage, redisCpuSeconds, type Percentiles } from './bench-kit';
import { ArrivalTracker } from './arrival-tracker';
import { runCallLoad } from './call-load';
import type { Rig } from './e2e-rig';

export interface LoadRunResult {
  rate: number;
  /** Calls per second the load generator really started (below `rate` when this process was starved). */
  achievedRate: number;
  seconds: number;
  latency: Percentiles;
  expected: number;
  delivered: number;
  missing: number;
  duplicates: number;
  orderViolations: number;
  /** CPU of the pipeline process while the load ran, in % of one core. */
  cpuPercent: number;
  /** Redis's CPU meanwhile, in % of one core. */
  redisCpuPercent: number;
  /** The whole machine's CPU busy meanwhile, in % of all cores (near 100: saturated, figures are bounds). */
  machineBusyPercent: number;
  peakRssMb: number;
  /** Requests expected but not yet at the CRM when the last event was written. */
  outstandingAtEnd: number;
  /** The load generator's worst delay against its schedule (a busy bench process). */
  loadLagMs: number;
}

export async function measuredLoad(rig: Rig, rate: number, seconds: number, settleMs = 60_000): Promise<LoadRunResult> {
  const tracker = new ArrivalTracker(rig.crm);
  const redis = new Redis(rig.redisUrl);
  let peakRssMb = processUsage(rig.pid).rssMb;
  const sampler = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, processUsage(rig.pid).rssMb);
  }, 200);
  try {
    const before = processUsage(rig.pid);
    const redisBefore = await redisCpuSeconds(redis);
    const machineBefore = machineTicks();
    const started = now();
    const load = await runCallLoad(rig.freeswitch, { rate, seconds, onExpected: (request) => tracker.expect(request) });
    const after = processUsage(rig.pid);
    const machineAfter = machineTicks();
    const wall = (now() - started) / 1000;
    const redisCpuPercent = ((await redisCpuSeconds(redis)) - redisBefore) / wall * 100;
    const outstandingAtEnd = tracker.outstanding;
    await tracker.settle(settleMs);
    const result = tracker.result();
    return {
      rate,
      // The last call starts 1.5 s before its last event.
      achievedRate: load.calls / Math.max(wall - 1.5, 0.001),
      seconds,
      latency: result.latency,
      expected: result.expected,
      delivered: result.delivered,
      missing: result.missing,
      duplicates: result.duplicates,
      orderViolations: result.orderViolations,
      cpuPercent: ((after.cpuSeconds - before.cpuSeconds) / wall) * 100,
      redisCpuPercent,
      machineBusyPercent: ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100,
      peakRssMb,
      outstandingAtEnd,
      loadLagMs: load.maxLagMs,
    };
  } finally {
    clearInterval(sampler);
    tracker.stop();
    redis.disconnect();
  }
}

/** A few seconds of calls nobody measures: the pipeline's code is compiled hot and its connections open. */
export async function warmUp(rig: Rig, seconds = 5): Promise<void> {
  await measuredLoad(rig, 50, seconds, 10_000);
}
