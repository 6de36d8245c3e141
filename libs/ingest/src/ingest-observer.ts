// What the ingest tells an observer about each call (the operator's call timeline). Optional.
import type { ChannelEvent, CrmNotification } from '@cc360/calls';

/** Both methods must return at once and never throw: they run inside event handling. */
export interface IngestObserver {
  /** An ESL event was taken in and found to belong to `callId`. */
  eventReceived(callId: string, event: ChannelEvent): void;
  /** The call model produced a notification (before recording paths become URLs). */
  notificationProduced(notification: CrmNotification): void;
}
