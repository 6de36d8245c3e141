// A call's timeline for a terminal (one aligned line per entry, times in UTC) and as JSON for scripts.
// Fields that came from FreeSWITCH are stripped of control characters: they must not drive the terminal.
import type { CallTimeline } from './call-timeline';
import type { AttemptEntry, EventEntry, JournalEntry, NotificationEntry, NotificationRef } from './journal-entry';

export function formatTimeline(timeline: CallTimeline): string {
  const { entries } = timeline;
  const count = (type: JournalEntry['type']) => entries.filter((entry) => entry.type === type).length;
  const failed = entries.filter((entry) => entry.type === 'attempt' && !entry.ok).length;
  const day = entries.length > 0 ? isoDay(entries[0].at) : undefined;
  const lines = [
    `call ${printable(timeline.callId)}: ${count('event')} ESL events, ${count('notification')} notifications, ` +
      `${count('attempt')} CRM requests (${failed} failed)${day ? `, ${day}, times UTC` : ''}`,
    ...entries.map((entry) => `${clock(entry.at, day)}  ${describeEntry(entry)}`),
  ];
  if (timeline.unreadable > 0) lines.push(`${timeline.unreadable} journal entries could not be read and are not shown`);
  return `${lines.join('\n')}\n`;
}

/** The timeline as one JSON document: the entries as stored, each with its time in ISO 8601 too. */
export function timelineJson(timeline: CallTimeline): string {
  const entries = timeline.entries.map((entry) => ({ time: new Date(entry.at).toISOString(), ...entry }));
  return `${JSON.stringify({ callId: timeline.callId, entries, unreadable: timeline.unreadable }, null, 2)}\n`;
}

export function describeEntry(entry: JournalEntry): string {
  switch (entry.type) {
    case 'event':
      return `ESL     ${describeEvent(entry)}`;
    case 'notification':
      return `notify  ${describeNotification(entry)}`;
    case 'attempt':
      return `CRM     ${describeAttempt(entry)}`;
  }
}

function describeEvent(entry: EventEntry): string {
  const parts = [entry.name.padEnd(23), `leg ${printable(entry.legId ?? '-')}`];
  if (entry.sequence !== undefined) parts.push(`seq ${entry.sequence}`);
  if (entry.hangupCause) parts.push(`cause ${printable(entry.hangupCause)}`);
  return parts.join('  ');
}

function describeNotification(entry: NotificationEntry): string {
  const parts = [notificationLabel(entry), `caller ${printable(entry.callerId)}`];
  if (entry.durationSec !== undefined) parts.push(`talk ${entry.durationSec} s`);
  if (entry.recordings) parts.push(`${entry.recordings} recording${entry.recordings === 1 ? '' : 's'}`);
  return parts.join('  ');
}

function describeAttempt(entry: AttemptEntry): string {
  const answer = entry.ok
    ? `HTTP ${entry.status ?? '2xx'}`
    : `${entry.status !== undefined ? `HTTP ${entry.status}` : printable(entry.error ?? 'error')} ${entry.retry ?? ''}`.trim();
  return [notificationLabel(entry), `attempt ${entry.attempt}`, answer.padEnd(18), `${entry.durationMs.toFixed(1)} ms`].join('  ');
}

/** `ringing`/`answer`/`hangup` popups and `summary <direction>`, for agent `user`, on leg `legId`. */
function notificationLabel(ref: NotificationRef): string {
  const what = ref.kind === 'ringing' ? ref.state : `summary ${ref.state}`;
  return `${printable(what).padEnd(16)}  agent ${printable(ref.user).padEnd(6)}  leg ${printable(ref.legId)}`;
}

function isoDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** HH:MM:SS.mmm, with the date in front when it is not the timeline's first day. */
function clock(at: number, day: string | undefined): string {
  const iso = new Date(at).toISOString();
  return iso.slice(0, 10) === day ? iso.slice(11, 23) : `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
