// Turns the ESL event stream into CC360 notifications: finds each event's call, applies the call model,
// hands the notifications to delivery and keeps the call's state in Redis. The ESL handler only queues
// the event; one task at a time runs here, so each call sees its events in the order FreeSWITCH sent them.
import {
  applyEvent,
  MalformedChannelEventError,
  closeOutCall,
  closeOutLegs,
  legIdsOfCall,
  relatedLegIds,
  resolveCallId,
  type CallModelOptions,
  type CloseOutReason,
  type CallState,
  type ChannelEvent,
  type CrmNotification,
} from '@cc360/calls';
import { Logger, type LoggerService } from '@nestjs/common';
import type { CallStateStore } from './call-state-store';
import type { IngestObserver } from './ingest-observer';
import { SkippedEventLog } from './skipped-event-log';
import { OwedNotifications, type CallWritten } from './owed-notifications';

/** The events the call model needs (subscribe to these). */
export const CALL_EVENTS = [
  'CHANNEL_CREATE',
  'CHANNEL_ORIGINATE',
  'CHANNEL_PROGRESS',
  'CHANNEL_PROGRESS_MEDIA',
  'CHANNEL_ANSWER',
  'CHANNEL_BRIDGE',
  'CHANNEL_UNBRIDGE',
  'CHANNEL_HANGUP',
  'CHANNEL_HANGUP_COMPLETE',
  'RECORD_START',
  'RECORD_STOP',
] as const;
const CALL_EVENT_NAMES: ReadonlySet<string> = new Set(CALL_EVENTS);

export type PublishNotification = (notification: CrmNotification) => unknown;

/** Turns the recording file paths of a call summary into the URLs the CRM will fetch. */
export type RecordingUrls = (paths: readonly string[]) => string[];

export interface IngestStats {
  events: number;
  notifications: number;
  openCalls: number;
  queued: number;
}

export class CallIngest {
  private readonly tasks: Array<() => Promise<void>> = [];
  private readonly idleWaiters: Array<() => void> = [];
  private readonly states = new Map<string, CallState>();
  private readonly legToCall = new Map<string, string>();
  private readonly unsaved = new Map<string, CallState>();
  private readonly logger: LoggerService;
  private readonly skippedEvents: SkippedEventLog;
  private running = false;
  private storeError: string | undefined;
  private readonly counters = { events: 0, notifications: 0 };
  private readonly owed: OwedNotifications;
  private readonly writes = new Set<Promise<unknown>>();

  constructor(
    private readonly store: CallStateStore,
    private readonly publish: PublishNotification,
    private readonly model: CallModelOptions,
    logger?: LoggerService,
    private readonly recordingUrls: RecordingUrls = () => [],
    private readonly observer?: IngestObserver,
    written: CallWritten = () => Promise.resolve(),
  ) {
    this.logger = logger ?? new Logger('CallIngest');
    this.skippedEvents = new SkippedEventLog(this.logger);
    this.owed = new OwedNotifications(store, written, (work) => this.tracked(work));
  }

  /**
   * Loads the calls still open in Redis (a restart in the middle of calls) into memory. Runs before any
   * event: from then on this process finds every call in memory, so an event never waits on Redis.
   */
  restore(): Promise<number> {
    return this.enqueueWithResult(async () => {
      const ids = (await this.guard(() => this.store.openCallIds())) ?? [];
      for (const callId of ids) {
        const state = await this.guard(() => this.store.load(callId));
        if (!state) {
          void this.guard(() => this.store.forget(callId));
          continue;
        }
        if (state.closed) continue;
        this.states.set(callId, state);
        for (const legId of legIdsOfCall(state)) this.legToCall.set(legId, callId);
      }
      if (this.states.size > 0) this.logger.log(`Restored ${this.states.size} open calls from Redis`);
      const again = await this.owed.republish(this.publish);
      if (again > 0) this.logger.warn(`Publishing again ${again} notifications the last run may not have written to Redis`);
      return this.states.size;
    });
  }

  /** Called for every ESL event; never blocks. */
  handle(event: ChannelEvent): void {
    if (!CALL_EVENT_NAMES.has(event.name)) return;
    this.enqueue(() => this.process(event));
  }

  /**
   * After a (re)connect: calls none of whose legs FreeSWITCH still has ended while we were away;
   * they are closed out with what is known. Resolves with how many were closed. Of a call that goes on,
   * the legs in `knownLegsBefore` that FreeSWITCH no longer has are closed out (a transferred agent).
   */
  reconcile(activeLegIds: ReadonlySet<string>, knownBefore: ReadonlySet<string>, knownLegsBefore: ReadonlySet<string> = new Set()): Promise<number> {
    return this.enqueueWithResult(async () => {
      const closed = await this.closeOutWhere(
        'gone-after-reconnect',
        (state) => knownBefore.has(state.callId) && !legIdsOfCall(state).some((legId) => activeLegIds.has(legId)),
      );
      for (const state of [...this.states.values()]) {
        if (!knownBefore.has(state.callId)) continue;
        const gone = new Set(legIdsOfCall(state).filter((legId) => knownLegsBefore.has(legId) && !activeLegIds.has(legId)));
        if (gone.size === 0) continue;
        const update = closeOutLegs(state, gone);
        if (update.notifications.length > 0 || update.closed) this.commit(update.state, update.notifications, legIdsOfCall(state));
      }
      return closed;
    });
  }

  /** The calls followed right now: only these can be judged by a channel list asked for after this moment. */
  openCallIds(): Set<string> {
    return new Set(this.states.keys());
  }

  /** The legs of the calls followed right now (see openCallIds). */
  openLegIds(): Set<string> {
    return new Set(this.legToCall.keys());
  }

  /** FreeSWITCH restarted: every call of the old core is gone. */
  closeOutCore(previousCoreUuid: string): Promise<number> {
    return this.enqueueWithResult(() =>
      this.closeOutWhere('core-restart', (state) => !state.coreUuid || state.coreUuid === previousCoreUuid),
    );
  }

  stats(): IngestStats {
    return { ...this.counters, openCalls: this.states.size, queued: this.tasks.length };
  }

  /** Resolves when every event handed in so far has been processed. */
  whenIdle(): Promise<void> {
    if (!this.running && this.tasks.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async process(event: ChannelEvent): Promise<void> {
    this.counters.events++;
    const legIds = relatedLegIds(event);
    const indexed: Record<string, string | undefined> = {};
    for (const legId of legIds) indexed[legId] = this.legToCall.get(legId);
    const callId = resolveCallId(event, indexed) ?? legIds[0] ?? 'unknown';
    this.observer?.eventReceived(callId, event);
    const update = applyEvent(this.states.get(callId), event, this.model);
    this.commit(update.state, update.notifications, legIds);
  }

  private async closeOutWhere(reason: CloseOutReason, predicate: (state: CallState) => boolean): Promise<number> {
    const ids = new Set([...this.states.keys(), ...((await this.guard(() => this.store.openCallIds())) ?? [])]);
    let closed = 0;
    for (const callId of ids) {
      const stored = await this.guard(() => this.store.load(callId));
      if (stored?.closed) {
        // Another connector instance on the same FreeSWITCH saw the call end while this one could not:
        // its account stands, and ours (stale) must not add notifications it never sent.
        this.forgetCall(stored);
        continue;
      }
      const state = this.states.get(callId) ?? stored;
      if (!state) {
        void this.guard(() => this.store.forget(callId));
        continue;
      }
      if (state.closed || !predicate(state)) continue;
      const update = closeOutCall(state, reason);
      this.commit(update.state, update.notifications, legIdsOfCall(state));
      closed++;
    }
    if (closed > 0) this.logger.warn(`Closed out ${closed} calls that ended while FreeSWITCH was out of sight`);
    return closed;
  }

  private commit(state: CallState, notifications: readonly CrmNotification[], legIds: readonly string[]): void {
    for (const notification of notifications) this.observer?.notificationProduced(notification);
    const published = notifications.map((n) => (n.type === 'summary' ? { ...n, files: this.recordingUrls(n.files) } : n));
    if (published.length > 0) this.owed.publish(published, this.publish);
    this.counters.notifications += notifications.length;
    if (state.closed) {
      this.forgetCall(state);
    } else {
      this.states.set(state.callId, state);
      for (const legId of legIds) this.legToCall.set(legId, state.callId);
    }
    this.scheduleSave(state);
  }

  private forgetCall(state: CallState): void {
    const known = this.states.get(state.callId);
    this.states.delete(state.callId);
    for (const legId of [...legIdsOfCall(state), ...(known ? legIdsOfCall(known) : [])]) this.legToCall.delete(legId);
  }

  /**
   * A call's events come in bursts (hangup, hangup complete, the other leg's...): its state is written
   * once per burst, on the next turn of the event loop, not once per event. Its notifications not yet in
   * Redis are recorded as owed before they are published (OwedNotifications), so saving it early is safe.
   */
  private scheduleSave(state: CallState): void {
    const first = this.unsaved.size === 0;
    this.unsaved.set(state.callId, state);
    if (!first) return;
    setImmediate(() => {
      const states = [...this.unsaved.values()];
      this.unsaved.clear();
      for (const unsaved of states) void this.tracked(() => this.store.save(unsaved));
    });
  }

  /** Resolves when the state writes scheduled so far are done: shutdown waits for it before closing Redis. */
  async saved(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve)); // the last burst's save is scheduled for then
    await Promise.all([...this.writes]);
  }

  private tracked<T>(work: () => Promise<T>): Promise<T | undefined> {
    const write = this.guard(work);
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
    return write;
  }

  /** Redis trouble must not stop calls from being reported: log once per outage, go on from memory. */
  private async guard<T>(work: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await work();
      if (this.storeError !== undefined) {
        this.logger.log('Call state store reachable again');
        this.storeError = undefined;
      }
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.storeError === undefined) {
        this.logger.error(`Call state store (Redis) failing, keeping call state in memory only: ${message}`);
      }
      this.storeError = message;
      return undefined;
    }
  }

  private enqueue(task: () => Promise<void>): void {
    this.tasks.push(task);
    if (!this.running) void this.run();
  }

  private enqueueWithResult<T>(work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => this.enqueue(() => work().then(resolve, reject)));
  }

  private async run(): Promise<void> {
    this.running = true;
    while (this.tasks.length > 0) {
      const task = this.tasks.shift() as () => Promise<void>;
      try {
        await task();
      } catch (error) {
        if (error instanceof MalformedChannelEventError) this.skippedEvents.skipped(error.message);
        else this.logger.error(`Event processing failed: ${error instanceof Error ? error.stack : String(error)}`);
      }
    }
    this.running = false;
    this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }
}
