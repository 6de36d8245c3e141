// The queue dashboard: Bull Board is Express middleware (Nest guards do not protect it), so these requests
// prove our basic auth sits in front of every dashboard route, and that operators see and retry failures.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
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
    const attempts: Array<Record<string, string>> = [{}, { authorization: `Basic ${Buffer.from('operator:wrong').toString('base64')}` }, { authorization: 'Bearer x' }];
    for (const headers of attempts) {
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

describe('admin CLI (npm run admin)', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ DELIVERY_CONCURRENCY: '4' });
  });
  afterAll(() => harness.close());

  function admin(...args: string[]): { code: number | null; out: string } {
    const result = spawnSync(process.execPath, [resolve(__dirname, '../../dist/apps/admin/src/main.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', REDIS_URL: harness.redis.url, DELIVERY_CONCURRENCY: '4' },
      encoding: 'utf8',
    });
    return { code: result.status, out: `${result.stdout}${result.stderr}` };
  }

  it('lists failed notifications with their reason and retries those of one call', async () => {
    harness.creatio.failAlways({ kind: 'status', status: 404 });
    const caller = randomUUID();
    harness.play(missedIncomingCall({ caller, agent: randomUUID() }, '79991112233', '102', 'NO_ANSWER'));
    let failed = admin('failed');
    for (let i = 0; i < 100 && !failed.out.includes('3 failed notifications'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      failed = admin('failed');
    }
    expect(failed.code).toBe(0);
    expect(failed.out).toContain('3 failed notifications');
    expect(failed.out).toMatch(new RegExp(`call ${caller}\\s+user 102\\s+ringing .*permanent: http-404`));
    expect(admin('stats').out).toMatch(/"failed":3/);

    harness.creatio.clearFaults();
    expect(admin('retry', caller).out).toContain(`3 notifications put back in line for call ${caller}`);
    expect((await harness.requestsFor(caller, 3)).map((request) => request.eventName ?? 'summary')).toEqual(['ringing', 'hangup', 'summary']);
    expect(admin('bogus').code).toBe(2);
  });
});
