// Notifications handed to delivery but not yet in its Redis queues, recorded in Redis before they are
// handed over: a connector killed in between publishes them again at its next start (delivery drops
// the ones that had arrived after all, by their job id), so the call state may be saved at once.
import type { CrmNotification } from '@cc360/calls';
import type { CallStateStore } from './call-state-store';

/** Resolves when every notification of the call published so far is in Redis. */
export type CallWritten = (callId: string) => Promise<unknown>;

type Guard = <T>(work: () => Promise<T>) => Promise<T | undefined>;

export class OwedNotifications {
  private readonly owed = new Map<string, CrmNotification[]>();

  constructor(
    private readonly store: CallStateStore,
    private readonly written: CallWritten,
    private readonly guard: Guard,
  ) {}

  /** Records `notifications` in Redis, hands them to `publish`, and forgets them once they are written. */
  publish(notifications: readonly CrmNotification[], publish: (notification: CrmNotification) => unknown): void {
    const byCall = new Map<string, CrmNotification[]>();
    for (const notification of notifications) byCall.set(notification.callId, [...(byCall.get(notification.callId) ?? []), notification]);
    for (const [callId, batch] of byCall) {
      const list = [...(this.owed.get(callId) ?? []), ...batch];
      this.owed.set(callId, list);
      void this.guard(() => this.store.saveOwed(callId, list));
    }
    for (const notification of notifications) publish(notification);
    for (const [callId, batch] of byCall) void this.written(callId).then(() => this.settle(callId, batch));
  }

  /** At start: what an earlier run still owed, published again. Resolves with how many. */
  async republish(publish: (notification: CrmNotification) => unknown): Promise<number> {
    const owed = (await this.guard(() => this.store.loadOwed())) ?? new Map<string, CrmNotification[]>();
    const all = [...owed.values()].flat();
    this.publish(all, publish);
    return all.length;
  }

  private settle(callId: string, delivered: readonly CrmNotification[]): void {
    const rest = (this.owed.get(callId) ?? []).filter((notification) => !delivered.includes(notification));
    if (rest.length > 0) this.owed.set(callId, rest);
    else this.owed.delete(callId);
    void this.guard(() => this.store.saveOwed(callId, rest));
  }
}
