import { describe, expect, it } from 'vitest';
import { maskTokenInUrl } from './logging';

describe('token masking in logged URLs', () => {
  it.each([
    ['/webapi/s3cret/makecall?first=101&second=7999', '/webapi/***/makecall?first=101&second=7999'],
    ['/webapi/s3cret', '/webapi/***'],
    ['/s3cret/recording/2026/11/28/a.mp3?expires=1&signature=ab', '/***/recording/2026/11/28/a.mp3?expires=1&signature=ab'],
    ['/health/live', '/health/live'],
    ['/metrics', '/metrics'],
  ])('%s → %s', (url, masked) => {
    expect(maskTokenInUrl(url)).toBe(masked);
  });
});
