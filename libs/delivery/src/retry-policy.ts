// How long and how often a transient CRM failure is retried.

export interface RetryPolicy {
  /** First retry delay. */
  readonly initialDelayMs: number;
  /** Cap of the exponential growth. */
  readonly maxDelayMs: number;
  /** Retry window measured from production; after it the job goes to the failed set. */
  readonly maxAgeMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  initialDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  maxAgeMs: 24 * 3_600_000,
};

/**
 * Exponential backoff with "equal jitter" (half fixed, half random) so that jobs which failed together
 * during a CRM outage do not come back together; a Retry-After from the CRM is a floor.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attemptsMade: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attemptsMade - 1, 0), 30);
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
  const jittered = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** True when the retry window of a notification produced at `producedAt` is over. */
export function retryWindowOver(policy: RetryPolicy, producedAt: number, now: number = Date.now()): boolean {
  return now - producedAt >= policy.maxAgeMs;
}
