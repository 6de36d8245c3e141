// The download budget on a virtual clock: slots, and bytes no faster than the rate (after one burst).
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DownloadBudget } from './download-budget';

const KIB = 1024;

/** Streams `chunks` chunks of `size` bytes through budget.pace(); `received()` tells how many bytes came out. */
function pacedDownload(budget: DownloadBudget, chunks: number, size: number) {
  let bytes = 0;
  const done = pipeline(
    Readable.from(Array.from({ length: chunks }, () => Buffer.alloc(size, 1))),
    budget.pace(),
    new Writable({ write: (chunk: Buffer, _encoding, next) => ((bytes += chunk.length), next()) }),
  );
  return { done, received: () => bytes };
}

describe('DownloadBudget', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives out at most maxDownloads slots; a slot released twice counts once', () => {
    const budget = new DownloadBudget({ maxDownloads: 2, bytesPerSecond: 0 });
    const first = budget.start();
    const second = budget.start();
    expect(first && second).toBeTruthy();
    expect(budget.start()).toBeUndefined();
    first?.();
    first?.();
    expect(budget.streaming).toBe(1);
    expect(budget.start()).toBeDefined();
    expect(budget.start()).toBeUndefined();
  });

  it('passes bytes no faster than bytesPerSecond after the first burst, shared by all downloads', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    // 1 MB/s: the burst is 256 KiB (one read chunk).
    const budget = new DownloadBudget({ maxDownloads: 10, bytesPerSecond: 1_000_000 });
    const a = pacedDownload(budget, 8, 64 * KIB);
    const b = pacedDownload(budget, 8, 64 * KIB);
    const total = () => a.received() + b.received();
    await vi.advanceTimersByTimeAsync(0);
    expect(total()).toBeLessThanOrEqual(256 * KIB);
    for (const seconds of [0.25, 0.5, 0.75]) {
      await vi.advanceTimersByTimeAsync(250);
      // Never more than the burst plus what the elapsed time allows.
      expect(total()).toBeLessThanOrEqual(256 * KIB + seconds * 1_000_000);
      expect(total()).toBeGreaterThan(seconds * 1_000_000 - 64 * KIB);
    }
    // Both downloads moved, in turn: neither waits for the other to finish.
    expect(a.received()).toBeGreaterThanOrEqual(4 * 64 * KIB);
    expect(b.received()).toBeGreaterThanOrEqual(4 * 64 * KIB);
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all([a.done, b.done]);
    expect(total()).toBe(16 * 64 * KIB);
  });

  it('passes everything at once when the rate is 0 (no limit)', async () => {
    const budget = new DownloadBudget({ maxDownloads: 1, bytesPerSecond: 0 });
    const download = pacedDownload(budget, 100, 256 * KIB);
    await download.done;
    expect(download.received()).toBe(100 * 256 * KIB);
  });
});
