// End-to-end benchmark: FreeSWITCH simulator (this process) → the built connector (child process) →
// Creatio simulator (another child). Added latency from the event written on the ESL socket to the
// request received by the CRM, at 50 and 200 answered calls per second, with the connector's CPU and
// memory; the same 200 calls/s while 50 clients download a 20 MB recording in a loop (download throughput
// and what it does to delivery latency); then the connector's memory with 10,000 calls up at once.
// Run `npm run build` first.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectorProcess } from '../test/support/connector-process';
import { FreeswitchSimulator } from '../test/support/freeswitch-simulator';
import { answeredIncomingCall } from '../test/support/freeswitch/call-scenarios';
import type { EventFields } from '../test/support/freeswitch/wire';
import { RedisServer } from '../test/support/redis-server';
import { CrmProcess, ms, now, sleep, summarize } from './bench-kit';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PARKED_CALLS = Number(process.env.BENCH_PARKED_CALLS ?? 10_000);
const DOWNLOADERS = Number(process.env.BENCH_DOWNLOADERS ?? 50);
/** `BENCH_RATES=50 BENCH_LATENCY_ONLY=1` measures one rate and skips the download and memory runs. */
const RATES = (process.env.BENCH_RATES ?? '50,200').split(',').map(Number);
const LATENCY_ONLY = process.env.BENCH_LATENCY_ONLY === '1';
const RECORDING_MB = 20;
const TOKEN = 'bench-webapi-token';

/** `clients` parallel downloaders fetching the same recording again and again until stopped. */
function downloadLoop(url: string, clients: number) {
  let stopped = false;
  let bytes = 0;
  let downloads = 0;
  const started = now();
  const loops = Array.from({ length: clients }, async () => {
    while (!stopped) {
      const answer = await fetch(url);
      const reader = answer.body?.getReader();
      for (;;) {
        const chunk = await reader?.read();
        if (!chunk || chunk.done) break;
        bytes += chunk.value.length;
      }
      downloads++;
    }
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return { downloads, mbPerSecond: bytes / 1e6 / ((now() - started) / 1000) };
    },
  };
}

/** The event of the agent leg that makes each CRM request. */
const TRIGGER: Record<string, string> = {
  CHANNEL_CREATE: 'ringing',
  CHANNEL_ANSWER: 'answer',
  CHANNEL_HANGUP: 'hangup',
  CHANNEL_HANGUP_COMPLETE: 'summary',
};

function connectorUsage(pid: number): { cpuSeconds: number; rssMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '0';
  return { cpuSeconds: ticks / 100, rssMb: Number(rss) / 1024 };
}

interface Scheduled {
  at: number;
  event: EventFields;
  trigger?: string;
}

/** Answered calls at `rate` per second: ring at once, answer after 0.5 s, hang up after 1.5 s. */
function schedule(rate: number, seconds: number): Scheduled[] {
  const items: Scheduled[] = [];
  for (let i = 0; i < rate * seconds; i++) {
    const start = (i * 1000) / rate;
    const caller = randomUUID();
    const agent = randomUUID();
    for (const event of answeredIncomingCall({ caller, agent }, '79991234567', String(100 + (i % 900)), 1)) {
      const name = String(event['Event-Name']);
      const offset = /ANSWER|BRIDGE/.test(name) && name !== 'CHANNEL_UNBRIDGE' ? 500 : /HANGUP|UNBRIDGE/.test(name) ? 1500 : 0;
      const isAgent = event['Unique-ID'] === agent;
      items.push({ at: start + offset, event, trigger: isAgent ? TRIGGER[name] : undefined });
    }
  }
  return items.sort((a, b) => a.at - b.at);
}

async function latencyRun(freeswitch: FreeswitchSimulator, crm: CrmProcess, pid: number, rate: number) {
  const items = schedule(rate, SECONDS);
  const emittedAt = new Map<string, number>();
  const latencies: number[] = [];
  const stop = crm.onArrival((arrival) => {
    const emitted = emittedAt.get(`${arrival.id}|${arrival.step}`);
    if (emitted !== undefined) latencies.push(arrival.receivedAt - emitted);
  });
  const expected = items.filter((item) => item.trigger).length;
  const usageBefore = connectorUsage(pid);
  let peakRss = usageBefore.rssMb;
  const started = now();
  let next = 0;
  while (next < items.length) {
    const elapsed = now() - started;
    while (next < items.length && items[next].at <= elapsed) {
      const { event, trigger } = items[next++];
      if (trigger) emittedAt.set(`${String(event['Other-Leg-Unique-ID'])}|${trigger}`, now());
      freeswitch.emit(event);
    }
    await sleep(1);
  }
  const deadline = Date.now() + 60_000;
  while (latencies.length < expected && Date.now() < deadline) {
    peakRss = Math.max(peakRss, connectorUsage(pid).rssMb);
    await sleep(50);
  }
  const wall = (now() - started) / 1000;
  const usage = connectorUsage(pid);
  stop();
  return {
    rate,
    ...summarize(latencies),
    expected,
    cpuPercent: ((usage.cpuSeconds - usageBefore.cpuSeconds) / wall) * 100,
    rssMb: Math.max(peakRss, usage.rssMb),
  };
}

/** 10,000 calls ringing and answered at once, none hung up yet: the connector's memory. */
async function parkedCalls(freeswitch: FreeswitchSimulator, pid: number) {
  const before = connectorUsage(pid).rssMb;
  const endings: EventFields[] = [];
  for (let i = 0; i < PARKED_CALLS; i++) {
    const events = answeredIncomingCall({ caller: randomUUID(), agent: randomUUID() }, '79991234567', String(100 + (i % 900)), 1);
    const cut = events.findIndex((event) => event['Event-Name'] === 'CHANNEL_UNBRIDGE');
    for (const event of events.slice(0, cut)) freeswitch.emit(event);
    endings.push(...events.slice(cut));
    if (i % 500 === 0) await sleep(20);
  }
  await sleep(5_000);
  const up = connectorUsage(pid).rssMb;
  for (const event of endings) freeswitch.emit(event);
  return { before, up };
}

async function main(): Promise<void> {
  const redis = await RedisServer.start({ appendOnly: true, appendFsync: 'everysec' });
  const recordings = mkdtempSync(join(tmpdir(), 'cc360-bench-rec-'));
  writeFileSync(join(recordings, 'call.mp3'), Buffer.alloc(RECORDING_MB * 1024 * 1024, 7));
  const crm = await CrmProcess.start(0);
  const freeswitch = await FreeswitchSimulator.start({ password: 'bench' });
  const connector = await ConnectorProcess.start({
    REDIS_URL: redis.url,
    CRM_BASE_URL: crm.baseUrl,
    CRM_USERNAME: 'Supervisor',
    CRM_PASSWORD: 'Supervisor',
    CC360_TOKEN: crm.token,
    FS_ESL_HOST: '127.0.0.1',
    FS_ESL_PORT: String(freeswitch.port),
    FS_ESL_PASSWORD: 'bench',
    LOG_LEVEL: 'error',
    RECORDINGS_DIR: recordings,
    PUBLIC_BASE_URL: 'https://pbx.example.com',
    WEBAPI_TOKEN: TOKEN,
    ...(process.env.JOURNAL_TTL === undefined ? {} : { JOURNAL_TTL: process.env.JOURNAL_TTL }),
  }, process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : []);
  try {
    await freeswitch.waitForCommand(/^api show channels as json/, 10_000);
    const pid = connector.pid;
    if (!pid) throw new Error('the connector is not running');
    const rows = [];
    for (const rate of RATES) {
      rows.push({ ...(await latencyRun(freeswitch, crm, pid, rate)), downloads: '' });
      await sleep(2_000);
    }
    if (!LATENCY_ONLY) {
      const loop = downloadLoop(`http://127.0.0.1:${connector.httpPort}/${TOKEN}/recording/call.mp3`, DOWNLOADERS);
      const busy = await latencyRun(freeswitch, crm, pid, 200);
      const downloaded = await loop.stop();
      rows.push({ ...busy, downloads: `${DOWNLOADERS} clients: ${downloaded.downloads} × ${RECORDING_MB} MB, ${downloaded.mbPerSecond.toFixed(0)} MB/s` });
      await sleep(2_000);
    }
    const parked = LATENCY_ONLY ? undefined : await parkedCalls(freeswitch, pid);
    process.stdout.write(
      [
        `End-to-end benchmark — ${new Date().toISOString()}, node ${process.version}, ${SECONDS} s per rate, answered calls (4 CRM requests each), CRM answering at once`,
        '',
        '| calls/s | recording downloads meanwhile | requests | latency p50 | p95 | p99 | max | connector CPU | connector RSS (peak) |',
        '|---|---|---|---|---|---|---|---|---|',
        ...rows.map(
          (r) => `| ${r.rate} | ${r.downloads || 'none'} | ${r.count}/${r.expected} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.cpuPercent.toFixed(0)} % | ${r.rssMb.toFixed(0)} MB |`,
        ),
        '',
        `Latency: the agent leg's event written on the ESL socket → the CRM request received (Creatio simulator in its own process).`,
        parked ? `Memory with ${PARKED_CALLS} calls up at once: ${parked.up.toFixed(0)} MB RSS (${parked.before.toFixed(0)} MB before).` : '',
        '',
      ].join('\n'),
    );
  } finally {
    await connector.terminate();
    await freeswitch.close();
    await crm.stop();
    await redis.destroy();
    rmSync(recordings, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
