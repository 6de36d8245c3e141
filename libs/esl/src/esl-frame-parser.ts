/*
 * Incremental decoder of the ESL wire framing (`Name: value\n` header lines, an empty line, then
 * exactly Content-Length BYTES of body). Never throws: a stream it cannot delimit is reported as a
 * protocol error so the client drops the connection (the byte stream is unrecoverable then).
 *
 * What we take from modesl: the framing itself, i.e. its `Parser` (find the blank line, wait for
 * Content-Length bytes, loop). What we guard, and why:
 * - It never sees the socket: we feed it through our own emitter inside try/catch, so whatever it
 *   throws (our own strictness checks included) is a protocol error of this connection, never an
 *   uncaught exception in a socket 'data' handler.
 * - Its `_parseHeaderText` is replaced: the original runs a bare decodeURIComponent on every outer
 *   header (`%E9` throws URIError; inbound outer headers are never URL-encoded anyway, see the
 *   captures) and takes any Content-Length through parseInt unchecked. Ours is strict: `Name: value`
 *   lines only, first occurrence of a duplicate wins, Content-Type required, event/api frames need a
 *   Content-Length, which must be a plain integer within MAX_BODY_BYTES. A wrong Content-Length shifts
 *   every later frame; these checks are what notices the misaligned stream (and only a reconnect realigns it).
 * - Its `_parseEvent` is replaced: the original JSON.parses event bodies (emitting 'error' on bad JSON,
 *   and then building an Event without headers), runs xml2js on XML bodies and re-parses plain bodies
 *   with the header decoder. We only want the raw frame; esl-event.ts decodes JSON bodies itself.
 * - An 'error' listener is always attached (EventEmitter2 throws an unhandled 'error').
 * - Its recursion (one or two stack frames per frame found within one 'data' event) overflows the
 *   stack at ~8000 frames per read (measured on Node 20), so reads are fed in FEED_SLICE_BYTES slices
 *   (at most ~2000 frames each, blank frames included).
 * - It does a Buffer.concat of everything buffered on every 'data' event and rescans a partial header
 *   block from its start: we hold the bytes of a body until the whole body is here (one concat per
 *   body, not one per read), and hold header bytes until a blank line or a full slice arrives; a header
 *   block that outgrows MAX_HEADER_BYTES is a protocol error instead of unbounded buffering.
 */
import { EventEmitter } from 'node:events';
import { Parser, type ModeslByteSource } from 'modesl';

export interface EslFrame {
  /** Outer headers, raw (never URL-decoded: inbound-mode outer headers are not encoded). First occurrence wins. */
  readonly headers: Readonly<Record<string, string>>;
  /** The Content-Length bytes, decoded as UTF-8 (what FreeSWITCH sends); absent when the frame has no Content-Length. */
  readonly body?: string;
}

export type EslParseResult =
  | { readonly kind: 'frame'; readonly frame: EslFrame }
  | { readonly kind: 'protocol-error'; readonly reason: string };

/** Real header blocks are under 1 KiB; garbage without a blank line must not grow the buffer forever. */
export const MAX_HEADER_BYTES = 64 * 1024;
/** A generous cap on one body (a `show channels as json` of a busy box is a few MiB). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Keeps modesl's per-read recursion far below the stack limit (the smallest frame, a stray blank line, is 2 bytes). */
export const FEED_SLICE_BYTES = 4 * 1024;
const LF = 0x0a;
const BLANK_LINE = Buffer.from('\n\n');
const BODY_REQUIRED = /^(text\/event-|api\/response$)/;
const HEADER_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** A header block as modesl carries it from `_parseHeaderText` to `_parseEvent`. */
interface HeaderBlock {
  readonly 'Content-Length'?: number;
  /** Undefined for an empty block (stray line breaks between frames): nothing to report. */
  readonly headers: Record<string, string> | undefined;
}

/** Thrown from inside modesl's call stack; push() turns it into a protocol error. */
class FramingViolation extends Error {}

/** modesl's framer with our header decoder, delivering raw frames to `onFrame`. */
class GuardedModeslFramer extends Parser<HeaderBlock> {
  constructor(
    source: ModeslByteSource,
    private readonly onFrame: (frame: EslFrame) => void,
  ) {
    super(source);
  }

  protected override _parseHeaderText(text: string): HeaderBlock {
    const headers = parseHeaderBlock(text.replace(/^[\r\n]+/, ''));
    if (headers === null) return { headers: undefined };
    if (!headers) throw new FramingViolation('malformed header line');
    const contentType = headers['Content-Type'];
    if (contentType === undefined) throw new FramingViolation('frame without Content-Type');
    const contentLength = headers['Content-Length'];
    if (contentLength === undefined) {
      if (BODY_REQUIRED.test(contentType)) throw new FramingViolation(`${contentType} frame without Content-Length`);
      return { headers };
    }
    if (!/^\d{1,10}$/.test(contentLength) || Number(contentLength) > MAX_BODY_BYTES) throw new FramingViolation('invalid Content-Length');
    return { headers, 'Content-Length': Number(contentLength) };
  }

  protected override _parseEvent(block: HeaderBlock, body?: string): void {
    if (!block.headers) return;
    // modesl passes no body for `Content-Length: 0`; a present-but-empty body is what was sent.
    const text = body ?? (block['Content-Length'] === undefined ? undefined : '');
    this.onFrame(text === undefined ? { headers: block.headers } : { headers: block.headers, body: text });
  }
}

export class EslFrameParser {
  /** The framer listens here instead of on the socket, so each feed is a call we can wrap. */
  private readonly wire = new EventEmitter();
  private readonly framer: GuardedModeslFramer;
  private results: EslParseResult[] = [];
  /** Bytes received but not yet fed to the framer (see the header comment for why they are held). */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** A blank line may be among the held bytes: feed them now rather than wait for a full slice. */
  private blankLineHeld = false;
  private lastByte = -1;
  private failure: string | undefined;

  constructor() {
    this.framer = new GuardedModeslFramer(this.wire, (frame) => this.results.push({ kind: 'frame', frame }));
    this.framer.on('error', (error) => (this.failure ??= `ESL framer error: ${describe(error)}`));
  }

  /** Feeds one TCP read; returns every frame it completes, in order. After a protocol error, ignores further input. */
  push(chunk: Buffer): EslParseResult[] {
    if (this.failure !== undefined || chunk.length === 0) return [];
    this.hold(chunk);
    const results: EslParseResult[] = (this.results = []);
    try {
      this.feedHeldBytes();
    } catch (error) {
      this.failure ??= error instanceof FramingViolation ? error.message : `ESL framer threw: ${describe(error)}`;
    }
    if (this.failure !== undefined) {
      this.held = [];
      this.heldBytes = 0;
      this.framer.buffer = Buffer.alloc(0);
      results.push({ kind: 'protocol-error', reason: this.failure });
    }
    return results;
  }

  private hold(chunk: Buffer): void {
    this.blankLineHeld ||= chunk.includes(BLANK_LINE) || (this.lastByte === LF && chunk[0] === LF);
    this.lastByte = chunk[chunk.length - 1] ?? this.lastByte;
    this.held.push(chunk);
    this.heldBytes += chunk.length;
  }

  private feedHeldBytes(): void {
    while (this.heldBytes > 0 && this.failure === undefined) {
      if (this.framer.bodyLen > 0) {
        const missing = this.framer.bodyLen - this.framer.buffer.length;
        if (this.heldBytes < missing) return;
        this.wire.emit('data', this.take(missing));
        continue;
      }
      if (!this.blankLineHeld && this.heldBytes < FEED_SLICE_BYTES) return;
      this.wire.emit('data', this.take(Math.min(FEED_SLICE_BYTES, this.heldBytes)));
      if (this.framer.bodyLen === 0 && this.framer.buffer.length > MAX_HEADER_BYTES) {
        this.failure = 'header block too large or not terminated';
      }
    }
    this.blankLineHeld = false;
  }

  /** The first `length` held bytes (a view when one read holds them all). */
  private take(length: number): Buffer {
    const first = this.held[0];
    if (first && first.length >= length) {
      this.held[0] = first.subarray(length);
      if (this.held[0].length === 0) this.held.shift();
      this.heldBytes -= length;
      return first.subarray(0, length);
    }
    const all = Buffer.concat(this.held, this.heldBytes);
    const rest = all.subarray(length);
    this.held = rest.length > 0 ? [rest] : [];
    this.heldBytes = rest.length;
    return all.subarray(0, length);
  }
}

/**
 * `Name: value` lines; a repeated name keeps its first value. Undefined when any line is malformed,
 * null when the block is empty.
 */
export function parseHeaderBlock(text: string): Record<string, string> | undefined | null {
  if (text === '') return null;
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
