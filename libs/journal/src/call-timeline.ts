// Reads one call's journal back from Redis as a timeline in time order. What is read is checked field by
// field: anything that is not an entry this library writes is counted as unreadable, never shown as is.
import type Redis from 'ioredis';
import { journalKey } from './call-journal';
import type { JournalEntry } from './journal-entry';

export interface CallTimeline {
  readonly callId: string;
  /** In time order; entries of the same millisecond in the order they were written. */
  readonly entries: readonly JournalEntry[];
  readonly unreadable: number;
}

type FieldType = 'string' | 'number' | 'boolean' | 'string?' | 'number?';

const REF_FIELDS = { kind: 'string', state: 'string', user: 'string', legId: 'string' } as const;
const FIELDS: Record<JournalEntry['type'], Record<string, FieldType>> = {
  event: { name: 'string', legId: 'string?', sequence: 'number?', firedAt: 'number?', hangupCause: 'string?' },
  notification: { ...REF_FIELDS, callerId: 'string', durationSec: 'number?', recordings: 'number?' },
  attempt: { ...REF_FIELDS, attempt: 'number', durationMs: 'number', ok: 'boolean', status: 'number?', error: 'string?', retry: 'string?' },
};
const ALLOWED: Record<string, readonly string[]> = { kind: ['ringing', 'summary'], retry: ['transient', 'permanent'] };

/** A call id as it may appear in a key: what FreeSWITCH and our click-to-call produce, nothing else. */
export const CALL_ID_PATTERN = /^[A-Za-z0-9_.@-]{1,128}$/;

export async function readTimeline(redis: Redis, prefix: string, callId: string): Promise<CallTimeline> {
  const raw = await redis.xrange(journalKey(prefix, callId), '-', '+');
  const entries: JournalEntry[] = [];
  let unreadable = 0;
  for (const [, fields] of raw) {
    const entry = fields[0] === 'e' ? decodeEntry(fields[1]) : undefined;
    if (entry) entries.push(entry);
    else unreadable++;
  }
  // Array.prototype.sort is stable: ties keep the stream's order of writing.
  entries.sort((a, b) => a.at - b.at);
  return { callId, entries, unreadable };
}

/** The entry `text` encodes, with only the fields of its type; undefined for anything else. */
export function decodeEntry(text: string | undefined): JournalEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const type = record.type;
  if ((type !== 'event' && type !== 'notification' && type !== 'attempt') || !isFiniteNumber(record.at)) return undefined;
  const entry: Record<string, unknown> = { type, at: record.at };
  for (const [name, fieldType] of Object.entries(FIELDS[type])) {
    const field = record[name];
    if (field === undefined && fieldType.endsWith('?')) continue;
    if (!hasType(field, fieldType.replace('?', ''))) return undefined;
    if (ALLOWED[name] && !ALLOWED[name].includes(field as string)) return undefined;
    entry[name] = field;
  }
  return entry as unknown as JournalEntry;
}

function hasType(value: unknown, type: string): boolean {
  return type === 'number' ? isFiniteNumber(value) : typeof value === type;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
