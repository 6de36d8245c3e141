// Everything an end-to-end benchmark needs, started fresh: Redis (AOF everysec), the Creatio simulator
// in its own process, the FreeSWITCH simulator in this one, and the pipeline under test as a child
// process: the built connector ("ours") or the naive BullMQ baseline (bench/naive-connector.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConnectorProcess } from '../test/support/connector-process';
import { FreeswitchSimulator } from '../test/support/freeswitch-simulator';
import { RedisServer } from '../test/support/redis-server';
import { CrmProcess, sleep } from './bench-kit';

export type PipelineKind = 'ours' | 'naive';

export const PIPELINE_NAMES: Record<PipelineKind, string> = {
  ours: 'cc360-bridge',
  naive: 'naive BullMQ baseline',
};

export const WEBAPI_TOKEN = 'bench-webapi-token';

export interface Rig {
  kind: PipelineKind;
  crm: CrmProcess;
  freeswitch: FreeswitchSimulator;
  /** The pipeline's process id (CPU and memory are read from /proc). */
  pid: number;
  /** The connector's HTTP port (ours only). */
  httpPort: number | undefined;
  recordingsDir: string;
  redisUrl: string;
  close(): Promise<void>;
}

interface Child {
  pid: number;
  httpPort: number | undefined;
  stop(): Promise<void>;
}

async function startOurs(env: Record<string, string>): Promise<Child> {
  // BENCH_PROFILE_DIR: a V8 CPU profile of the connector per rig, written when it stops.
  const profile = process.env.BENCH_PROFILE_DIR;
  const connector = await ConnectorProcess.start(env, profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []);
  if (!connector.pid) throw new Error('the connector is not running');
  return { pid: connector.pid, httpPort: connector.httpPort, stop: async () => void (await connector.terminate()) };
}

function startNaive(env: Record<string, string>): Child {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, 'naive-connector.ts')], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (!child.pid) throw new Error('the naive connector did not start');
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    pid: child.pid,
    httpPort: undefined,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `env` adds to or overrides the pipeline's environment (e.g. MAKECALL_RATE_LIMIT). */
export async function startRig(kind: PipelineKind, env: Record<string, string> = {}): Promise<Rig> {
  // Whatever started is stopped again when a later part fails: an orphaned child would outlive the run.
  const cleanups: Array<() => Promise<void> | void> = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const redis = await RedisServer.start({ appendOnly: true, appendFsync: 'everysec' });
    cleanups.push(() => redis.destroy());
    const recordingsDir = mkdtempSync(join(tmpdir(), 'cc360-bench-rec-'));
    cleanups.push(() => rmSync(recordingsDir, { recursive: true, force: true }));
    const crm = await CrmProcess.start(0);
    cleanups.push(() => crm.stop());
    const freeswitch = await FreeswitchSimulator.start({ password: 'bench' });
    cleanups.push(() => freeswitch.close());
    const fullEnv = {
      REDIS_URL: redis.url,
      CRM_BASE_URL: crm.baseUrl,
      CRM_USERNAME: 'Supervisor',
      CRM_PASSWORD: 'Supervisor',
      CC360_TOKEN: crm.token,
      FS_ESL_HOST: '127.0.0.1',
      FS_ESL_PORT: String(freeswitch.port),
      FS_ESL_PASSWORD: 'bench',
      LOG_LEVEL: 'error',
      RECORDINGS_DIR: recordingsDir,
      PUBLIC_BASE_URL: 'https://pbx.example.com',
      WEBAPI_TOKEN,
      // JOURNAL_TTL=0 measures the connector without its call journal.
      ...(process.env.JOURNAL_TTL === undefined ? {} : { JOURNAL_TTL: process.env.JOURNAL_TTL }),
      ...env,
    };
    const child = kind === 'ours' ? await startOurs(fullEnv) : startNaive(fullEnv);
    cleanups.push(() => child.stop());
    await freeswitch.waitForCommand(/^api show channels as json/, 30_000);
    // The post-connect reconciliation waits a second before it judges the calls it knew.
    await sleep(1_500);
    return { kind, crm, freeswitch, pid: child.pid, httpPort: child.httpPort, recordingsDir, redisUrl: redis.url, close };
  } catch (error) {
    await close();
    throw error;
  }
}
