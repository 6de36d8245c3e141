// Logs the CRM's delivery state once per change (failing / recovered), not once per job.
import type { LoggerService } from '@nestjs/common';
import type { DeliveryFailure } from './delivery-failure';

export class DeliveryHealth {
  private failingSince: number | undefined;
  private failuresSinceHealthy = 0;

  constructor(private readonly logger: LoggerService) {}

  get failing(): boolean {
    return this.failingSince !== undefined;
  }

  onTransientFailure(failure: DeliveryFailure): void {
    this.failuresSinceHealthy++;
    if (this.failingSince !== undefined) return;
    this.failingSince = Date.now();
    this.logger.warn(`CRM delivery failing (${failure.reason}): ${failure.message}; retrying with backoff`);
  }

  /** True when this delivery ends a failing period (the CRM answers again). */
  onDelivered(): boolean {
    if (this.failingSince === undefined) return false;
    const seconds = ((Date.now() - this.failingSince) / 1000).toFixed(1);
    this.logger.log(`CRM delivery recovered after ${seconds} s and ${this.failuresSinceHealthy} failed attempts; retrying the waiting notifications now`);
    this.failingSince = undefined;
    this.failuresSinceHealthy = 0;
    return true;
  }
}
