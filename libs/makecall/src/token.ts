// The shared token the CRM puts in our URLs, compared in constant time (hashing first makes the
// comparison independent of the length of what was sent).
import { createHash, timingSafeEqual } from 'node:crypto';

export function tokenMatches(sent: unknown, expected: string): boolean {
  if (typeof sent !== 'string') return false;
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(sent), digest(expected));
}

/** A path as it may appear in logs: the token segment masked. */
export function maskToken(path: string): string {
  return path.replace(/^\/webapi\/[^/]+/, '/webapi/***');
}
