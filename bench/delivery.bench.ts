// Delivery benchmark: added latency at a steady 200 notifications/s and throughput for 1,000 concurrent
// calls against a CRM answering in 20 ms, for cc360-bridge's ordered delivery and for a naive BullMQ
// worker (no order, no dedup) measured in the same run on the same Redis. Prints a table.
import type { CrmNotification } from '@cc360/calls';
import { CrmClient } from '@cc360/crm';
import { createLaneQueues, Delivery, DELIVERY_DEFAULTS } from '@cc360/delivery';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { answeredCall } from '../test/support/call-notifications';
import { RedisServer } from '../test/support/redis-server';
import { CrmProcess, ms, now, sleep, summarize, type Arrival } from './bench-kit';
import { NaiveDelivery } from './naive-delivery';

const STEPS = ['ringing', 'answer', 'hangup', 'summary'] as const;
/** Seconds after the call starts at which each notification is produced (a short answered call). */
const STEP_OFFSETS_MS = [0, 300, 900, 905];
const LATENCY_RATE = 200;
const LATENCY_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const THROUGHPUT_CALLS = 1_000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 128);

interface Pipeline {
  name: string;
  publish(notification: CrmNotification): void;
  stop(): Promise<void>;
}

async function ourPipeline(redisUrl: string, crm: CrmProcess, laneCount: number): Promise<Pipeline> {
  const client = new CrmClient({
    baseUrl: crm.baseUrl, pathPrefix: '/0', token: crm.token, timeoutMs: 10_000,
    auth: { mode: 'session', username: 'Supervisor', password: 'Supervisor' },
  });
  const lanes = createLaneQueues(redisUrl, 'cc360', laneCount);
  const delivery = new Delivery(
    { ...DELIVERY_DEFAULTS, redisUrl, laneCount, consume: true, retry: { initialDelayMs: 1_000, maxDelayMs: 300_000, maxAgeMs: 86_400_000 }, logger: new Logger('bench') },
    lanes.queues,
    client,
  );
  await delivery.start();
  return {
    name: 'cc360-bridge (lanes + order gate + dedup)',
    publish: (notification) => void delivery.publish(notification),
    async stop() {
      await delivery.stop(5_000);
      await lanes.close();
      client.close();
    },
  };
}

async function naivePipeline(redisUrl: string, crm: CrmProcess, concurrency: number): Promise<Pipeline> {
  const client = new CrmClient({
    baseUrl: crm.baseUrl, pathPrefix: '/0', token: crm.token, timeoutMs: 10_000,
    auth: { mode: 'session', username: 'Supervisor', password: 'Supervisor' },
  });
  const naive = new NaiveDelivery(redisUrl, concurrency, client);
  naive.start();
  return {
    name: 'naive BullMQ worker (no order, no dedup)',
    publish: (notification) => void naive.publish(notification),
    async stop() {
      await naive.stop();
      client.close();
    },
  };
}

/** Produce → arrival at the CRM, at a steady rate of calls, each call's notifications spread in time. */
async function latencyRun(pipeline: Pipeline, crm: CrmProcess, runId: string) {
  const callsPerSecond = LATENCY_RATE / STEPS.length;
  const callCount = Math.round(callsPerSecond * LATENCY_SECONDS);
  const schedule: Array<{ at: number; notification: CrmNotification }> = [];
  for (let i = 0; i < callCount; i++) {
    const start = (i * 1_000) / callsPerSecond;
    answeredCall(`${runId}-${i}`, String(100 + (i % 500))).forEach((notification, step) =>
      schedule.push({ at: start + STEP_OFFSETS_MS[step], notification }),
    );
  }
  schedule.sort((a, b) => a.at - b.at);

  const producedAt = new Map<string, number>();
  const latencies: number[] = [];
  const stopListening = crm.onArrival((arrival: Arrival) => {
    const produced = producedAt.get(`${arrival.id}|${arrival.step}`);
    if (produced !== undefined) latencies.push(arrival.receivedAt - produced);
  });
  const cpuBefore = process.cpuUsage();
  const started = now();
  let next = 0;
  while (next < schedule.length) {
    const elapsed = now() - started;
    while (next < schedule.length && schedule[next].at <= elapsed) {
      const { notification } = schedule[next++];
      const step = notification.type === 'ringing' ? notification.eventName : 'summary';
      producedAt.set(`${notification.callId}|${step}`, now());
      pipeline.publish(notification);
    }
    await sleep(1);
  }
  const deadline = Date.now() + 30_000;
  while (latencies.length < schedule.length && Date.now() < deadline) await sleep(20);
  const cpu = process.cpuUsage(cpuBefore);
  const wallSeconds = (now() - started) / 1000;
  stopListening();
  return { ...summarize(latencies), expected: schedule.length, cpuPercent: ((cpu.user + cpu.system) / 1e6 / wallSeconds) * 100 };
}

/** 1,000 calls × 4 notifications published at once; time until the CRM has all 4,000. */
async function redisCpuSeconds(admin: Redis): Promise<number> {
  const info = await admin.info('cpu');
  const value = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return value('used_cpu_sys') + value('used_cpu_user');
}

async function throughputRun(pipeline: Pipeline, crm: CrmProcess, runId: string, admin: Redis) {
  const notifications = Array.from({ length: THROUGHPUT_CALLS }, (_, i) => answeredCall(`${runId}-${i}`, String(100 + (i % 500)))).flat();
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
    cpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100, redisCpuPercent: (redisCpu / seconds) * 100,
  };
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error', 'warn']);
  const redis = await RedisServer.start({ appendOnly: true, appendFsync: 'everysec' });
  const admin = new Redis(redis.url);
  const crm = await CrmProcess.start(0);
  const rows: string[] = [];
  try {
    const makers = process.env.BENCH_ONLY === 'ours' ? [() => ourPipeline(redis.url, crm, CONCURRENCY)] : process.env.BENCH_ONLY === 'naive' ? [() => naivePipeline(redis.url, crm, CONCURRENCY)] : [
      () => ourPipeline(redis.url, crm, CONCURRENCY),
      () => naivePipeline(redis.url, crm, CONCURRENCY),
    ];
    const results: Array<{ name: string; latency: Awaited<ReturnType<typeof latencyRun>>; throughput: Awaited<ReturnType<typeof throughputRun>> }> = [];
    for (const [index, make] of makers.entries()) {
      await admin.flushall();
      crm.configure(0);
      const pipeline = await make();
      await sleep(500);
      const latency = await latencyRun(pipeline, crm, `lat${index}`);
      crm.configure(20);
      await sleep(200);
      const throughput = await throughputRun(pipeline, crm, `thr${index}`, admin);
      await pipeline.stop();
      results.push({ name: pipeline.name, latency, throughput });
    }
    rows.push(
      `Delivery benchmark — ${new Date().toISOString()}, node ${process.version}, ${CONCURRENCY} lanes / worker concurrency, Redis AOF everysec`,
      '',
      `| pipeline | latency p50 | p95 | p99 | max | delivered | CPU (connector process) | throughput, 1,000 calls × 4, CRM 20 ms |`,
      '|---|---|---|---|---|---|---|---|',
      ...results.map(
        (r) =>
          `| ${r.name} | ${ms(r.latency.p50)} | ${ms(r.latency.p95)} | ${ms(r.latency.p99)} | ${ms(r.latency.max)} | ` +
          `${r.latency.count}/${r.latency.expected} | ${r.latency.cpuPercent.toFixed(0)} % | ` +
          `${r.throughput.perSecond.toFixed(0)} notifications/s (${r.throughput.arrived}/${r.throughput.expected} in ${r.throughput.seconds.toFixed(2)} s; ` +
          `CPU: connector ${r.throughput.cpuPercent.toFixed(0)} %, Redis ${r.throughput.redisCpuPercent.toFixed(0)} %) |`,
      ),
      '',
      `Latency: produced → received by the simulated CRM (separate process), ${LATENCY_RATE} notifications/s for ${LATENCY_SECONDS} s, CRM answering at once.`,
      results.length > 1 ? `Ratio of throughput, ours / naive: ${(results[0].throughput.perSecond / results[1].throughput.perSecond).toFixed(2)}` : '',
    );
    process.stdout.write(`${rows.join('\n')}\n`);
  } finally {
    await crm.stop();
    admin.disconnect();
    await redis.destroy();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
