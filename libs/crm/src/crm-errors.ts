// The one error the CRM client throws, classified for the delivery layer: retry later or give up.

export type RetryClass = 'transient' | 'permanent';

export interface CrmRequestErrorDetails {
  retry: RetryClass;
  reason: string;
  status?: number;
  retryAfterMs?: number;
}

export class CrmRequestError extends Error {
  override readonly name = 'CrmRequestError';
  readonly retry: RetryClass;
  /** Short and stable: `timeout`, `connection-reset`, `http-503`, `session-expired`, `login-failed`, ... */
  readonly reason: string;
  readonly status?: number;
  readonly retryAfterMs?: number;

  constructor(message: string, details: CrmRequestErrorDetails) {
    super(message);
    this.retry = details.retry;
    this.reason = details.reason;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Transient: the same request may succeed later. Permanent: the CRM will refuse it again. */
export function retryClassOfStatus(status: number): RetryClass {
  if (status >= 500 || status === 408 || status === 429) return 'transient';
  return 'permanent';
}

const CONNECTION_CODES: Record<string, string> = {
  ECONNRESET: 'connection-reset',
  ECONNREFUSED: 'connection-refused',
  EPIPE: 'connection-reset',
  ETIMEDOUT: 'timeout',
  ENOTFOUND: 'dns-failure',
  EAI_AGAIN: 'dns-failure',
  EHOSTUNREACH: 'host-unreachable',
  ENETUNREACH: 'network-unreachable',
  ECONNABORTED: 'connection-reset',
  ERR_STREAM_PREMATURE_CLOSE: 'connection-reset',
};

/** A network-level failure (no HTTP answer): always transient. */
export function reasonOfNetworkError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if ((error as { name?: unknown }).name === 'TimeoutError') return 'timeout';
  if (typeof code === 'string' && CONNECTION_CODES[code]) return CONNECTION_CODES[code];
  return typeof code === 'string' ? code.toLowerCase() : 'network-error';
}
