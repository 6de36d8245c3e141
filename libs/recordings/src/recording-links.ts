// Links to recordings, as call summaries carry them: <PUBLIC_BASE_URL>/<token>/recording/<path under
// RECORDINGS_DIR>. With RECORDING_LINK_TTL set, a link also carries its expiry and an HMAC of path and
// expiry, so a leaked link stops working and cannot be turned into a link to another file.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';

export interface RecordingLinkOptions {
  /** How the CRM reaches this service, e.g. https://pbx.example.com (no trailing slash needed). */
  publicBaseUrl: string;
  /** The shared token in the path (WEBAPI_TOKEN). */
  token: string;
  /** Where FreeSWITCH writes recordings; only files below it are published. */
  recordingsDir: string;
  /** Signed, expiring links when set. */
  linkTtlMs?: number;
}

export type LinkCheck = { ok: true } | { ok: false; reason: 'expired' | 'bad-signature' | 'unsigned' };

export class RecordingLinks {
  private readonly key: Buffer;
  private readonly base: string;
  readonly recordingsDir: string;

  constructor(private readonly options: RecordingLinkOptions) {
    this.base = options.publicBaseUrl.replace(/\/+$/, '');
    this.recordingsDir = resolve(options.recordingsDir);
    // A key of its own, derived from the token, so a signature never reveals anything about the token.
    this.key = createHash('sha256').update(`cc360-recording-link\n${options.token}`).digest();
  }

  get signed(): boolean {
    return this.options.linkTtlMs !== undefined;
  }

  /** The path below RECORDINGS_DIR, with / separators; undefined for a file outside it. */
  relativePathOf(filePath: string): string | undefined {
    const rel = relative(this.recordingsDir, resolve(filePath));
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
    return rel.split(sep).join('/');
  }

  /** The URL for a recording file; undefined when it lies outside RECORDINGS_DIR. */
  urlFor(filePath: string, now: number = Date.now()): string | undefined {
    const rel = this.relativePathOf(filePath);
    if (rel === undefined) return undefined;
    const encoded = rel.split('/').map(encodeURIComponent).join('/');
    const url = `${this.base}/${encodeURIComponent(this.options.token)}/recording/${encoded}`;
    if (this.options.linkTtlMs === undefined) return url;
    const expires = Math.floor((now + this.options.linkTtlMs) / 1000);
    return `${url}?expires=${expires}&signature=${this.signature(rel, expires)}`;
  }

  /** Checks the expiry and signature of a link to `rel` (always ok when links are not signed). */
  check(rel: string, expires: unknown, signature: unknown, now: number = Date.now()): LinkCheck {
    if (this.options.linkTtlMs === undefined) return { ok: true };
    if (typeof expires !== 'string' || typeof signature !== 'string' || !/^\d{1,12}$/.test(expires)) return { ok: false, reason: 'unsigned' };
    const expected = Buffer.from(this.signature(rel, Number(expires)), 'hex');
    const given = Buffer.from(/^[0-9a-f]{64}$/.test(signature) ? signature : '', 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
    if (Number(expires) * 1000 < now) return { ok: false, reason: 'expired' };
    return { ok: true };
  }

  private signature(rel: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${rel}\n${expires}`).digest('hex');
  }
}
