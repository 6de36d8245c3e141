// Finds the file a recording URL names, refusing every way out of RECORDINGS_DIR: "..", encoded dots and
// slashes (also double-encoded), backslashes, absolute paths, NUL and control characters, and symlinks
// that lead outside (checked on the real path). The path is decoded exactly once.
import { realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

export type RecordingFile =
  | { ok: true; absolutePath: string; rel: string; size: number; mtime: Date }
  | { ok: false; status: 400 | 404; reason: string };

const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,200}$/;

/** `encodedPath` is the part of the URL after `/recording/`, still percent-encoded, without the query. */
export async function findRecording(recordingsDir: string, encodedPath: string): Promise<RecordingFile> {
  if (encodedPath.length === 0 || encodedPath.length > 1024) return { ok: false, status: 400, reason: 'bad path length' };
  const segments = encodedPath.split('/');
  const decoded: string[] = [];
  for (const segment of segments) {
    let value: string;
    try {
      value = decodeURIComponent(segment);
    } catch {
      return { ok: false, status: 400, reason: 'invalid percent-encoding' };
    }
    // Whitelisted names only: no "..", no hidden files, no separators or % left after decoding.
    if (!SAFE_SEGMENT.test(value) || value.includes('..')) return { ok: false, status: 400, reason: 'path not allowed' };
    decoded.push(value);
  }
  const rel = decoded.join('/');
  let root: string;
  let real: string;
  try {
    root = await realpath(recordingsDir);
    real = await realpath(join(root, ...decoded));
  } catch {
    return { ok: false, status: 404, reason: 'no such recording' };
  }
  if (!real.startsWith(root + sep)) return { ok: false, status: 404, reason: 'no such recording' };
  const info = await stat(real).catch(() => undefined);
  if (!info?.isFile()) return { ok: false, status: 404, reason: 'no such recording' };
  return { ok: true, absolutePath: real, rel, size: info.size, mtime: info.mtime };
}

const CONTENT_TYPES: Record<string, string> = { mp3: 'audio/mpeg', wav: 'audio/wav', ogg: 'audio/ogg', opus: 'audio/ogg' };

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[path.slice(path.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
}

export type ByteRange = { start: number; end: number } | 'unsatisfiable' | undefined;

/** One `bytes=` range (a-b, a-, -n); several ranges or an unknown unit serve the whole file. */
export function parseRange(header: string | undefined, size: number): ByteRange {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
