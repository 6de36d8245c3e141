// Pairs each expected CRM request (its ESL event written) with its arrival at the simulated CRM: latency,
// what is still outstanding, duplicates, and order: a request arriving after a later step of the same
// call for the same agent is an order violation.
import { summarize, type Arrival, type CrmProcess, type Percentiles } from './bench-kit';
import type { ExpectedRequest } from './call-load';

const STEP_ORDER: Record<string, number> = { ringing: 0, answer: 1, hangup: 2, summary: 3 };

export interface TrackerCounts {
  expected: number;
  delivered: number;
  duplicates: number;
  orderViolations: number;
  /** Arrivals nobody expected (a close-out, or a request of another run). */
  unexpected: number;
}

export class ArrivalTracker {
  private readonly pending = new Map<string, number>();
  private readonly delivered = new Set<string>();
  private readonly reached = new Map<string, number>();
  /** [emittedAt, latency] of every first arrival. */
  private readonly latencies: Array<[number, number]> = [];
  private readonly counts: TrackerCounts = { expected: 0, delivered: 0, duplicates: 0, orderViolations: 0, unexpected: 0 };
  private backlog: { keys: Set<string>; since: number; drainedAt?: number } | undefined;
  private readonly stopListening: () => void;

  constructor(crm: CrmProcess) {
    this.stopListening = crm.onArrival((arrival) => this.onArrival(arrival));
  }

  expect(request: ExpectedRequest): void {
    this.pending.set(`${request.callId}|${request.user}|${request.step}`, request.emittedAt);
    this.counts.expected++;
  }

  get outstanding(): number {
    return this.pending.size;
  }

  /** From now on, watches the requests outstanding at this moment until the last of them arrives. */
  markBacklog(at: number): number {
    this.backlog = { keys: new Set(this.pending.keys()), since: at };
    return this.backlog.keys.size;
  }

  /** Milliseconds from markBacklog() until its last request arrived; undefined while some are missing. */
  get backlogDrainMs(): number | undefined {
    const backlog = this.backlog;
    return backlog?.drainedAt === undefined ? undefined : backlog.drainedAt - backlog.since;
  }

  get backlogLeft(): number {
    return this.backlog?.keys.size ?? 0;
  }

  /** Latency percentiles of the requests whose event was written at or after `since` (all by default). */
  latency(since = -Infinity): Percentiles {
    return summarize(this.latencies.filter(([emittedAt]) => emittedAt >= since).map(([, latency]) => latency));
  }

  result(): TrackerCounts & { latency: Percentiles; missing: number } {
    return { ...this.counts, latency: this.latency(), missing: this.pending.size };
  }

  /** Waits until nothing is outstanding, at most `timeoutMs`; true when everything arrived. */
  async settle(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.pending.size === 0;
  }

  stop(): void {
    this.stopListening();
  }

  private onArrival(arrival: Arrival): void {
    const key = `${arrival.id}|${arrival.user}|${arrival.step}`;
    const emittedAt = this.pending.get(key);
    if (emittedAt === undefined) {
      if (this.delivered.has(key)) this.counts.duplicates++;
      else this.counts.unexpected++;
      return;
    }
    this.pending.delete(key);
    this.delivered.add(key);
    this.counts.delivered++;
    this.latencies.push([emittedAt, arrival.receivedAt - emittedAt]);
    const agentCall = `${arrival.id}|${arrival.user}`;
    const step = STEP_ORDER[arrival.step] ?? -1;
    if (step < (this.reached.get(agentCall) ?? -1)) this.counts.orderViolations++;
    else this.reached.set(agentCall, step);
    const backlog = this.backlog;
    if (backlog?.keys.delete(key) && backlog.keys.size === 0) backlog.drainedAt = arrival.receivedAt;
  }
}
