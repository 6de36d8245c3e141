// The CRM client against the Creatio simulator: what goes on the wire, and how each failure is classified.
import { afterEach, describe, expect, it } from 'vitest';
import {
  failureOf, ringing, secretsIn, startCrmFixture, summary, TOKEN, type CrmFixture,
} from '../../../test/support/creatio/crm-fixture';
import type { CrmAuth } from './index';
import { parseRetryAfter } from './index';

let fixture: CrmFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function setup(...args: Parameters<typeof startCrmFixture>): Promise<CrmFixture> {
  fixture = await startCrmFixture(...args);
  return fixture;
}

const ANONYMOUS: CrmAuth = { mode: 'anonymous' };
const SESSION: CrmAuth = { mode: 'session', username: 'Supervisor', password: 'S3cret-Passw0rd' };
const shapes = [
  { auth: SESSION, pathPrefix: '/0', service: 'rest/OmniWhoCallsService' },
  { auth: SESSION, pathPrefix: '', service: 'rest/OmniWhoCallsService' },
  { auth: ANONYMOUS, pathPrefix: '/0', service: 'ServiceModel/OmniWhoCallsService.svc' },
  { auth: ANONYMOUS, pathPrefix: '', service: 'ServiceModel/OmniWhoCallsService.svc' },
];

describe('CRM client: request shapes', () => {
  it.each(shapes)('$auth.mode mode, prefix "$pathPrefix": GET RingingEventHandler, POST PushHistoryData', async ({ auth, pathPrefix, service }) => {
    const { sim, crm } = await setup({ pathPrefix }, auth);
    await crm.send(ringing);
    await crm.send(summary);
    const base = `${pathPrefix}/${service}/${encodeURIComponent(TOKEN)}`;
    expect(sim.accepted.map(({ method, path, query, body }) => ({ method, path, query, body }))).toEqual([
      {
        method: 'GET',
        path: `${base}/RingingEventHandler`,
        query: { id: 'c-1', eventName: 'ringing', callerid: '79991234567', user: '101' },
        body: undefined,
      },
      {
        method: 'POST',
        path: `${base}/PushHistoryData`,
        query: { id: 'c-1', callerid: '79991234567', user: '101', event: 'incoming', duration: '42' },
        body: { FILES: ['https://pbx.example.com/t/recording/a.mp3'] },
      },
    ]);
    expect(sim.accepted[1].headers['content-type']).toMatch(/^application\/json/);
    expect(sim.refused).toEqual([]);
    expect(sim.loginCount).toBe(auth.mode === 'session' ? 1 : 0);
    expect(crm.loginCount).toBe(sim.loginCount);
  });

  it('sends no cookies and no BPMCSRF header in anonymous mode', async () => {
    const { sim, crm } = await setup({}, ANONYMOUS);
    await crm.send(ringing);
    expect(sim.accepted[0].headers.cookie).toBeUndefined();
    expect(sim.accepted[0].headers.bpmcsrf).toBeUndefined();
  });

  it('posts an empty FILES array when there is no recording, and an outgoing call as event=outgoing', async () => {
    const { sim, crm } = await setup();
    await crm.send({ ...summary, files: [], direction: 'outgoing', durationSec: 0 });
    expect(sim.accepted[0].body).toEqual({ FILES: [] });
    expect(sim.accepted[0].query).toMatchObject({ event: 'outgoing', duration: '0' });
  });

  it('encodes awkward values so the CRM reads them back unchanged', async () => {
    const { sim, crm } = await setup();
    const awkward = { ...ringing, callId: 'a b/c?d#e&id=x', callerId: '+7 (999) 123-45-67', eventName: 'hangup' as const };
    await crm.send(awkward);
    expect(sim.received()).toEqual([
      { method: 'RingingEventHandler', id: 'a b/c?d#e&id=x', eventName: 'hangup', callerid: '+7 (999) 123-45-67', user: '101' },
    ]);
  });

  it('answers with the status of the accepting request', async () => {
    const { crm } = await setup();
    const answer = await crm.send(ringing);
    expect(answer.status).toBe(200);
    expect(answer.durationMs).toBeGreaterThanOrEqual(0);
  });
});

describe('CRM client: failure classification', () => {
  const cases = [
    { fault: { kind: 'status', status: 500 }, retry: 'transient', reason: 'http-500' },
    { fault: { kind: 'status', status: 502 }, retry: 'transient', reason: 'http-502' },
    { fault: { kind: 'status', status: 503, retryAfter: '7' }, retry: 'transient', reason: 'http-503', retryAfterMs: 7_000 },
    { fault: { kind: 'status', status: 429, retryAfter: '2' }, retry: 'transient', reason: 'http-429', retryAfterMs: 2_000 },
    { fault: { kind: 'status', status: 408 }, retry: 'transient', reason: 'http-408' },
    { fault: { kind: 'status', status: 400 }, retry: 'permanent', reason: 'http-400' },
    { fault: { kind: 'status', status: 404 }, retry: 'permanent', reason: 'http-404' },
    { fault: { kind: 'status', status: 422 }, retry: 'permanent', reason: 'http-422' },
    { fault: { kind: 'reset' }, retry: 'transient', reason: 'connection-reset' },
    { fault: { kind: 'hang' }, retry: 'transient', reason: 'timeout' },
  ] as const;

  it.each(cases)('$fault.kind $fault.status → $retry $reason', async ({ fault, retry, reason, ...rest }) => {
    const { sim, crm, logger } = await setup({}, undefined, 300);
    sim.failNext(1, fault);
    const error = await failureOf(crm.send(ringing));
    expect(error.retry).toBe(retry);
    expect(error.reason).toBe(reason);
    expect(error.status).toBe(fault.kind === 'status' ? fault.status : undefined);
    expect(error.retryAfterMs).toBe('retryAfterMs' in rest ? rest.retryAfterMs : undefined);
    expect(error.message).toContain('GET');
    expect(error.message).toContain(`${sim.baseUrl}/0/rest/OmniWhoCallsService/***/RingingEventHandler`);
    expect(secretsIn(error.message)).toEqual([]);
    expect(secretsIn(logger.text)).toEqual([]);
    expect(sim.accepted).toEqual([]);
  });

  it('quotes the CRM answer in the message with the token masked, even when the CRM echoes it', async () => {
    const { sim, crm } = await setup();
    sim.failNext(1, { kind: 'status', status: 400, body: `{"error":"bad callerid for /${encodeURIComponent(TOKEN)}/ and ${TOKEN}"}` });
    const error = await failureOf(crm.send(ringing));
    expect(error.message).toContain('HTTP 400: {"error":"bad callerid for /***/ and ***"}');
    expect(secretsIn(error.message)).toEqual([]);
  });

  it('refuses a wrong token permanently (403) and does not leak the token', async () => {
    const { crm, logger } = await setup({ token: 'the-right-one' });
    const error = await failureOf(crm.send(ringing));
    expect(error.retry).toBe('permanent');
    expect(error.status).toBe(403);
    expect(secretsIn(error.message)).toEqual([]);
    expect(secretsIn(logger.text)).toEqual([]);
  });

  it('treats a redirect that is not to the login page as permanent (redirects are not followed)', async () => {
    const { sim, crm } = await setup();
    sim.failNext(1, { kind: 'status', status: 301, body: '' });
    const error = await failureOf(crm.send(ringing));
    expect(error).toMatchObject({ retry: 'permanent', reason: 'http-301', status: 301 });
    expect(sim.loginCount).toBe(1);
  });

  it('in anonymous mode a 401 is a refusal (anonymous access not set up), not a reason to log in', async () => {
    const { sim, crm } = await setup({}, ANONYMOUS);
    sim.failNext(1, { kind: 'status', status: 401 });
    const error = await failureOf(crm.send(ringing));
    expect(error).toMatchObject({ retry: 'permanent', reason: 'http-401' });
    expect(sim.loginCount).toBe(0);
  });

  it('reports an unreachable CRM as a transient connection failure', async () => {
    const { sim, crm } = await setup({}, ANONYMOUS);
    await sim.stop();
    const error = await failureOf(crm.send(ringing));
    expect(error.retry).toBe('transient');
    expect(error.reason).toBe('connection-refused');
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
