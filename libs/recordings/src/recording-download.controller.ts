// GET/HEAD /<token>/recording/<path>: the CRM fetches the recordings a call summary links to. Streams
// the file (never whole into memory) with the headers players need to seek.
import { All, Controller, Inject, Logger, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { contentTypeOf, findRecording, parseRange } from './recording-file';
import { tokenMatches } from '@cc360/makecall';
import { RecordingLinks } from './recording-links';

export const RECORDING_DOWNLOADS = Symbol('RECORDING_DOWNLOADS');

/** Downloads by result, for metrics. */
export class RecordingDownloads {
  private readonly counts = new Map<string, number>();
  count(result: string): void {
    this.counts.set(result, (this.counts.get(result) ?? 0) + 1);
  }
  stats(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}

@Controller()
export class RecordingDownloadController {
  private readonly logger = new Logger('Recordings');

  constructor(
    @Inject(RecordingLinks) private readonly links: RecordingLinks,
    @Inject(RecordingDownloads) private readonly downloads: RecordingDownloads,
    @Inject('RECORDING_TOKEN') private readonly token: string,
  ) {}

  @All(':token/recording/*path')
  async download(@Req() request: Request, @Res() response: Response): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      this.answer(response, 405, 'Use GET or HEAD', 'method');
      return;
    }
    // The raw, still-encoded path: Express has decoded request.params already, which would hide %2f and %2e.
    const rawPath = request.originalUrl.split('?')[0];
    const match = /^\/([^/]*)\/recording\/(.*)$/.exec(rawPath);
    let token = '';
    try {
      token = decodeURIComponent(match?.[1] ?? '');
    } catch {
      token = '';
    }
    if (!match || !tokenMatches(token, this.token)) {
      this.logger.warn(`Refused a recording download from ${request.ip}: wrong token`);
      this.answer(response, 401, 'Invalid token', 'unauthorized');
      return;
    }
    const file = await findRecording(this.links.recordingsDir, match[2]);
    if (!file.ok) {
      this.answer(response, file.status, file.status === 404 ? 'No such recording' : 'Invalid recording path', file.status === 404 ? 'missing' : 'refused');
      return;
    }
    const link = this.links.check(file.rel, request.query.expires, request.query.signature);
    if (!link.ok) {
      this.answer(response, 403, link.reason === 'expired' ? 'This recording link has expired' : 'Invalid recording link', 'forbidden');
      return;
    }
    const etag = `W/"${file.size.toString(16)}-${file.mtime.getTime().toString(16)}"`;
    response.set({
      'Content-Type': contentTypeOf(file.absolutePath),
      'Accept-Ranges': 'bytes',
      ETag: etag,
      'Last-Modified': file.mtime.toUTCString(),
      'Cache-Control': 'private, max-age=3600',
    });
    if (request.headers['if-none-match'] === etag) {
      response.status(304).end();
      this.downloads.count('not-modified');
      return;
    }
    const range = parseRange(request.headers.range, file.size);
    if (range === 'unsatisfiable') {
      response.status(416).set('Content-Range', `bytes */${file.size}`).end();
      this.downloads.count('unsatisfiable');
      return;
    }
    const { start, end } = range ?? { start: 0, end: file.size - 1 };
    response.status(range ? 206 : 200).set('Content-Length', String(Math.max(0, end - start + 1)));
    if (range) response.set('Content-Range', `bytes ${start}-${end}/${file.size}`);
    if (request.method === 'HEAD' || file.size === 0) {
      response.end();
      this.downloads.count('head');
      return;
    }
    try {
      await pipeline(createReadStream(file.absolutePath, { start, end }), response);
      this.downloads.count(range ? 'partial' : 'full');
    } catch {
      // The client went away mid-download (players do when seeking): the stream is closed, nothing else to do.
      this.downloads.count('aborted');
    }
  }

  private answer(response: Response, status: number, error: string, result: string): void {
    this.downloads.count(result);
    response.status(status).json({ success: false, error });
  }
}
