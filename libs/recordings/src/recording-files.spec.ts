// resolveRecording on a real directory (symlinks included), and the byte-range and ETag rules.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etagMatches, parseByteRange } from './recording.controller';
import { parseRecordingPath, recordingContentType, resolveRecording } from './recording-files';

describe('resolveRecording', () => {
  let root: string;
  let dir: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'cc360-recfiles-'));
    dir = join(root, 'recordings');
    mkdirSync(join(dir, '2026', '11', '28'), { recursive: true });
    writeFileSync(join(dir, '2026', '11', '28', 'a b.mp3'), 'abc');
    writeFileSync(join(dir, '....'), 'dots are a name');
    // A sibling whose name starts with the recordings dir's name: a plain prefix check would accept it.
    mkdirSync(join(root, 'recordings-evil'));
    writeFileSync(join(root, 'recordings-evil', 'secret.mp3'), 'secret');
    symlinkSync(join(root, 'recordings-evil', 'secret.mp3'), join(dir, 'sibling.mp3'));
    writeFileSync(join(dir, 'target.wav'), 'inside');
    symlinkSync(join(dir, 'target.wav'), join(dir, 'link-in.wav'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds a nested file, decoding the path once', async () => {
    const found = await resolveRecording(dir, '2026/11/28/a%20b.mp3');
    expect(found).toMatchObject({ ok: true, rel: '2026/11/28/a b.mp3', size: 3, absolutePath: join(dir, '2026', '11', '28', 'a b.mp3') });
    expect(await resolveRecording(dir, '....')).toMatchObject({ ok: true, rel: '....' });
  });

  it('follows a symlink that stays inside, but one to a sibling directory is missing (404)', async () => {
    expect(await resolveRecording(dir, 'link-in.wav')).toMatchObject({ ok: true, absolutePath: join(dir, 'target.wav'), rel: 'link-in.wav' });
    expect(await resolveRecording(dir, 'sibling.mp3')).toMatchObject({ ok: false, status: 404 });
  });

  it('answers 404 for missing files, directories, paths through a file, and a missing RECORDINGS_DIR', async () => {
    expect(await resolveRecording(dir, 'nope.mp3')).toMatchObject({ ok: false, status: 404 });
    expect(await resolveRecording(dir, '2026/11')).toMatchObject({ ok: false, status: 404 });
    expect(await resolveRecording(dir, 'target.wav/x')).toMatchObject({ ok: false, status: 404 });
    expect(await resolveRecording(join(root, 'absent'), 'target.wav')).toMatchObject({ ok: false, status: 404 });
  });

  it.each([
    '', '/etc/passwd', '..', '.', 'a/../b', '%2e%2e/x', '%2E%2e/x', '.%2E/x', '%252e%252e/x', '..%2fx', '%2Fetc', '..%5cx',
    'a\\b', 'x%00.mp3', 'a//b', 'a/', 'x%1f', '%', '%4', '%zz', '%c0%ae%c0%ae/x', '%e0%80%af', '%ef%bc%8e%ef%bc%8e',
    `${'a/'.repeat(40)}x`, `${'a'.repeat(256)}.mp3`, 'x'.repeat(3000), '%c2%85x', 'a\u0007b',
  ])('refuses %j with 400, before touching the disk', (path) => {
    expect(parseRecordingPath(path)).toMatchObject({ ok: false, status: 400 });
  });

  it('refuses the fullwidth-dot form of ".." (NFKC) with 400 too', async () => {
    expect(await resolveRecording(dir, '%ef%bc%8e%ef%bc%8e/recordings-evil/secret.mp3')).toMatchObject({ ok: false, status: 400 });
  });
});

describe('byte ranges, ETags and content types', () => {
  it.each([
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=900-', { start: 900, end: 999 }],
    ['bytes=-100', { start: 900, end: 999 }],
    ['bytes=-5000', { start: 0, end: 999 }],
    ['bytes=500-5000', { start: 500, end: 999 }],
    ['BYTES=1-1', { start: 1, end: 1 }],
    ['bytes=1000-', 'unsatisfiable'],
    ['bytes=-0', 'unsatisfiable'],
    ['bytes=0-1,5-6', 'whole'],
    ['bytes=5-1', 'whole'],
    ['items=0-1', 'whole'],
    ['bytes=-', 'whole'],
    ['bytes=abc', 'whole'],
    [undefined, 'whole'],
  ] as const)('%s on 1000 bytes', (header, expected) => {
    expect(parseByteRange(header, 1000)).toEqual(expected);
  });

  it('finds no satisfiable range in an empty file', () => {
    expect(parseByteRange('bytes=0-', 0)).toBe('unsatisfiable');
    expect(parseByteRange('bytes=-1', 0)).toBe('unsatisfiable');
  });

  it('compares ETags weakly, in lists and with *', () => {
    expect(etagMatches('W/"a-1"', 'W/"a-1"')).toBe(true);
    expect(etagMatches('"x", "a-1"', 'W/"a-1"')).toBe(true);
    expect(etagMatches('*', 'W/"a-1"')).toBe(true);
    expect(etagMatches('W/"a-2"', 'W/"a-1"')).toBe(false);
  });

  it('maps extensions to audio types', () => {
    expect(['x.mp3', 'x.WAV', 'x.ogg', 'x.opus', 'x.txt', 'noext'].map(recordingContentType)).toEqual([
      'audio/mpeg', 'audio/wav', 'audio/ogg', 'audio/ogg', 'application/octet-stream', 'application/octet-stream',
    ]);
  });
});
