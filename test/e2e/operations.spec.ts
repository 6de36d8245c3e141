// What operators watch: /metrics (Prometheus) and /health/ready, against the running connector.
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
    expect(text).toMatch(/^cc360_esl_connected 1$/m);
    expect(text).toMatch(/^cc360_esl_events_total\{event="CHANNEL_ANSWER"\} [1-9]/m);
    expect(text).toMatch(/^cc360_notifications_delivered_total\{kind="summary"\} 1$/m);
    expect(text).toMatch(/^cc360_delivery_latency_seconds_count\{kind="ringing"\} 1$/m);
    expect(text).toMatch(/^cc360_queue_jobs\{state="failed"\} 0$/m);
    expect(text).toMatch(/^cc360_crm_logins 1$/m);
    for (const secret of ['79991234567', harness.creatio.token, 'esl-secret', 'Supervisor']) expect(text).not.toContain(secret);
  });

  it('is ready while Redis, FreeSWITCH and the CRM work, and says what is wrong when FreeSWITCH is gone', async () => {
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { redis: 'up', freeswitch: 'up', crm: 'up' } });

    harness.freeswitch.dropConnections();
    let answer = await fetch(`${base}/health/ready`);
    for (let i = 0; i < 40 && answer.status === 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      answer = await fetch(`${base}/health/ready`);
    }
    expect(answer.status).toBe(503);
    expect(await answer.json()).toMatchObject({ status: 'not ready', checks: { redis: 'up', crm: 'up' } });
  });
});
