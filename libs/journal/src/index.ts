export { CallJournal, JOURNAL_DEFAULTS, journalKey, type CallJournalOptions, type JournalStats } from './call-journal';
export { CALL_ID_PATTERN, decodeEntry, readTimeline, type CallTimeline } from './call-timeline';
export type { AttemptEntry, AttemptReport, EventEntry, JournalEntry, NotificationEntry } from './journal-entry';
export { JournalModule } from './journal.module';
export { formatTimeline, timelineJson } from './timeline-format';
