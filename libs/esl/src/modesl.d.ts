// The part of modesl 1.2.1 (untyped CommonJS) that libs/esl uses: its wire framer `Parser`
// (node_modules/modesl/lib/esl/Parser.js). Only libs/esl may import 'modesl'; nothing here is re-exported.

declare module 'modesl' {
  /** Any emitter of raw socket reads: the Parser subscribes to 'data' and 'end' in its constructor. */
  export interface ModeslByteSource {
    on(event: 'data', listener: (chunk: Buffer) => void): unknown;
    on(event: 'end', listener: () => void): unknown;
  }

  /** What the framing itself reads from a parsed header block: only the body length (a truthy number means "a body follows"). */
  export interface ModeslHeaderBlock {
    readonly 'Content-Length'?: number;
  }

  /**
   * Splits the byte stream into header block + Content-Length body. `Block` is whatever
   * `_parseHeaderText` returns; the framing hands it back unchanged to `_parseEvent`.
   */
  export class Parser<Block extends ModeslHeaderBlock = ModeslHeaderBlock> {
    constructor(source: ModeslByteSource);
    /** Bytes received and not yet framed (a partial header block, or the partial body of `bodyLen` bytes). */
    buffer: Buffer;
    /** > 0 while a body of that many bytes is awaited. */
    bodyLen: number;
    encoding: BufferEncoding;
    /** EventEmitter2: an 'error' emitted without a listener is thrown. */
    on(event: 'error', listener: (error: unknown) => void): this;
    /** Called once per header block (the text before the blank line, decoded as `encoding`). */
    protected _parseHeaderText(text: string): Block;
    /** Called once per complete frame; `body` is undefined when the block has no (or a zero) Content-Length. */
    protected _parseEvent(headers: Block, body?: string): void;
  }
}
