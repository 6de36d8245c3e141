// Journal entries built from real call-model output, read back through the decoder, and printed.
import { applyEvent, DEFAULT_CALL_MODEL_OPTIONS, type CallState, type ChannelEvent, type CrmNotification } from '@cc360/calls';
import { answeredIncomingCall } from '../../calls/src/testing/call-scenarios';
import { describe, expect, it } from 'vitest';
import { decodeEntry, type CallTimeline } from './call-timeline';
import { attemptEntry, eventEntry, notificationEntry, type JournalEntry } from './journal-entry';
import { formatTimeline, timelineJson } from './timeline-format';

const T0 = Date.UTC(2026, 10, 29, 1, 2, 3, 456);

/** Plays a call through the call model and journals it as the ingest hooks would, one ms per event. */
function journalOf(events: readonly ChannelEvent[]): { entries: JournalEntry[]; notifications: CrmNotification[] } {
  const entries: JournalEntry[] = [];
  const notifications: CrmNotification[] = [];
  let state: CallState | undefined;
  events.forEach((event, index) => {
    entries.push(eventEntry(event, T0 + index));
    const update = applyEvent(state, event, DEFAULT_CALL_MODEL_OPTIONS);
    state = update.state;
    for (const notification of update.notifications) {
      entries.push(notificationEntry(notification, T0 + index));
      notifications.push(notification);
    }
  });
  return { entries, notifications };
}

function roundTrip(entries: readonly JournalEntry[]): JournalEntry[] {
  return entries.map((entry) => {
    const decoded = decodeEntry(JSON.stringify(entry));
    if (!decoded) throw new Error(`not decoded: ${JSON.stringify(entry)}`);
    return decoded;
  });
}

describe('journal entries', () => {
  it('keep name, leg, Event-Sequence and FreeSWITCH time of events, and nothing but whitelisted fields', () => {
    const [create] = answeredIncomingCall('fmt', '79991234567', '101', 30);
    const event: ChannelEvent = {
      name: create.name,
      headers: { ...create.headers, 'Event-Sequence': '4711', variable_sip_auth_password: 'sip-secret', variable_cc360_token: 'tok-secret' },
    };
    const entry = eventEntry(event, T0);
    expect(entry).toEqual({
      type: 'event',
      at: T0,
      name: 'CHANNEL_CREATE',
      legId: create.headers['Unique-ID'],
      sequence: 4711,
      firedAt: Math.round(Number(create.headers['Event-Date-Timestamp']) / 1000),
      hangupCause: undefined,
    });
    expect(JSON.stringify(entry)).not.toMatch(/secret/);
  });

  it('keep a summary\'s recordings as a count, never their URLs (they carry the webapi token)', () => {
    const summary: CrmNotification = {
      type: 'summary', callId: 'c1', callerId: '79991234567', user: '101', direction: 'incoming', durationSec: 42,
      files: ['https://pbx.example.com/webapi-token-secret/recording/2026/c1.mp3'], legId: 'leg-1',
    };
    const entry = notificationEntry(summary, T0);
    expect(entry).toMatchObject({ kind: 'summary', state: 'incoming', user: '101', durationSec: 42, recordings: 1 });
    expect(JSON.stringify(entry)).not.toMatch(/secret/);
  });

  it('decode only what the journal writes', () => {
    const good = { type: 'attempt', at: T0, kind: 'ringing', state: 'ringing', user: '101', legId: 'l', attempt: 1, durationMs: 3, ok: true, status: 200 };
    expect(decodeEntry(JSON.stringify({ ...good, extra: 'dropped' }))).toEqual(good);
    for (const bad of [
      'not json',
      '[]',
      'null',
      JSON.stringify({ ...good, type: 'other' }),
      JSON.stringify({ ...good, at: 'yesterday' }),
      JSON.stringify({ ...good, kind: 'popup' }),
      JSON.stringify({ ...good, attempt: '1' }),
      JSON.stringify({ ...good, retry: 'sometimes' }),
      JSON.stringify({ type: 'event', at: T0 }),
    ]) {
      expect(decodeEntry(bad)).toBeUndefined();
    }
  });
});

describe('timeline for a terminal and as JSON', () => {
  const { entries, notifications } = journalOf(answeredIncomingCall('fmt', '79991234567', '101', 30));
  const ringing = notifications[0];
  const attempts = [
    attemptEntry({ notification: ringing, attempt: 1, startedAt: T0 + 2, durationMs: 12.34, outcome: { ok: false, retry: 'transient', reason: 'http-503', status: 503 } }),
    attemptEntry({ notification: ringing, attempt: 2, startedAt: T0 + 1_010, durationMs: 4.26, outcome: { ok: true, status: 200 } }),
    attemptEntry({ notification: notifications[1], attempt: 1, startedAt: T0 + 1_020, durationMs: 10_000.04, outcome: { ok: false, retry: 'transient', reason: 'timeout' } }),
  ];
  const timeline: CallTimeline = { callId: 'call-1', entries: roundTrip([...entries, ...attempts]).sort((a, b) => a.at - b.at), unreadable: 0 };

  it('prints one line per entry, in time order, with the counts and the day on top', () => {
    const lines = formatTimeline(timeline).trimEnd().split('\n');
    const events = entries.filter((entry) => entry.type === 'event').length;
    expect(lines[0]).toBe(`call call-1: ${events} ESL events, ${notifications.length} notifications, 3 CRM requests (2 failed), 2026-11-29, times UTC`);
    expect(lines).toHaveLength(1 + timeline.entries.length);
    expect(lines[1]).toMatch(/^01:02:03\.456 {2}ESL {5}CHANNEL_CREATE +leg \S+ {2}seq \d+$/);
    const ringingLine = lines.findIndex((line) => /notify +ringing +agent 101 +leg \S+ +caller 79991234567$/.test(line));
    const failedLine = lines.findIndex((line) => /CRM +ringing +agent 101 +leg \S+ +attempt 1 +HTTP 503 transient +12\.3 ms$/.test(line));
    const retriedLine = lines.findIndex((line) => /^01:02:04\.466 {2}CRM +ringing +agent 101 +leg \S+ +attempt 2 +HTTP 200 +4\.3 ms$/.test(line));
    expect(ringingLine).toBeGreaterThan(1);
    expect(failedLine).toBeGreaterThan(ringingLine);
    expect(retriedLine).toBeGreaterThan(failedLine);
    expect(lines.find((line) => / answer +agent 101 .*attempt 1/.test(line))).toMatch(/timeout transient +10000\.0 ms$/);
    expect(lines.find((line) => /notify +summary incoming/.test(line))).toMatch(/caller 79991234567 +talk 30 s$/);
    expect(lines.find((line) => /CHANNEL_HANGUP_COMPLETE/.test(line))).toMatch(/cause NORMAL_CLEARING$/);
  });

  it('strips control characters that came from FreeSWITCH, and says how many entries it could not read', () => {
    const hostile: JournalEntry = { type: 'notification', at: T0, kind: 'ringing', state: 'ringing', user: '101', legId: 'l\u001b[2J', callerId: '7999\u0007\r\n' };
    const text = formatTimeline({ callId: 'call-2', entries: [hostile], unreadable: 2 });
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(text).toContain('leg l?[2J');
    expect(text).toContain('2 journal entries could not be read and are not shown');
  });

  it('prints the date of an entry on another day than the first', () => {
    const late: JournalEntry = { ...timeline.entries[0], at: T0 + 86_400_000 } as JournalEntry;
    expect(formatTimeline({ callId: 'c', entries: [timeline.entries[0], late], unreadable: 0 })).toContain('\n2026-11-30 01:02:03.456  ESL');
  });

  it('gives scripts the entries as stored, with ISO times', () => {
    const parsed = JSON.parse(timelineJson(timeline)) as { callId: string; entries: Array<JournalEntry & { time: string }>; unreadable: number };
    expect(parsed.callId).toBe('call-1');
    expect(parsed.unreadable).toBe(0);
    expect(parsed.entries.map(({ time: _time, ...entry }) => entry)).toEqual(JSON.parse(JSON.stringify(timeline.entries)));
    expect(parsed.entries[0].time).toBe('2026-11-29T01:02:03.456Z');
    expect(parsed.entries.filter((entry) => entry.type === 'attempt').map((entry) => [entry.attempt, entry.status ?? entry.error])).toEqual([
      [1, 503],
      [2, 200],
      [1, 'timeout'],
    ]);
  });
});
