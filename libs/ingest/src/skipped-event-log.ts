// Events the call model cannot place (no Unique-ID) are skipped. A broken or hostile event socket can send
// thousands: the first is logged, the rest are counted and summed up once a minute, without stack traces.
import type { LoggerService } from '@nestjs/common';

const SUMMARY_INTERVAL_MS = 60_000;

export class SkippedEventLog {
  private skippedSinceSummary = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly logger: LoggerService) {}

  skipped(reason: string): void {
    if (this.timer === undefined) {
      this.logger.warn(`Skipped a channel event: ${reason} (further skipped events are summed up every minute)`);
      this.timer = setTimeout(() => this.summarize(), SUMMARY_INTERVAL_MS).unref();
      return;
    }
    this.skippedSinceSummary++;
  }

  private summarize(): void {
    this.timer = undefined;
    if (this.skippedSinceSummary > 0) this.logger.warn(`${this.skippedSinceSummary} more channel events skipped in the last minute (no Unique-ID)`);
    this.skippedSinceSummary = 0;
  }
}
