// The most calls per second each pipeline sustains: a step ramp on one rig, each step held for a while;
// the ramp stops at the first step whose p99 passes the limit or that leaves the pipeline behind.
import { ms, sleep } from '../bench-kit';
import { PIPELINE_NAMES, startRig, type PipelineKind } from '../e2e-rig';
import { measuredLoad, warmUp, type LoadRunResult } from '../load-run';
import type { BenchSettings } from '../settings';
import { defineSuite, fixed, progress, table } from '../suite';

export interface RampStep {
  run: LoadRunResult;
  passed: boolean;
  why: string;
}

export interface PipelineRamp {
  kind: PipelineKind;
  steps: RampStep[];
  /** The highest rate that passed; 0 when the first step failed already. */
  maxSustained: number;
}

/** Behind = more than one second's worth of requests still outstanding when the step's load ended. */
function judge(run: LoadRunResult, p99LimitMs: number): RampStep {
  const behind = run.outstandingAtEnd > run.rate * 4;
  const reasons = [
    run.latency.p99 > p99LimitMs ? `p99 ${ms(run.latency.p99)} > ${p99LimitMs} ms` : '',
    behind ? `backlog: ${run.outstandingAtEnd} requests outstanding at the end` : '',
    run.missing > 0 ? `${run.missing} requests missing` : '',
  ].filter(Boolean);
  return { run, passed: reasons.length === 0, why: reasons.join('; ') || 'ok' };
}

export async function runRamp(settings: BenchSettings): Promise<PipelineRamp[]> {
  const results: PipelineRamp[] = [];
  for (const kind of ['ours', 'naive'] as const) {
    const rig = await startRig(kind);
    const steps: RampStep[] = [];
    try {
      await warmUp(rig);
      for (const rate of settings.rampRates) {
        progress(`ramp: ${kind} at ${rate} calls/s for ${settings.rampStepSeconds} s`);
        const step = judge(await measuredLoad(rig, rate, settings.rampStepSeconds, 30_000), settings.rampP99LimitMs);
        steps.push(step);
        if (!step.passed) break;
        await sleep(2_000);
      }
    } finally {
      await rig.close();
    }
    results.push({ kind, steps, maxSustained: Math.max(0, ...steps.filter((s) => s.passed).map((s) => s.run.rate)) });
  }
  return results;
}

export const rampSuite = defineSuite({
  name: 'ramp',
  title: 'Maximum sustained calls/s',
  run: runRamp,
  render: (results, settings) =>
    [
      `A step ramp (${settings.rampRates.join(', ')} calls/s), each step held ${settings.rampStepSeconds} s on one rig after 5 s of unmeasured warm-up; the ramp ` +
        `stops at the first step whose p99 passes ${settings.rampP99LimitMs} ms, that ends with more than a second's worth of ` +
        'requests outstanding (the pipeline falling behind), or that loses a request.',
      '',
      table(
        ['pipeline', 'max sustained calls/s'],
        results.map((r) => [PIPELINE_NAMES[r.kind], r.maxSustained > 0 ? String(r.maxSustained) : `< ${settings.rampRates[0]}`]),
      ),
      '',
      table(
        ['pipeline', 'calls/s (achieved)', 'p50', 'p99', 'max', 'CPU', 'Redis CPU', 'machine busy', 'peak RSS', 'outstanding at end', 'verdict'],
        results.flatMap((r) =>
          r.steps.map((s) => [
            PIPELINE_NAMES[r.kind],
            `${s.run.rate} (${fixed(s.run.achievedRate)})`,
            ms(s.run.latency.p50),
            ms(s.run.latency.p99),
            ms(s.run.latency.max),
            `${fixed(s.run.cpuPercent)} %`,
            `${fixed(s.run.redisCpuPercent)} %`,
            `${fixed(s.run.machineBusyPercent)} %`,
            `${fixed(s.run.peakRssMb)} MB`,
            String(s.run.outstandingAtEnd),
            s.why,
          ]),
        ),
      ),
    ].join('\n'),
});
