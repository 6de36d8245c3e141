// Shared pieces of the benchmarks: the simulated CRM in a child process, percentiles, formatting.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type Redis from 'ioredis';

export interface Arrival {
  id: string;
  step: string;
  receivedAt: number;
  /** The agent the request is for (CC360 `user`). */
  user: string;
}

/** A high-resolution wall clock that agrees across processes on one machine. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export class CrmProcess {
  private readonly listeners = new Set<(arrival: Arrival) => void>();
  /** CC360 requests the CRM refused so far (during an outage: every attempt). */
  refused = 0;
  private constructor(private readonly child: ChildProcess, readonly baseUrl: string, readonly token: string) {
    child.on('message', (message: { type: string; arrivals?: Array<[string, string, number, string]>; refused?: number }) => {
      if (message.type !== 'arrivals' || !message.arrivals) return;
      this.refused = message.refused ?? this.refused;
      for (const [id, step, receivedAt, user] of message.arrivals) {
        for (const listener of this.listeners) listener({ id, step, receivedAt, user });
      }
    });
  }

  static start(latencyMs: number): Promise<CrmProcess> {
    const child = fork(resolve(__dirname, 'creatio-process.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, SIM_LATENCY_MS: String(latencyMs) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolveStart, reject) => {
      child.once('error', reject);
      child.once('message', (message: { type: string; baseUrl: string; token: string }) => {
        if (message.type === 'ready') resolveStart(new CrmProcess(child, message.baseUrl, message.token));
      });
    });
  }

  onArrival(listener: (arrival: Arrival) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  configure(latencyMs: number): void {
    this.child.send({ type: 'configure', latencyMs });
  }

  /** On: every CC360 request is answered 503 until it is switched off. */
  outage(on: boolean): void {
    this.child.send({ type: 'outage', on });
  }

  stop(): Promise<void> {
    return new Promise((resolveStop) => {
      this.child.once('exit', () => resolveStop());
      this.child.send({ type: 'stop' });
    });
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  count: number;
}

export function summarize(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    count: sorted.length,
  };
}

export function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

export function sleep(msToWait: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, msToWait));
}

export interface ProcessUsage {
  cpuSeconds: number;
  rssMb: number;
}

/** CPU time and resident memory of another process, from /proc (Linux). */
export function processUsage(pid: number): ProcessUsage {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '0';
  return { cpuSeconds: ticks / 100, rssMb: Number(rss) / 1024 };
}

/** CPU seconds Redis has used so far (INFO cpu). */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const value = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return value('used_cpu_sys') + value('used_cpu_user');
}

/** Busy and total CPU time of the whole machine so far, in clock ticks (/proc/stat). */
export function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}
