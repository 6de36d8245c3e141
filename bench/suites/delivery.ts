// Delivery alone, in this process: added latency at a steady 200 notifications/s, and throughput for
// N calls × 4 notifications published at once to a CRM answering in 20 ms; cc360-bridge's ordered delivery
// and the naive BullMQ worker in the same run on the same Redis (AOF everysec).
import type { CrmNotification } from '@cc360/calls';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { answeredCall } from '../../test/support/call-notifications';
import { RedisServer } from '../../test/support/redis-server';
import { CrmProcess, ms, now, redisCpuSeconds, sleep, summarize, type Percentiles } from '../bench-kit';
import { naivePipeline, ourPipeline, type DeliveryPipeline } from '../delivery-pipelines';
import { PIPELINE_NAMES, type PipelineKind } from '../e2e-rig';
import type { BenchSettings } from '../settings';
import { defineSuite, fixed, progress, table } from '../suite';

const LATENCY_RATE = 200;
/** When each notification of a short answered call is produced, from the call's start. */
const STEP_OFFSETS_MS = [0, 300, 900, 905];
const CONCURRENCY = 128;

export interface DeliveryResult {
  kind: PipelineKind;
  latency: Percentiles & { expected: number; cpuPercent: number };
  throughput: { arrived: number; expected: number; seconds: number; perSecond: number; cpuPercent: number; redisCpuPercent: number };
}

async function latencyRun(pipeline: DeliveryPipeline, crm: CrmProcess, runId: string, seconds: number) {
  const callsPerSecond = LATENCY_RATE / STEP_OFFSETS_MS.length;
  const schedule: Array<{ at: number; notification: CrmNotification }> = [];
  for (let i = 0; i < Math.round(callsPerSecond * seconds); i++) {
    answeredCall(`${runId}-${i}`, String(100 + (i % 500))).forEach((notification, step) =>
      schedule.push({ at: (i * 1_000) / callsPerSecond + STEP_OFFSETS_MS[step], notification }),
    );
  }
  schedule.sort((a, b) => a.at - b.at);
  const producedAt = new Map<string, number>();
  const latencies: number[] = [];
  const stopListening = crm.onArrival((arrival) => {
    const produced = producedAt.get(`${arrival.id}|${arrival.step}`);
    if (produced !== undefined) latencies.push(arrival.receivedAt - produced);
  });
  const cpuBefore = process.cpuUsage();
  const started = now();
  for (let next = 0; next < schedule.length; await sleep(1)) {
    while (next < schedule.length && schedule[next].at <= now() - started) {
      const { notification } = schedule[next++];
      producedAt.set(`${notification.callId}|${notification.type === 'ringing' ? notification.eventName : 'summary'}`, now());
      pipeline.publish(notification);
    }
  }
  const deadline = Date.now() + 30_000;
  while (latencies.length < schedule.length && Date.now() < deadline) await sleep(20);
  const cpu = process.cpuUsage(cpuBefore);
  stopListening();
  return { ...summarize(latencies), expected: schedule.length, cpuPercent: ((cpu.user + cpu.system) / 1e4 / ((now() - started) / 1000)) };
}

async function throughputRun(pipeline: DeliveryPipeline, crm: CrmProcess, runId: string, admin: Redis, calls: number) {
  const notifications = Array.from({ length: calls }, (_, i) => answeredCall(`${runId}-${i}`, String(100 + (i % 500)))).flat();
  let arrived = 0;
  let last = 0;
  const stopListening = crm.onArrival((arrival) => {
    arrived++;
    last = Math.max(last, arrival.receivedAt);
  });
  const redisCpuBefore = await redisCpuSeconds(admin);
  const cpuBefore = process.cpuUsage();
  const started = now();
  for (const notification of notifications) pipeline.publish(notification);
  const deadline = Date.now() + 120_000;
  while (arrived < notifications.length && Date.now() < deadline) await sleep(20);
  stopListening();
  const seconds = (last - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const redisCpu = (await redisCpuSeconds(admin)) - redisCpuBefore;
  return {
    arrived, expected: notifications.length, seconds, perSecond: arrived / seconds,
    cpuPercent: (cpu.user + cpu.system) / 1e4 / seconds, redisCpuPercent: (redisCpu / seconds) * 100,
  };
}

export async function runDelivery(settings: BenchSettings): Promise<DeliveryResult[]> {
  Logger.overrideLogger(['error', 'warn']);
  const redis = await RedisServer.start({ appendOnly: true, appendFsync: 'everysec' });
  const admin = new Redis(redis.url);
  const crm = await CrmProcess.start(0);
  const results: DeliveryResult[] = [];
  try {
    for (const kind of ['ours', 'naive'] as const) {
      progress(`delivery: ${kind}`);
      await admin.flushall();
      crm.configure(0);
      const pipeline = kind === 'ours' ? await ourPipeline(redis.url, crm, CONCURRENCY) : naivePipeline(redis.url, crm, CONCURRENCY);
      await sleep(500);
      const latency = await latencyRun(pipeline, crm, `lat-${kind}`, settings.deliveryLatencySeconds);
      crm.configure(20);
      await sleep(200);
      const throughput = await throughputRun(pipeline, crm, `thr-${kind}`, admin, settings.deliveryThroughputCalls);
      await pipeline.stop();
      results.push({ kind, latency, throughput });
    }
  } finally {
    await crm.stop();
    admin.disconnect();
    await redis.destroy();
  }
  return results;
}

export const deliverySuite = defineSuite({
  name: 'delivery',
  title: 'Delivery throughput: cc360-bridge vs naive BullMQ',
  run: runDelivery,
  render: (results, settings) => {
    const [ours, naive] = results;
    return [
      `Delivery alone (no ESL), in one process, ${CONCURRENCY} lanes for cc360-bridge and the same concurrency for the ` +
        'naive worker (bench/naive-delivery.ts: one BullMQ queue, no per-call order, no duplicate suppression), same Redis. ' +
        `Latency: produced → received by the simulated CRM at ${LATENCY_RATE} notifications/s for ${settings.deliveryLatencySeconds} s, ` +
        `CRM answering at once. Throughput: ${settings.deliveryThroughputCalls} calls × 4 notifications published at once, CRM answering in 20 ms.`,
      '',
      table(
        ['pipeline', 'p50', 'p95', 'p99', 'max', 'delivered', 'throughput', 'in', 'CPU (this process)', 'Redis CPU'],
        results.map((r) => [
          PIPELINE_NAMES[r.kind], ms(r.latency.p50), ms(r.latency.p95), ms(r.latency.p99), ms(r.latency.max),
          `${r.latency.count}/${r.latency.expected}`, `${fixed(r.throughput.perSecond)} notifications/s`,
          `${r.throughput.arrived}/${r.throughput.expected} in ${fixed(r.throughput.seconds, 2)} s`,
          `${fixed(r.throughput.cpuPercent)} %`, `${fixed(r.throughput.redisCpuPercent)} %`,
        ]),
      ),
      '',
      ours && naive ? `Throughput ratio, cc360-bridge / naive: ${fixed(ours.throughput.perSecond / naive.throughput.perSecond, 2)}.` : '',
    ].join('\n');
  },
});
