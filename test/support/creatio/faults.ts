// Faults the Creatio simulator can be told to inject, and the book that decides which request gets which.

/** What to do with one request instead of answering it normally. */
export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string; body?: string; contentType?: string }
  /** Never answers: the client's timeout must fire. */
  | { kind: 'hang' }
  /** Destroys the socket without an answer. */
  | { kind: 'reset' }
  /** Answers normally, `ms` later. */
  | { kind: 'delay'; ms: number }
  /** Answers normally once `release` settles: lets a test order requests without sleeping. */
  | { kind: 'hold'; release: Promise<unknown> };

/** Picks the fault for one request, or none; for a test that must fail exactly a chosen request. */
export type FaultPicker<R> = (request: R) => Fault | undefined;

interface FaultRule<R> {
  pick: FaultPicker<R>;
  remaining: number;
  until: number;
}

export class FaultBook<R> {
  private readonly rules: FaultRule<R>[] = [];

  constructor(private readonly now: () => number) {}

  next(times: number, fault: Fault, match?: (request: R) => boolean): void {
    this.rules.push({ pick: only(fault, match), remaining: times, until: Infinity });
  }

  during(ms: number, fault: Fault, match?: (request: R) => boolean): void {
    this.rules.push({ pick: only(fault, match), remaining: Infinity, until: this.now() + ms });
  }

  /** `pick` decides for every request until clear(); a request it returns undefined for is not counted. */
  when(pick: FaultPicker<R>): void {
    this.rules.push({ pick, remaining: Infinity, until: Infinity });
  }

  clear(): void {
    this.rules.length = 0;
  }

  take(request: R): Fault | undefined {
    const now = this.now();
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i];
      if (rule.until <= now || rule.remaining <= 0) {
        this.rules.splice(i--, 1);
        continue;
      }
      const fault = rule.pick(request);
      if (!fault) continue;
      rule.remaining--;
      return fault;
    }
    return undefined;
  }
}

function only<R>(fault: Fault, match: ((request: R) => boolean) | undefined): FaultPicker<R> {
  return (request) => (!match || match(request) ? fault : undefined);
}
