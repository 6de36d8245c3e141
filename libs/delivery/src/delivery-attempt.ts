// One request to the CRM as an observer sees it (the operator's call timeline): how long it took and
// what the CRM answered. Observing is optional and never changes what delivery does.
import type { CrmNotification } from '@cc360/calls';
import { CrmRequestError } from '@cc360/crm';
import { toDeliveryFailure } from './delivery-failure';
import type { NotificationSender } from './lane-workers';

export type DeliveryAttemptOutcome =
  | { readonly ok: true; readonly status?: number }
  | { readonly ok: false; readonly retry: 'transient' | 'permanent'; readonly reason: string; readonly status?: number };

export interface DeliveryAttempt {
  readonly notification: CrmNotification;
  /** 1 for the first request of this notification, as BullMQ counts attempts. */
  readonly attempt: number;
  /** Epoch ms when the request started. */
  readonly startedAt: number;
  readonly durationMs: number;
  readonly outcome: DeliveryAttemptOutcome;
}

/** Must return at once and never throw: it runs inside the delivery of the notification. */
export interface DeliveryAttemptObserver {
  attemptFinished(attempt: DeliveryAttempt): void;
}

/** Sends like `sender.send`, and tells the observer (when there is one) how the request went. */
export async function sendObserved(
  sender: NotificationSender,
  notification: CrmNotification,
  attempt: number,
  observer: DeliveryAttemptObserver | undefined,
): Promise<void> {
  if (!observer) {
    await sender.send(notification);
    return;
  }
  const startedAt = Date.now();
  const started = performance.now();
  const report = (outcome: DeliveryAttemptOutcome) =>
    observer.attemptFinished({ notification, attempt, startedAt, durationMs: performance.now() - started, outcome });
  let answer: unknown;
  try {
    answer = await sender.send(notification);
  } catch (error) {
    report(failureOutcome(error));
    throw error;
  }
  report({ ok: true, status: statusOf(answer) });
}

/** Only the error class and status: the message may quote the CRM's answer. */
function failureOutcome(error: unknown): DeliveryAttemptOutcome {
  const { retry, reason } = toDeliveryFailure(error);
  return { ok: false, retry, reason, status: error instanceof CrmRequestError ? error.status : undefined };
}

function statusOf(answer: unknown): number | undefined {
  const status = typeof answer === 'object' && answer !== null ? (answer as { status?: unknown }).status : undefined;
  return typeof status === 'number' ? status : undefined;
}
