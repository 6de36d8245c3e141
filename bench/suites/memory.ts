// The connector's memory with many calls up at once: N calls ringing and answered, none hung up yet,
// their ringing and answer requests delivered; RSS from /proc, V8 heap from the connector's /metrics.
import { randomUUID } from 'node:crypto';
import { answeredIncomingCall } from '../../test/support/freeswitch/call-scenarios';
import type { EventFields } from '../../test/support/freeswitch/wire';
import { processUsage, sleep } from '../bench-kit';
import { startRig } from '../e2e-rig';
import type { BenchSettings } from '../settings';
import { defineSuite, fixed, progress, table } from '../suite';

export interface MemorySnapshot {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
}

export interface MemoryResult {
  calls: number;
  idle: MemorySnapshot;
  up: MemorySnapshot;
  afterHangup: MemorySnapshot;
  /** Requests the CRM had received when each snapshot was taken (2 per call up, 4 per call after). */
  deliveredUp: number;
  deliveredAfter: number;
}

async function snapshot(pid: number, httpPort: number): Promise<MemorySnapshot> {
  const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const gauge = (name: string) => Number(new RegExp(`^${name} ([\\d.e+]+)`, 'm').exec(metrics)?.[1] ?? NaN) / 2 ** 20;
  return { rssMb: processUsage(pid).rssMb, heapUsedMb: gauge('nodejs_heap_size_used_bytes'), heapTotalMb: gauge('nodejs_heap_size_total_bytes') };
}

async function waitFor(count: () => number, target: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (count() < target && Date.now() < deadline) await sleep(100);
}

export async function runMemory(settings: BenchSettings): Promise<MemoryResult> {
  const rig = await startRig('ours');
  const httpPort = rig.httpPort ?? 0;
  let delivered = 0;
  const stop = rig.crm.onArrival(() => delivered++);
  try {
    const idle = await snapshot(rig.pid, httpPort);
    progress(`memory: ${settings.parkedCalls} calls up`);
    const endings: EventFields[] = [];
    for (let i = 0; i < settings.parkedCalls; i++) {
      const events = answeredIncomingCall({ caller: randomUUID(), agent: randomUUID() }, '79991234567', String(100 + (i % 900)), 1);
      const cut = events.findIndex((event) => event['Event-Name'] === 'CHANNEL_UNBRIDGE');
      for (const event of events.slice(0, cut)) rig.freeswitch.emit(event);
      endings.push(...events.slice(cut));
      if (i % 500 === 0) await sleep(20);
    }
    await waitFor(() => delivered, settings.parkedCalls * 2, 180_000);
    await sleep(2_000);
    const deliveredUp = delivered;
    const up = await snapshot(rig.pid, httpPort);
    progress('memory: hanging up');
    for (const [index, event] of endings.entries()) {
      rig.freeswitch.emit(event);
      if (index % 2_000 === 0) await sleep(20);
    }
    await waitFor(() => delivered, settings.parkedCalls * 4, 180_000);
    await sleep(2_000);
    return { calls: settings.parkedCalls, idle, up, afterHangup: await snapshot(rig.pid, httpPort), deliveredUp, deliveredAfter: delivered };
  } finally {
    stop();
    await rig.close();
  }
}

export const memorySuite = defineSuite({
  name: 'memory',
  title: 'Memory with many calls up at once',
  run: runMemory,
  render: (r) =>
    [
      `cc360-bridge with ${r.calls} answered calls up at once (none hung up), after the CRM received their ringing and answer ` +
        'requests; then after all of them hung up and their hangup and summary were delivered. Heap: V8 heap used / total ' +
        '(from /metrics, no forced GC).',
      '',
      table(['moment', 'RSS', 'heap used', 'heap total', 'CRM requests received'], [
        ['idle, before the calls', `${fixed(r.idle.rssMb)} MB`, `${fixed(r.idle.heapUsedMb)} MB`, `${fixed(r.idle.heapTotalMb)} MB`, '0'],
        [`${r.calls} calls up`, `${fixed(r.up.rssMb)} MB`, `${fixed(r.up.heapUsedMb)} MB`, `${fixed(r.up.heapTotalMb)} MB`, `${r.deliveredUp}/${r.calls * 2}`],
        ['all hung up', `${fixed(r.afterHangup.rssMb)} MB`, `${fixed(r.afterHangup.heapUsedMb)} MB`, `${fixed(r.afterHangup.heapTotalMb)} MB`, `${r.deliveredAfter}/${r.calls * 4}`],
      ]),
    ].join('\n'),
});
