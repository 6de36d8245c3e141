// What operators watch: /metrics (Prometheus), /health/live and /health/ready (Terminus), against the
// running connector.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answeredIncomingCall } from '../support/freeswitch/call-scenarios';
import { startHarness, type Harness } from './connector-harness';

describe('metrics and readiness', () => {
  let harness: Harness;
  let base: string;

  beforeAll(async () => {
    harness = await startHarness();
    base = `http://127.0.0.1:${harness.connector.httpPort}`;
  });
  afterAll(() => harness.close());

  it('counts events, deliveries and latency, with no number, token or password in any label', async () => {
    const caller = randomUUID();
    harness.play(answeredIncomingCall({ caller, agent: randomUUID() }, '79991234567', '101', 5));
    await harness.requestsFor(caller, 4);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^cc360_esl_connected\{node="127\.0\.0\.1:\d+"\} 1$/m);
    expect(text).toMatch(/^cc360_esl_connects_total\{node="127\.0\.0\.1:\d+"\} 1$/m);
    expect(text).toMatch(/^cc360_esl_events_total\{event="CHANNEL_ANSWER"\} [1-9]/m);
    expect(text).toMatch(/^cc360_notifications_delivered_total\{kind="summary"\} 1$/m);
    expect(text).toMatch(/^cc360_delivery_latency_seconds_count\{kind="ringing"\} 1$/m);
    expect(text).toMatch(/^cc360_queue_jobs\{state="failed"\} 0$/m);
    expect(text).toMatch(/^cc360_crm_logins 1$/m);
    for (const secret of ['79991234567', harness.creatio.token, 'esl-secret', 'Supervisor']) expect(text).not.toContain(secret);
  });

  it('is live, with no caching of the answer', async () => {
    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(200);
    expect(live.headers.get('cache-control')).toContain('no-store');
    expect(await live.json()).toMatchObject({ status: 'ok', details: { process: { status: 'up' } } });
  });

  it('is ready while Redis, FreeSWITCH and the CRM work, and names FreeSWITCH alone when it is gone', async () => {
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      details: { redis: { status: 'up' }, freeswitch: { status: 'up', state: 'connected' }, crm: { status: 'up', deliveries: 'ok', login: 'ok' } },
    });

    harness.freeswitch.dropConnections();
    const answer = await readinessUntil((status) => status === 503);
    expect(answer.body).toMatchObject({ status: 'error', error: { freeswitch: { status: 'down' } }, details: { redis: { status: 'up' }, crm: { status: 'up' } } });
    expect(Object.keys(answer.body.error ?? {})).toEqual(['freeswitch']);
    expect((await readinessUntil((status) => status === 200)).body.status).toBe('ok');
  });

  it('names the CRM while its login fails, and is ready again once it works', async () => {
    harness.creatio.expireAllSessions();
    harness.creatio.failNextLogins(1, { kind: 'status', status: 500 });
    const caller = randomUUID();
    harness.play(answeredIncomingCall({ caller, agent: randomUUID() }, '79991234568', '101', 5));
    const failing = await readinessUntil((status) => status === 503);
    expect(failing.body).toMatchObject({ status: 'error', error: { crm: { status: 'down', login: 'failing', deliveries: 'failing' } } });
    expect(Object.keys(failing.body.error ?? {})).toEqual(['crm']);
    await harness.requestsFor(caller, 4);
    const recovered = await readinessUntil((status) => status === 200);
    expect(recovered.body).toMatchObject({ status: 'ok', details: { crm: { status: 'up', login: 'ok', deliveries: 'ok' } } });
  });

  it('names Redis while it is gone, never with its URL, and is ready again when it is back', async () => {
    await harness.redis.stop();
    const answer = await readinessUntil((status) => status === 503);
    expect(answer.body).toMatchObject({ status: 'error', error: { redis: { status: 'down' } } });
    expect(JSON.stringify(answer.body)).not.toContain(harness.redis.url);
    await harness.redis.restart();
    expect((await readinessUntil((status) => status === 200)).body.status).toBe('ok');
  });

  interface Readiness {
    status: 'ok' | 'error' | 'shutting_down';
    error?: Record<string, unknown>;
    details: Record<string, unknown>;
  }

  /** Asks /health/ready until `wanted` holds for its HTTP status (the connector notices changes within a moment). */
  async function readinessUntil(wanted: (status: number) => boolean): Promise<{ status: number; body: Readiness }> {
    let answer = await fetch(`${base}/health/ready`);
    for (let i = 0; i < 200 && !wanted(answer.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      answer = await fetch(`${base}/health/ready`);
    }
    return { status: answer.status, body: (await answer.json()) as Readiness };
  }
});
