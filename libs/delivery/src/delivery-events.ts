// What the delivery side reports about each notification: for logs, metrics, the admin timeline and benches.
import type { CrmNotification } from '@cc360/calls';

export interface DeliveredEvent {
  notification: CrmNotification;
  jobId: string;
  /** Produced → CRM 2xx, in ms. */
  latencyMs: number;
  attempts: number;
}

export interface RetryingEvent {
  notification: CrmNotification;
  jobId: string;
  attempts: number;
  reason: string;
  message: string;
}

export interface FailedEvent {
  notification: CrmNotification;
  jobId: string;
  attempts: number;
  reason: string;
  message: string;
  /** 'permanent' (the CRM refused it) or 'expired' (the retry window is over). */
  cause: 'permanent' | 'expired';
}

export interface DeliveryEvents {
  delivered: [DeliveredEvent];
  retrying: [RetryingEvent];
  failed: [FailedEvent];
}
