// The payload of one delivery job: one CC360 notification and when it was produced.
import { notificationIdentity, type CrmNotification } from '@cc360/calls';

export interface DeliveryJobData {
  readonly notification: CrmNotification;
  /** Epoch ms when the connector produced the notification: the start of the retry window and of latency. */
  readonly producedAt: number;
  /** Position in the call's order of production (score in the call's order gate). */
  readonly order: number;
}

/**
 * A deterministic job id: the same notification produced twice maps to the same job.
 * BullMQ refuses ':' in custom ids and purely numeric ids, so ':' is escaped and a prefix is added.
 */
export function deliveryJobId(notification: CrmNotification): string {
  const raw = `${notification.callId}|${notificationIdentity(notification)}`;
  return `n|${raw.replace(/%/g, '%25').replace(/:/g, '%3A')}`;
}

/** Short label for logs and metrics: never carries a number or a token. */
export function notificationKind(notification: CrmNotification): string {
  return notification.type === 'ringing' ? notification.eventName : 'summary';
}
