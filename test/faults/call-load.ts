// Steady call load on the FreeSWITCH simulator: a seeded mix of calls started at a fixed rate, each call's
// events spread over a second or few of real time, so faults land in the middle of calls. Records when
// each event went out and whether a connector was subscribed to get it.
import type { FreeswitchSimulator } from '../support/freeswitch-simulator';
import { CallMix, WEBAPI_TOKEN, type CallPlan, type ScriptedCall } from './scripted-calls';

export interface PlayedCall {
  readonly call: ScriptedCall;
  readonly startedAt: number;
  /** When each event was written, and whether a subscribed connection was there to get it. */
  readonly emitted: Array<{ at: number; live: boolean }>;
  /** Its remaining events were never played (FreeSWITCH restarted under it). */
  aborted: boolean;
  endedAt?: number;
}

interface ActiveCall {
  played: PlayedCall;
  /** Due times (ms, performance clock) of each event. */
  due: number[];
  next: number;
}

/** Milliseconds on the clock the Creatio simulator stamps requests with. */
export function clock(): number {
  return performance.timeOrigin + performance.now();
}

export class CallLoad {
  readonly played: PlayedCall[] = [];
  /** Click-to-calls the connector refused (it answers 503 while FreeSWITCH is not connected) or could not take (down). */
  makecallRefused = 0;
  private readonly active: ActiveCall[] = [];
  private readonly pendingMakecalls = new Set<Promise<void>>();
  private ticker: NodeJS.Timeout | undefined;
  private nextStartAt = 0;

  constructor(
    private readonly freeswitch: FreeswitchSimulator,
    private readonly mix: CallMix,
    private readonly random: () => number,
    private readonly connectorBaseUrl: () => string,
    private readonly callsPerSecond: number,
  ) {}

  start(): void {
    this.nextStartAt = clock();
    this.ticker = setInterval(() => this.tick(), 10);
  }

  /** Stops starting calls and resolves once every call started has played its last event. */
  async stop(): Promise<void> {
    clearInterval(this.ticker);
    this.ticker = undefined;
    await Promise.all([...this.pendingMakecalls]);
    while (this.active.length > 0) {
      this.playDue();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** FreeSWITCH restarts: the calls up now are gone, none of their remaining events will come. */
  abortInProgress(): number {
    const aborted = this.active.splice(0, this.active.length);
    for (const { played } of aborted) {
      played.aborted = true;
      played.endedAt = clock();
    }
    return aborted.length;
  }

  private tick(): void {
    const now = clock();
    while (this.nextStartAt <= now) {
      this.begin(this.mix.next());
      this.nextStartAt += 1_000 / this.callsPerSecond;
    }
    this.playDue();
  }

  private begin(plan: CallPlan): void {
    if (plan.scenario !== 'click-to-call') {
      this.schedule(plan.build());
      return;
    }
    // Drawn now, so the seed decides the timing whatever the makecall answer takes.
    const spread = this.spreadMs();
    const placed = this.makecall(plan.extension, plan.clientNumber).then((callId) => {
      if (callId === undefined) this.makecallRefused++;
      else this.schedule(plan.build(callId), spread);
    });
    this.pendingMakecalls.add(placed);
    void placed.finally(() => this.pendingMakecalls.delete(placed));
  }

  private async makecall(extension: string, number: string): Promise<string | undefined> {
    try {
      const answer = await fetch(`${this.connectorBaseUrl()}/webapi/${WEBAPI_TOKEN}/makecall?first=${extension}&second=${number}`, { signal: AbortSignal.timeout(5_000) });
      if (answer.status !== 200) return undefined;
      const body = (await answer.json()) as { id?: unknown };
      return typeof body.id === 'string' ? body.id : undefined;
    } catch {
      return undefined; // the connector is down (killed or restarting): the CRM user sees an error
    }
  }

  /** A call lasts 0.5 to 3 s of real time. */
  private spreadMs(): number {
    return 500 + this.random() * 2_500;
  }

  private schedule(call: ScriptedCall, spread = this.spreadMs()): void {
    const startedAt = clock();
    const steps = Math.max(1, call.events.length - 1);
    const due = call.events.map((_, i) => startedAt + (spread * i) / steps);
    const played: PlayedCall = { call, startedAt, emitted: [], aborted: false };
    this.played.push(played);
    this.active.push({ played, due, next: 0 });
    this.playDue();
  }

  private playDue(): void {
    const now = clock();
    for (let i = 0; i < this.active.length; i++) {
      const entry = this.active[i];
      const { played, due } = entry;
      while (entry.next < due.length && due[entry.next] <= now) {
        const live = this.freeswitch.subscribedConnections > 0;
        this.freeswitch.emit(played.call.events[entry.next]);
        played.emitted.push({ at: clock(), live });
        entry.next++;
      }
      if (entry.next === due.length) {
        played.endedAt = clock();
        this.active.splice(i--, 1);
      }
    }
  }
}
