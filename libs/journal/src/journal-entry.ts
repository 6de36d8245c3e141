// The entries of a call's journal: what was received from FreeSWITCH, what was produced for the CRM and
// how each request went. Built from whitelisted fields only, so no token or password can end up in Redis.
import { eventSequenceOf, eventTimeMicros, hangupCauseOf, legIdOf, type ChannelEvent, type CrmNotification } from '@cc360/calls';

/** An ESL event taken in for the call. */
export interface EventEntry {
  readonly type: 'event';
  /** Epoch ms when the connector took the event in. */
  readonly at: number;
  readonly name: string;
  readonly legId?: string;
  readonly sequence?: number;
  /** Epoch ms when FreeSWITCH fired it (Event-Date-Timestamp). */
  readonly firedAt?: number;
  readonly hangupCause?: string;
}

/** Which notification an entry is about: `ringing`/`answer`/`hangup` popups, or the summary. */
export interface NotificationRef {
  readonly kind: 'ringing' | 'summary';
  /** The popup's eventName, or the summary's direction. */
  readonly state: string;
  /** The agent's extension. */
  readonly user: string;
  readonly legId: string;
}

/** A notification the call model produced. */
export interface NotificationEntry extends NotificationRef {
  readonly type: 'notification';
  readonly at: number;
  readonly callerId: string;
  readonly durationSec?: number;
  readonly recordings?: number;
}

/** One request to the CRM and its answer. */
export interface AttemptEntry extends NotificationRef {
  readonly type: 'attempt';
  /** Epoch ms when the request started. */
  readonly at: number;
  readonly attempt: number;
  readonly durationMs: number;
  readonly ok: boolean;
  readonly status?: number;
  /** Error class (`http-503`, `timeout`, `connection-reset`...) of a failed request. */
  readonly error?: string;
  readonly retry?: 'transient' | 'permanent';
}

export type JournalEntry = EventEntry | NotificationEntry | AttemptEntry;

/** The part of a delivery attempt the journal keeps (structurally DeliveryAttempt of @cc360/delivery). */
export interface AttemptReport {
  readonly notification: CrmNotification;
  readonly attempt: number;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly outcome:
    | { readonly ok: true; readonly status?: number }
    | { readonly ok: false; readonly retry: 'transient' | 'permanent'; readonly reason: string; readonly status?: number };
}

export function eventEntry(event: ChannelEvent, at: number): EventEntry {
  const fired = eventTimeMicros(event);
  return {
    type: 'event',
    at,
    name: event.name,
    legId: legIdOf(event),
    sequence: eventSequenceOf(event),
    firedAt: fired === undefined ? undefined : Math.round(fired / 1000),
    hangupCause: /HANGUP/.test(event.name) ? hangupCauseOf(event) : undefined,
  };
}

export function notificationRef(notification: CrmNotification): NotificationRef {
  return {
    kind: notification.type,
    state: notification.type === 'ringing' ? notification.eventName : notification.direction,
    user: notification.user,
    legId: notification.legId,
  };
}

export function notificationEntry(notification: CrmNotification, at: number): NotificationEntry {
  const summary = notification.type === 'summary' ? { durationSec: notification.durationSec, recordings: notification.files.length } : {};
  return { type: 'notification', at, ...notificationRef(notification), callerId: notification.callerId, ...summary };
}

export function attemptEntry(report: AttemptReport): AttemptEntry {
  const { outcome } = report;
  return {
    type: 'attempt',
    at: report.startedAt,
    ...notificationRef(report.notification),
    attempt: report.attempt,
    durationMs: Math.round(report.durationMs * 10) / 10,
    ok: outcome.ok,
    status: outcome.status,
    ...(outcome.ok ? {} : { error: outcome.reason, retry: outcome.retry }),
  };
}
