import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, retryDelayMs, retryWindowOver } from './retry-policy';

describe('retry policy', () => {
  it('grows exponentially from 1 s and stays within [ceiling/2, ceiling], capped at 5 min', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
        const ceiling = Math.min(300_000, 1_000 * 2 ** Math.min(attempt - 1, 30));
        const delay = retryDelayMs(DEFAULT_RETRY_POLICY, attempt, undefined, () => r);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }),
    );
  });

  it('spreads retries of jobs that failed together (jitter)', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(DEFAULT_RETRY_POLICY, 5)));
    expect(delays.size).toBeGreaterThan(10);
  });

  it('never retries sooner than the CRM asked with Retry-After', () => {
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 1, 42_000, () => 0)).toBe(42_000);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 10, 1_000, () => 1)).toBe(300_000);
  });

  it('closes the retry window after maxAge', () => {
    expect(retryWindowOver(DEFAULT_RETRY_POLICY, 0, 24 * 3_600_000 - 1)).toBe(false);
    expect(retryWindowOver(DEFAULT_RETRY_POLICY, 0, 24 * 3_600_000)).toBe(true);
  });
});
