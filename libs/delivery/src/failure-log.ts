// Logs notifications that failed for good without flooding: a misconfigured token makes every request
// fail the same way. The first failure of each reason is logged in full, the rest are counted and
// summed up once a minute; each failure stays in the failed set with its own reason for operators.
import type { LoggerService } from '@nestjs/common';

const SUMMARY_INTERVAL_MS = 60_000;

export class FailureLog {
  private readonly seen = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly logger: LoggerService) {}

  failedForGood(reason: string, line: string): void {
    const count = this.seen.get(reason);
    this.seen.set(reason, (count ?? 0) + 1);
    if (count === undefined) {
      this.logger.error(`${line} (more failures for "${reason}" are summed up every minute)`);
    }
    this.timer ??= setTimeout(() => this.summarize(), SUMMARY_INTERVAL_MS).unref();
  }

  private summarize(): void {
    this.timer = undefined;
    for (const [reason, count] of this.seen) {
      if (count > 1) this.logger.error(`${count - 1} more notifications failed for good (${reason}) in the last minute; see the failed jobs`);
    }
    this.seen.clear();
  }
}
