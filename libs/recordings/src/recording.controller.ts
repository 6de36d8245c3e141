// GET/HEAD /<token>/recording/<path>: the CRM fetches the recordings a call summary links to. Files are
// streamed (never read whole), with the headers audio players need to seek and cache.
import { All, Controller, Inject, Injectable, Logger, Req, Res } from '@nestjs/common';
import { tokenMatches } from '@cc360/makecall';
import type { Request, Response } from 'express';
import { constants, createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { DownloadBudget } from './download-budget';
import { parseRecordingPath, recordingContentType, resolveRecording } from './recording-files';
import { RecordingLinks } from './recording-links';

export const RECORDINGS_OPTIONS = Symbol('RECORDINGS_OPTIONS');

export interface RecordingsOptions {
  links: RecordingLinks;
  /** The shared token in the path (WEBAPI_TOKEN). */
  token: string;
  /** Parallel downloads and total bandwidth; unlimited when absent. */
  budget?: DownloadBudget;
}

// Large reads: fewer chunks through the event loop for the same bytes.
const READ_CHUNK_BYTES = 256 * 1024;

export type DownloadResult =
  | 'full' | 'partial' | 'head' | 'not-modified' | 'unsatisfiable' | 'aborted' | 'stream-error' | 'busy'
  | 'unauthorized' | 'forbidden' | 'refused' | 'missing' | 'method';

export type ByteRange = { start: number; end: number } | 'unsatisfiable' | 'whole';

/** One `bytes=` range (a-b, a-, -n). Several ranges, another unit or bad syntax: the whole file (RFC 9110 14.2). */
export function parseByteRange(header: string | undefined, size: number): ByteRange {
  const match = header === undefined ? null : /^bytes=[ \t]*(\d{0,15})-(\d{0,15})[ \t]*$/i.exec(header);
  if (!match || (match[1] === '' && match[2] === '')) return 'whole';
  if (match[1] === '') {
    const suffix = Number(match[2]);
    return suffix === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const last = match[2] === '' ? Infinity : Number(match[2]);
  if (last < start) return 'whole';
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(last, size - 1) };
}

/** True when an If-None-Match list names `etag` (weak comparison) or is `*`. */
export function etagMatches(ifNoneMatch: string, etag: string): boolean {
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

/** Answers recording downloads; counts them by result for metrics. */
@Injectable()
export class RecordingServer {
  private readonly logger = new Logger('Recordings');
  private readonly counts = new Map<DownloadResult, number>();
  /** Refusing downloads for the limit: logged once until one gets through again. */
  private atLimit = false;

  constructor(@Inject(RECORDINGS_OPTIONS) private readonly options: RecordingsOptions) {}

  stats(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  async serve(request: Request, response: Response): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.set('Allow', 'GET, HEAD');
      return this.refuse(response, 405, 'Use GET or HEAD', 'method');
    }
    // The raw, still-encoded path: Express has decoded request.params, which would hide %2f and %2e.
    const rawPath = request.originalUrl.split('?', 1)[0] ?? '';
    const match = /^\/([^/]*)\/recording\/(.*)$/s.exec(rawPath);
    const shownPath = JSON.stringify(maskPath(rawPath).slice(0, 300));
    if (!match || !tokenMatches(decodeOnce(match[1] ?? ''), this.options.token)) {
      this.logger.warn(`Refused recording ${shownPath} from ${request.ip}: wrong token`);
      return this.refuse(response, 401, 'Invalid token', 'unauthorized');
    }
    const path = parseRecordingPath(match[2] ?? '');
    if (!path.ok) {
      this.logger.warn(`Refused recording ${shownPath} from ${request.ip}: ${path.reason}`);
      return this.refuse(response, 400, 'Invalid recording path', 'refused');
    }
    // The signature is checked before the disk is looked at, so a link cannot probe which files exist.
    const link = this.options.links.check(path.rel, request.query.expires, request.query.signature);
    if (!link.ok) {
      this.logger.warn(`Refused recording ${shownPath} from ${request.ip}: link ${link.reason}`);
      return this.refuse(response, 403, link.reason === 'expired' ? 'This recording link has expired' : 'Invalid recording link', 'forbidden');
    }
    const file = await resolveRecording(this.options.links.recordingsDir, match[2] ?? '');
    if (!file.ok) {
      if (file.status === 400) return this.refuse(response, 400, 'Invalid recording path', 'refused');
      this.logger.log(`Recording ${shownPath} not served: ${file.reason}`);
      return this.refuse(response, 404, 'No such recording', 'missing');
    }
    // Opened once, without following a last-moment symlink, and measured on the open file itself.
    let handle: FileHandle;
    try {
      handle = await open(file.absolutePath, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      return this.refuse(response, 404, 'No such recording', 'missing');
    }
    await this.send(request, response, handle, file.absolutePath, shownPath);
  }

  private async send(request: Request, response: Response, handle: FileHandle, absolutePath: string, shownPath: string): Promise<void> {
    const finished = request.method === 'GET' && this.options.budget ? this.options.budget.start() : () => undefined;
    if (!finished) {
      await handle.close().catch(() => undefined);
      if (!this.atLimit) this.logger.warn(`Recording downloads at the limit (RECORDING_MAX_DOWNLOADS=${this.options.budget?.options.maxDownloads}): refusing more with 503 until one ends`);
      this.atLimit = true;
      response.set('Retry-After', '2');
      return this.refuse(response, 503, 'Too many recording downloads at once, retry shortly', 'busy');
    }
    if (request.method === 'GET') this.atLimit = false;
    let streaming = false;
    try {
      const info = await handle.stat();
      if (!info.isFile()) return this.refuse(response, 404, 'No such recording', 'missing');
      const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
      response.set({
        'Content-Type': recordingContentType(absolutePath),
        'Accept-Ranges': 'bytes',
        ETag: etag,
        'Last-Modified': info.mtime.toUTCString(),
        'Cache-Control': 'private, no-cache',
        'X-Content-Type-Options': 'nosniff',
      });
      const ifNoneMatch = request.headers['if-none-match'];
      if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, etag)) {
        response.status(304).end();
        return this.count('not-modified');
      }
      // If-Range with anything but our current validators means the client's copy is stale: send it all.
      const ifRange = request.headers['if-range'];
      const rangeHeader = ifRange === undefined || ifRange === etag || ifRange === info.mtime.toUTCString() ? request.headers.range : undefined;
      const range = parseByteRange(rangeHeader, info.size);
      if (range === 'unsatisfiable') {
        response.status(416).set('Content-Range', `bytes */${info.size}`).end();
        return this.count('unsatisfiable');
      }
      const { start, end } = range === 'whole' ? { start: 0, end: info.size - 1 } : range;
      response.status(range === 'whole' ? 200 : 206).set('Content-Length', String(end - start + 1));
      if (range !== 'whole') response.set('Content-Range', `bytes ${start}-${end}/${info.size}`);
      if (request.method === 'HEAD' || info.size === 0) {
        response.end();
        return this.count(request.method === 'HEAD' ? 'head' : 'full');
      }
      streaming = true;
      // pipeline destroys the file stream when the client goes away, and closes the handle (autoClose).
      const file = createReadStream('', { fd: handle, start, end, autoClose: true, highWaterMark: READ_CHUNK_BYTES });
      await (this.options.budget ? pipeline(file, this.options.budget.pace(), response) : pipeline(file, response));
      this.count(range === 'whole' ? 'full' : 'partial');
    } catch (error) {
      if (isPrematureClose(error) || response.destroyed) {
        this.count('aborted');
      } else {
        this.count('stream-error');
        this.logger.warn(`Recording ${shownPath} failed mid-stream: ${error instanceof Error ? error.message : String(error)}`);
        if (!response.headersSent) response.status(500).json({ success: false, error: 'Could not read the recording' });
        else response.destroy();
      }
    } finally {
      finished();
      if (!streaming) await handle.close().catch(() => undefined);
    }
  }

  private refuse(response: Response, status: number, error: string, result: DownloadResult): void {
    this.count(result);
    response.status(status).json({ success: false, error });
  }

  private count(result: DownloadResult): void {
    this.counts.set(result, (this.counts.get(result) ?? 0) + 1);
  }
}

@Controller()
export class RecordingController {
  constructor(@Inject(RecordingServer) private readonly server: RecordingServer) {}

  @All(':token/recording/*path')
  async download(@Req() request: Request, @Res() response: Response): Promise<void> {
    await this.server.serve(request, response);
  }
}

function decodeOnce(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The path as logs may show it: everything before /recording/ (where the token is) masked. */
function maskPath(rawPath: string): string {
  const at = rawPath.indexOf('/recording/');
  return at < 0 ? '(unrecognised path)' : `/***${rawPath.slice(at)}`;
}

function isPrematureClose(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ERR_STREAM_PREMATURE_CLOSE';
}
