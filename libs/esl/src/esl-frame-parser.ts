// Incremental decoder of the ESL wire framing: `Name: value\n` header lines, an empty line,
// then exactly Content-Length BYTES of body. Never throws; a frame it cannot delimit is reported
// as a protocol error so the client drops the connection (the byte stream is unrecoverable then).
// A wrong Content-Length shifts every later frame, so header blocks are checked strictly: any line
// that is not `Name: value`, a frame without Content-Type, or an event/api frame without
// Content-Length means the stream is out of step, and only a reconnect realigns it.

export interface EslFrame {
  /** Outer headers, raw (never URL-decoded: inbound-mode outer headers are not encoded). First occurrence wins. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

export type EslParseResult =
  | { readonly kind: 'frame'; readonly frame: EslFrame }
  | { readonly kind: 'protocol-error'; readonly reason: string };

const LF = 0x0a;
const CR = 0x0d;
/** Real header blocks are under 1 KiB; garbage without a blank line must not grow the buffer forever. */
export const MAX_HEADER_BYTES = 64 * 1024;
/** A generous cap on one body (a `show channels as json` of a busy box is a few MiB). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
const BODY_REQUIRED = /^(text\/event-|api\/response$)/;
const HEADER_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

export class EslFrameParser {
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  /** Where the search for the blank line resumes, so a header block split into many reads is scanned once. */
  private headerScanFrom = 0;
  private awaitingBody: { headers: Record<string, string>; length: number } | undefined;
  private failed = false;

  /** Feeds one TCP read; returns every frame it completes, in order. After a protocol error, ignores further input. */
  push(chunk: Buffer): EslParseResult[] {
    if (this.failed || chunk.length === 0) return [];
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    const results: EslParseResult[] = [];
    for (;;) {
      if (this.awaitingBody) {
        if (this.bufferedBytes < this.awaitingBody.length) break;
        const body = this.take(this.awaitingBody.length);
        results.push({ kind: 'frame', frame: { headers: this.awaitingBody.headers, body } });
        this.awaitingBody = undefined;
        continue;
      }
      this.skipLeadingLineBreaks();
      if (this.bufferedBytes === 0) break;
      const buffer = this.flatten();
      const end = findBlankLine(buffer, this.headerScanFrom);
      if (end === undefined) {
        if (this.bufferedBytes > MAX_HEADER_BYTES) return this.fail(results, 'header block too large or not terminated');
        // Resume a little before the end: the terminator may straddle two reads.
        this.headerScanFrom = Math.max(0, buffer.length - 3);
        break;
      }
      this.headerScanFrom = 0;
      const headers = parseHeaderBlock(buffer.toString('utf8', 0, end.headerEnd));
      this.take(end.bodyStart);
      if (!headers) return this.fail(results, 'malformed header line');
      const contentType = headers['Content-Type'];
      if (contentType === undefined) return this.fail(results, 'frame without Content-Type');
      const contentLength = headers['Content-Length'];
      if (contentLength === undefined && BODY_REQUIRED.test(contentType)) {
        return this.fail(results, `${contentType} frame without Content-Length`);
      }
      if (contentLength === undefined) {
        results.push({ kind: 'frame', frame: { headers } });
        continue;
      }
      if (!/^\d{1,10}$/.test(contentLength) || Number(contentLength) > MAX_BODY_BYTES) {
        return this.fail(results, 'invalid Content-Length');
      }
      this.awaitingBody = { headers, length: Number(contentLength) };
    }
    return results;
  }

  private fail(results: EslParseResult[], reason: string): EslParseResult[] {
    this.failed = true;
    this.chunks = [];
    this.bufferedBytes = 0;
    results.push({ kind: 'protocol-error', reason });
    return results;
  }

  private flatten(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.bufferedBytes)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private take(length: number): Buffer {
    const buffer = this.flatten();
    const taken = Buffer.from(buffer.subarray(0, length)); // a copy: do not pin the whole read buffer
    const rest = buffer.subarray(length);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.bufferedBytes = rest.length;
    return taken;
  }

  /** FreeSWITCH never sends stray line breaks between frames; tolerating them costs nothing. */
  private skipLeadingLineBreaks(): void {
    if (this.bufferedBytes === 0) return;
    const buffer = this.flatten();
    let start = 0;
    while (start < buffer.length && (buffer[start] === LF || buffer[start] === CR)) start++;
    if (start > 0) this.take(start);
  }
}

function findBlankLine(buffer: Buffer, from: number): { headerEnd: number; bodyStart: number } | undefined {
  let at = buffer.indexOf(LF, from);
  while (at !== -1 && at + 1 < buffer.length) {
    if (buffer[at + 1] === LF) return { headerEnd: at, bodyStart: at + 2 };
    if (buffer[at + 1] === CR && buffer[at + 2] === LF) return { headerEnd: at, bodyStart: at + 3 };
    at = buffer.indexOf(LF, at + 1);
  }
  return undefined;
}

/** `Name: value` lines; a repeated name keeps its first value; undefined when any line is malformed. */
export function parseHeaderBlock(text: string): Record<string, string> | undefined {
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const separator = line.indexOf(': ');
    const name = separator > 0 ? line.slice(0, separator) : '';
    if (!HEADER_NAME.test(name)) return undefined;
    if (!(name in headers)) headers[name] = line.slice(separator + 2);
  }
  return headers;
}
