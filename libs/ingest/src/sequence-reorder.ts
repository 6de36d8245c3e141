// FreeSWITCH can fire a call's events from several threads, so they may reach our socket slightly out of
// Event-Sequence order. Each event waits a few milliseconds here and leaves in sequence order; one that
// arrives later than the window still goes on (the call model tolerates any order, this only makes the
// common case exact). A window of 0 turns reordering off.
import { eventSequenceOf, type ChannelEvent } from '@cc360/calls';

interface Held {
  event: ChannelEvent;
  sequence: number;
  arrivedAt: number;
}

export class SequenceReorder {
  private held: Held[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly windowMs: number,
    private readonly release: (event: ChannelEvent) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(event: ChannelEvent): void {
    const sequence = eventSequenceOf(event);
    if (this.windowMs <= 0 || sequence === undefined) {
      this.release(event);
      return;
    }
    // Insert in sequence order (the list is short: a window's worth of events).
    let index = this.held.length;
    while (index > 0 && this.held[index - 1].sequence > sequence) index--;
    this.held.splice(index, 0, { event, sequence, arrivedAt: this.now() });
    this.schedule();
  }

  /** Releases everything held, in order (on disconnect: a new connection or core starts afresh). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const held = this.held;
    this.held = [];
    for (const item of held) this.release(item.event);
  }

  private schedule(): void {
    if (this.timer || this.held.length === 0) return;
    // A loop, not Math.min(...): spreading a flood of held events would overflow the call stack.
    let oldest = Infinity;
    for (const item of this.held) oldest = Math.min(oldest, item.arrivedAt);
    const wait = Math.max(0, oldest + this.windowMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.releaseDue();
      this.schedule();
    }, wait);
  }

  /** Releases, in sequence order, every event up to the last one whose window is over. */
  private releaseDue(): void {
    const deadline = this.now() - this.windowMs;
    let last = -1;
    this.held.forEach((item, index) => {
      if (item.arrivedAt <= deadline) last = index;
    });
    const due = this.held.splice(0, last + 1);
    for (const item of due) this.release(item.event);
  }
}
