// Recording downloads during call load: 200 calls/s alone, then the same with N clients each fetching a
// 20 MB recording from the connector again and again; download throughput and what it does to delivery.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { now, sleep } from '../bench-kit';
import { startRig, WEBAPI_TOKEN } from '../e2e-rig';
import { measuredLoad, warmUp, type LoadRunResult } from '../load-run';
import type { BenchSettings } from '../settings';
import { defineSuite, fixed, progress, table } from '../suite';
import { LOAD_HEAD, loadRow } from './e2e-latency';

const RATE = 200;

export interface DownloadsResult {
  alone: LoadRunResult;
  withDownloads: LoadRunResult;
  downloads: number;
  /** Requests refused with 503 because RECORDING_MAX_DOWNLOADS were streaming already. */
  refused: number;
  mbPerSecond: number;
}

/**
 * `clients` parallel downloaders fetching the same recording again and again until stopped. A 503 (the
 * connector's RECORDING_MAX_DOWNLOADS reached) is counted and retried after its Retry-After, like a client.
 */
function downloadLoop(url: string, clients: number) {
  let stopped = false;
  let bytes = 0;
  let downloads = 0;
  let refused = 0;
  const started = now();
  const client = async () => {
    while (!stopped) {
      const answer = await fetch(url);
      if (answer.status === 503) {
        refused++;
        await answer.body?.cancel();
        await sleep(Number(answer.headers.get('retry-after') ?? 2) * 1000);
        continue;
      }
      if (!answer.ok || !answer.body) throw new Error(`recording download answered ${answer.status}`);
      for await (const chunk of answer.body) bytes += (chunk as Uint8Array).length;
      downloads++;
    }
  };
  // Settled at once so that a failing client is reported by stop(), not as an unhandled rejection.
  const loops = Array.from({ length: clients }, () => client().then(() => undefined, (error: unknown) => error));
  return {
    async stop() {
      stopped = true;
      const failure = (await Promise.all(loops)).find((error) => error !== undefined);
      if (failure !== undefined) throw failure;
      return { downloads, refused, mbPerSecond: bytes / 1e6 / ((now() - started) / 1000) };
    },
  };
}

export async function runDownloads(settings: BenchSettings): Promise<DownloadsResult> {
  const rig = await startRig('ours');
  try {
    await warmUp(rig);
    writeFileSync(join(rig.recordingsDir, 'call.mp3'), Buffer.alloc(settings.recordingMb * 1024 * 1024, 7));
    progress(`downloads: ${RATE} calls/s alone`);
    const alone = await measuredLoad(rig, RATE, settings.downloadSeconds);
    await sleep(2_000);
    progress(`downloads: ${RATE} calls/s with ${settings.downloaders} downloaders`);
    const loop = downloadLoop(`http://127.0.0.1:${rig.httpPort}/${WEBAPI_TOKEN}/recording/call.mp3`, settings.downloaders);
    const withDownloads = await measuredLoad(rig, RATE, settings.downloadSeconds);
    const downloaded = await loop.stop();
    return { alone, withDownloads, ...downloaded };
  } finally {
    await rig.close();
  }
}

export const downloadsSuite = defineSuite({
  name: 'downloads',
  title: 'Recording downloads during 200 calls/s',
  run: runDownloads,
  render: (r, settings) =>
    [
      `cc360-bridge at ${RATE} calls/s for ${settings.downloadSeconds} s, first alone, then while ${settings.downloaders} clients ` +
        `download a ${settings.recordingMb} MB recording from the connector in a loop (same rig, one after the other). The ` +
        'connector runs with its default download limits (RECORDING_MAX_DOWNLOADS 32 at once, RECORDING_MAX_MB_PER_S 40); a ' +
        'client refused with 503 waits for the Retry-After and asks again.',
      '',
      table(['recording downloads meanwhile', ...LOAD_HEAD], [
        ['none', ...loadRow('cc360-bridge', r.alone)],
        [`${settings.downloaders} clients`, ...loadRow('cc360-bridge', r.withDownloads)],
      ]),
      '',
      `Downloads: ${r.downloads} × ${settings.recordingMb} MB, ${fixed(r.mbPerSecond)} MB/s served, ${r.refused} requests refused (503). ` +
        `Delivery p99 ${fixed(r.alone.latency.p99, 1)} ms alone → ${fixed(r.withDownloads.latency.p99, 1)} ms with downloads ` +
        `(× ${fixed(r.withDownloads.latency.p99 / r.alone.latency.p99, 1)}).`,
    ].join('\n'),
});
