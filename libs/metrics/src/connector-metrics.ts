// Prometheus metrics of the connector. Counters that follow events are fed by listeners; gauges that
// describe state are read when Prometheus scrapes. No label ever carries a number, a token or a password.
import type { CrmClient } from '@cc360/crm';
import type { Delivery } from '@cc360/delivery';
import type { EslClient } from '@cc360/esl';
import { CALL_EVENTS, type CallIngest } from '@cc360/ingest';
import type { MakecallService } from '@cc360/makecall';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The events the connector subscribes to are labelled by name; anything else an event socket sends is
 * `other`, so a misbehaving one cannot add series (memory) without bound.
 */
const NAMED_EVENTS: ReadonlySet<string> = new Set([...CALL_EVENTS, 'HEARTBEAT', 'BACKGROUND_JOB']);

export interface MetricSources {
  esl: EslClient;
  delivery: Delivery;
  ingest: CallIngest;
  crm: CrmClient;
  makecall: MakecallService;
  /** Recording downloads by result; absent while recordings are off. */
  recordings?: { stats(): Record<string, number> };
  /** The call journal's writes; absent while it is off (JOURNAL_TTL=0). */
  journal?: { stats(): { written: number; dropped: number; buffered: number } };
}

export class ConnectorMetrics {
  readonly registry = new Registry();

  constructor(sources: MetricSources) {
    const registry = this.registry;
    collectDefaultMetrics({ register: registry });
    const { esl, delivery, ingest, crm, makecall, recordings, journal } = sources;

    // Labelled by node (the event socket's host:port), so several connectors' series stay apart.
    const node = esl.endpoint;
    new Gauge({
      name: 'cc360_esl_connected',
      help: '1 while the FreeSWITCH event socket is connected and subscribed, by node (host:port)',
      labelNames: ['node'],
      registers: [registry],
      collect() {
        this.set({ node }, esl.state === 'connected' ? 1 : 0);
      },
    });
    const reconnects = new Counter({ name: 'cc360_esl_connects_total', help: 'Event socket connections made (first and reconnects), by node (host:port)', labelNames: ['node'], registers: [registry] });
    esl.on('connected', () => reconnects.inc({ node }));
    const events = new Counter({ name: 'cc360_esl_events_total', help: 'Events received from FreeSWITCH, by name', labelNames: ['event'], registers: [registry] });
    esl.on('event', (event) => events.inc({ event: NAMED_EVENTS.has(event.name) ? event.name : 'other' }));

    new Gauge({
      name: 'cc360_calls_open',
      help: 'Calls the connector is following',
      registers: [registry],
      collect() {
        this.set(ingest.stats().openCalls);
      },
    });
    new Gauge({
      name: 'cc360_outbox_notifications',
      help: 'The in-memory outbox: buffered now (waiting for Redis), and queued, duplicate and dropped since start',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const stats = delivery.outboxStats();
        this.set({ state: 'buffered' }, stats.buffered);
        this.set({ state: 'queued_total' }, stats.queued);
        this.set({ state: 'duplicates_total' }, stats.duplicates);
        this.set({ state: 'dropped_total' }, stats.dropped);
      },
    });

    const delivered = new Counter({ name: 'cc360_notifications_delivered_total', help: 'Notifications the CRM accepted, by kind', labelNames: ['kind'], registers: [registry] });
    const failed = new Counter({ name: 'cc360_notifications_failed_total', help: 'Notifications failed for good, by kind and cause', labelNames: ['kind', 'cause'], registers: [registry] });
    const retried = new Counter({ name: 'cc360_notifications_retried_total', help: 'Transient delivery failures that will be retried, by reason', labelNames: ['reason'], registers: [registry] });
    const latency = new Histogram({
      name: 'cc360_delivery_latency_seconds',
      help: 'From producing a notification to the CRM accepting it',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300, 3600],
      registers: [registry],
    });
    const kindOf = (n: { type: string; eventName?: string }) => (n.type === 'ringing' ? (n.eventName ?? 'ringing') : 'summary');
    delivery.workers?.on('delivered', (event) => {
      delivered.inc({ kind: kindOf(event.notification) });
      latency.observe({ kind: kindOf(event.notification) }, event.latencyMs / 1000);
    });
    delivery.workers?.on('failed', (event) => failed.inc({ kind: kindOf(event.notification), cause: event.cause }));
    delivery.workers?.on('retrying', (event) => retried.inc({ reason: event.reason }));

    new Gauge({
      name: 'cc360_queue_jobs',
      help: 'Delivery jobs in Redis across all lanes, by state',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        const totals: Record<string, number> = { waiting: 0, active: 0, delayed: 0, failed: 0 };
        const counts = await Promise.all(delivery.queues.map((lane) => lane.getJobCounts('waiting', 'active', 'delayed', 'failed')));
        for (const count of counts) for (const state of Object.keys(totals)) totals[state] += count[state] ?? 0;
        for (const [state, value] of Object.entries(totals)) this.set({ state }, value);
      },
    });

    new Gauge({
      name: 'cc360_crm_logins',
      help: 'Creatio login attempts since start',
      registers: [registry],
      collect() {
        this.set(crm.loginCount);
      },
    });
    new Gauge({
      name: 'cc360_makecall_requests',
      help: 'Makecall requests and background job outcomes since start, by result',
      labelNames: ['result'],
      registers: [registry],
      collect() {
        for (const [result, count] of Object.entries(makecall.stats())) this.set({ result }, count);
      },
    });
    if (recordings) {
      new Gauge({
        name: 'cc360_recording_downloads',
        help: 'Recording downloads since start, by result (full, partial, head, not-modified, missing, refused, unauthorized, ...)',
        labelNames: ['result'],
        registers: [registry],
        collect() {
          for (const [result, count] of Object.entries(recordings.stats())) this.set({ result }, count);
        },
      });
    }
    if (journal) {
      new Gauge({
        name: 'cc360_journal_entries',
        help: 'Call journal entries: written and dropped (Redis could not take them) since start, buffered now',
        labelNames: ['state'],
        registers: [registry],
        collect() {
          const stats = journal.stats();
          this.set({ state: 'written_total' }, stats.written);
          this.set({ state: 'dropped_total' }, stats.dropped);
          this.set({ state: 'buffered' }, stats.buffered);
        },
      });
    }
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
