// End-to-end latency at 50 and 200 answered calls per second, for the connector and the naive baseline,
// each on a fresh rig: ESL event written → CRM request received, with the pipeline's CPU and memory.
import { ms, sleep } from '../bench-kit';
import { PIPELINE_NAMES, startRig, type PipelineKind } from '../e2e-rig';
import { measuredLoad, warmUp, type LoadRunResult } from '../load-run';
import { defineSuite, fixed, progress, table } from '../suite';

export const LATENCY_RATES = [50, 200];

export interface PipelineLatency {
  kind: PipelineKind;
  runs: LoadRunResult[];
}

export async function runLatency(seconds: number): Promise<PipelineLatency[]> {
  const results: PipelineLatency[] = [];
  for (const kind of ['ours', 'naive'] as const) {
    const rig = await startRig(kind);
    try {
      await warmUp(rig);
      const runs: LoadRunResult[] = [];
      for (const rate of LATENCY_RATES) {
        progress(`latency: ${kind} at ${rate} calls/s for ${seconds} s`);
        runs.push(await measuredLoad(rig, rate, seconds));
        await sleep(2_000);
      }
      results.push({ kind, runs });
    } finally {
      await rig.close();
    }
  }
  return results;
}

/** The row of one load run, shared with the other end-to-end sections. */
export function loadRow(name: string, run: LoadRunResult): string[] {
  return [
    name,
    `${run.rate} (${fixed(run.achievedRate)})`,
    `${run.delivered}/${run.expected}`,
    ms(run.latency.p50),
    ms(run.latency.p95),
    ms(run.latency.p99),
    ms(run.latency.max),
    `${fixed(run.cpuPercent)} %`,
    `${fixed(run.peakRssMb)} MB`,
    `${fixed(run.redisCpuPercent)} %`,
    `${fixed(run.machineBusyPercent)} %`,
    String(run.orderViolations),
  ];
}

export const LOAD_HEAD = ['pipeline', 'calls/s (achieved)', 'requests delivered', 'p50', 'p95', 'p99', 'max', 'CPU', 'peak RSS', 'Redis CPU', 'machine busy', 'order violations'];

export const latencySuite = defineSuite({
  name: 'latency',
  title: 'End-to-end latency at 50 and 200 calls/s',
  run: (settings) => runLatency(settings.latencySeconds),
  render: (results, settings) =>
    [
      `Answered calls (4 CRM requests each: ringing, answer, hangup, summary), ${settings.latencySeconds} s per rate, ` +
        'CRM answering at once, each pipeline on a fresh rig after 5 s of unmeasured warm-up calls. Latency: the agent leg\'s event written on the ESL socket → the request received by the ' +
        'Creatio simulator (its own process). CPU in % of one core and peak RSS of the pipeline process; Redis CPU in % of one core; ' +
        'machine busy: all cores together, everything on the machine (near 100 %: the machine is saturated and the latency is a bound).',
      '',
      table(LOAD_HEAD, results.flatMap((r) => r.runs.map((run) => loadRow(PIPELINE_NAMES[r.kind], run)))),
    ].join('\n'),
});
