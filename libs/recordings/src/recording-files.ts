// Turns the still-encoded path of a recording URL into a file inside RECORDINGS_DIR, refusing every way
// out: "..", encoded dots and slashes (also double-encoded), backslashes, absolute paths, NUL and control
// characters, and symlinks that lead outside (judged on the real path). The path is decoded exactly once.
import { realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

export type RecordingPath = { ok: true; segments: string[]; rel: string } | { ok: false; status: 400; reason: string };

export type ResolvedRecording =
  | { ok: true; absolutePath: string; rel: string; size: number; mtime: Date }
  | { ok: false; status: 400 | 404; reason: string };

const MAX_ENCODED_LENGTH = 2048;
const MAX_SEGMENTS = 32;
const MAX_NAME_BYTES = 255;
// Raw (still-encoded) text: backslashes and control characters never belong in a recording URL.
const RAW_FORBIDDEN = /[\\\u0000-\u001f\u007f]/;
// Encoded separators and NUL are refused before decoding, so no decoded form can smuggle them in.
const ENCODED_FORBIDDEN = /%(?:2f|5c|00)/i;
const BROKEN_ESCAPE = /%(?![0-9a-fA-F]{2})/;
// After the single decoding: separators, NUL, C0/C1 controls, and "%" (a second layer of encoding, as in
// %252e, would be decoded by someone else later; recording names never contain "%").
const DECODED_FORBIDDEN = /[/\\%\u0000-\u001f\u007f-\u009f]/;

/** Checks and decodes `requestedPath` (the raw URL path after `/recording/`, without the query). */
export function parseRecordingPath(requestedPath: string): RecordingPath {
  const refuse = (reason: string): RecordingPath => ({ ok: false, status: 400, reason });
  if (requestedPath.length === 0) return refuse('empty path');
  if (requestedPath.length > MAX_ENCODED_LENGTH) return refuse('path too long');
  if (RAW_FORBIDDEN.test(requestedPath)) return refuse('backslash or control character');
  if (ENCODED_FORBIDDEN.test(requestedPath)) return refuse('encoded separator or NUL');
  if (BROKEN_ESCAPE.test(requestedPath)) return refuse('invalid percent-encoding');
  const raw = requestedPath.split('/');
  if (raw.length > MAX_SEGMENTS) return refuse('too many path segments');
  const segments: string[] = [];
  for (const segment of raw) {
    // An empty segment is a leading "/" (absolute path), "//" or a trailing "/".
    if (segment === '') return refuse('empty path segment');
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      return refuse('invalid percent-encoding');
    }
    if (DECODED_FORBIDDEN.test(name)) return refuse('forbidden character');
    if (isDotSegment(name) || isDotSegment(name.normalize('NFKC'))) return refuse('dot segment');
    if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) return refuse('name too long');
    segments.push(name);
  }
  return { ok: true, segments, rel: segments.join('/') };
}

/** Finds the regular file `requestedPath` names inside `recordingsDir`; a symlink out counts as missing. */
export async function resolveRecording(recordingsDir: string, requestedPath: string): Promise<ResolvedRecording> {
  const path = parseRecordingPath(requestedPath);
  if (!path.ok) return path;
  const missing = (reason: string): ResolvedRecording => ({ ok: false, status: 404, reason });
  let root: string;
  let real: string;
  try {
    root = await realpath(recordingsDir);
    real = await realpath(join(root, ...path.segments));
  } catch (error) {
    return missing(`not found (${errorCode(error)})`);
  }
  const inside = root.endsWith(sep) ? root : root + sep;
  if (!real.startsWith(inside)) return missing('leads outside RECORDINGS_DIR');
  try {
    const info = await stat(real);
    if (!info.isFile()) return missing('not a regular file');
    return { ok: true, absolutePath: real, rel: path.rel, size: info.size, mtime: info.mtime };
  } catch (error) {
    return missing(`not found (${errorCode(error)})`);
  }
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
};

export function recordingContentType(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return (dot >= 0 ? CONTENT_TYPES[fileName.slice(dot + 1).toLowerCase()] : undefined) ?? 'application/octet-stream';
}

function isDotSegment(name: string): boolean {
  return name === '.' || name === '..';
}

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'error';
}
