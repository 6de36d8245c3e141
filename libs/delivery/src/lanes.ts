// Lanes: every call is pinned to one lane (a BullMQ queue worked one job at a time), so the jobs of a
// call never race each other in the healthy path, while different lanes deliver in parallel.

export const QUEUE_NAME_PREFIX = 'cc360-delivery';

/** FNV-1a: cheap, stable across processes and versions, spreads UUIDs evenly. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function laneOf(callId: string, laneCount: number): number {
  return fnv1a(callId) % laneCount;
}

export function laneQueueName(lane: number): string {
  return `${QUEUE_NAME_PREFIX}-${String(lane).padStart(3, '0')}`;
}

export function laneQueueNames(laneCount: number): string[] {
  return Array.from({ length: laneCount }, (_, lane) => laneQueueName(lane));
}
