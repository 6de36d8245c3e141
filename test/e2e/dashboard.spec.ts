// The queue dashboard: Bull Board is Express middleware (Nest guards do not protect it), so these requests
// prove our basic auth sits in front of every dashboard route, and that operators see and retry failures.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missedIncomingCall } from '../support/freeswitch/call-scenarios';
import { startHarness, type Harness } from './connector-harness';

const AUTH = `Basic ${Buffer.from('operator:dashboard-pass').toString('base64')}`;

describe('queue dashboard', () => {
  let harness: Harness;
  let base: string;

  beforeAll(async () => {
    harness = await startHarness({ ADMIN_USER: 'operator', ADMIN_PASSWORD: 'dashboard-pass', DELIVERY_CONCURRENCY: '4' });
    base = `http://127.0.0.1:${harness.connector.httpPort}/admin/queues`;
  });
  afterAll(() => harness.close());

  it.each(['', '/api/queues', '/api/queues/cc360-delivery-000/retry/failed', '/static/js/main.js'])('refuses %s without credentials', async (path) => {
    for (const headers of [{}, { authorization: `Basic ${Buffer.from('operator:wrong').toString('base64')}` }, { authorization: 'Bearer x' }]) {
      const answer = await fetch(`${base}${path}`, { headers, method: path.includes('retry') ? 'PUT' : 'GET' });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Basic/);
    }
  });

  it('shows every lane and a failed notification with its reason, and retries it', async () => {
    harness.creatio.failAlways({ kind: 'status', status: 400 });
    const caller = randomUUID();
    harness.play(missedIncomingCall({ caller, agent: randomUUID() }, '79991112233', '102', 'NO_ANSWER'));
    let queues: Array<{ name: string; counts: { failed: number }; jobs: Array<{ failedReason?: string; attemptsMade?: number }> }> = [];
    for (let i = 0; i < 100; i++) {
      const answer = await fetch(`${base}/api/queues?status=failed`, { headers: { authorization: AUTH } });
      expect(answer.status).toBe(200);
      queues = ((await answer.json()) as { queues: typeof queues }).queues;
      if (queues.reduce((sum, queue) => sum + queue.counts.failed, 0) >= 3) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(queues.map((queue) => queue.name).sort()).toEqual(['cc360-delivery-000', 'cc360-delivery-001', 'cc360-delivery-002', 'cc360-delivery-003']);
    const lane = queues.find((queue) => queue.counts.failed > 0);
    expect(lane?.counts.failed).toBe(3);
    const detail = await fetch(`${base}/api/queues?activeQueue=${lane?.name}&status=failed&page=1`, { headers: { authorization: AUTH } });
    const jobs = ((await detail.json()) as { queues: typeof queues }).queues.find((queue) => queue.name === lane?.name)?.jobs ?? [];
    expect(jobs).toHaveLength(3);
    for (const job of jobs) expect(job.failedReason).toMatch(/permanent: http-400/);

    harness.creatio.clearFaults();
    const retry = await fetch(`${base}/api/queues/${lane?.name}/retry/failed`, { method: 'PUT', headers: { authorization: AUTH } });
    expect(retry.status).toBe(200);
    expect((await harness.requestsFor(caller, 3)).map((request) => request.eventName ?? 'summary').sort()).toEqual(['hangup', 'ringing', 'summary']);
  });
});
