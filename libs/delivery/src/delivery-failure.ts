// Turns whatever the CRM client threw into a retry decision.
import { CrmRequestError } from '@cc360/crm';

export interface DeliveryFailure {
  retry: 'transient' | 'permanent';
  reason: string;
  message: string;
  retryAfterMs?: number;
}

/** An error that is not a CrmRequestError is a bug of ours: retried (nothing is lost) but reported as such. */
export function toDeliveryFailure(error: unknown): DeliveryFailure {
  if (error instanceof CrmRequestError) {
    return { retry: error.retry, reason: error.reason, message: error.message, retryAfterMs: error.retryAfterMs };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { retry: 'transient', reason: 'internal-error', message };
}

/** The error BullMQ records on a job that will be retried; the backoff strategy reads retryAfterMs from it. */
export class TransientDeliveryError extends Error {
  override readonly name = 'TransientDeliveryError';
  constructor(readonly failure: DeliveryFailure) {
    super(`${failure.reason}: ${failure.message}`);
  }
}
