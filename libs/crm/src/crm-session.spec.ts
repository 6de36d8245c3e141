// The Creatio session of the CRM client: login, cookies and BPMCSRF, one shared re-login on expiry.
import { afterEach, describe, expect, it } from 'vitest';
import {
  failureOf, PASSWORD, ringing, secretsIn, startCrmFixture, summary, TOKEN, type CrmFixture,
} from '../../../test/support/creatio/crm-fixture';

let fixture: CrmFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function setup(...args: Parameters<typeof startCrmFixture>): Promise<CrmFixture> {
  fixture = await startCrmFixture(...args);
  return fixture;
}

function cookiesOf(header: string | undefined): Record<string, string> {
  return Object.fromEntries((header ?? '').split('; ').map((pair) => pair.split('=') as [string, string]));
}

describe('CRM client: login', () => {
  it('logs in lazily with ForceUseSession, then sends the session cookies and the BPMCSRF header', async () => {
    const { sim, crm } = await setup();
    expect(sim.loginCount).toBe(0);
    await crm.send(ringing);
    expect(sim.logins).toHaveLength(1);
    const login = sim.logins[0];
    expect(login.method).toBe('POST');
    expect(login.path).toBe('/ServiceModel/AuthService.svc/Login');
    expect(login.headers.forceusesession).toBe('true');
    expect(login.headers['content-type']).toMatch(/^application\/json/);
    expect(login.body).toEqual({ UserName: 'Supervisor', UserPassword: PASSWORD });

    const cookies = cookiesOf(sim.accepted[0].headers.cookie);
    expect(Object.keys(cookies).sort()).toEqual(['.ASPXAUTH', 'BPMCSRF', 'BPMLOADER', 'UserName']);
    expect(sim.accepted[0].headers.bpmcsrf).toBe(cookies.BPMCSRF);
    await crm.send(summary);
    expect(sim.loginCount).toBe(1);
  });

  it('fails a wrong login as transient login-failed, names the user, never the password or token, sends nothing', async () => {
    const { sim, crm, logger } = await setup({}, { mode: 'session', username: 'Supervisor', password: 'wrong-pass' });
    const error = await failureOf(crm.send(ringing));
    expect(error).toMatchObject({ retry: 'transient', reason: 'login-failed' });
    expect(error.message).toContain('"Supervisor"');
    expect(error.message).toContain('Invalid username or password');
    expect(error.message).not.toContain('wrong-pass');
    expect(sim.accepted).toHaveLength(0);
    expect(sim.refused).toHaveLength(0);
    expect(logger.text).not.toContain('wrong-pass');
    expect(secretsIn(logger.text)).toEqual([]);
    expect(logger.count('error', /login failed/)).toBe(1);
  });

  it('does not hammer the CRM with logins while the credentials are wrong (cooldown)', async () => {
    const { sim, crm } = await setup({}, { mode: 'session', username: 'Supervisor', password: 'wrong-pass' });
    for (let i = 0; i < 10; i++) await failureOf(crm.send(ringing));
    expect(sim.loginCount).toBe(1);
    expect(crm.loginCount).toBe(1);
  });

  it.each([
    { fault: { kind: 'status', status: 500 } as const, why: 'HTTP 500' },
    { fault: { kind: 'reset' } as const, why: 'connection-reset' },
    { fault: { kind: 'status', status: 200, body: '{"Code":0}' } as const, why: 'no .ASPXAUTH cookie' },
  ])('a login answered with $why is a transient login failure', async ({ fault, why }) => {
    const { sim, crm } = await setup();
    sim.failNextLogins(1, fault);
    const error = await failureOf(crm.send(ringing));
    expect(error).toMatchObject({ retry: 'transient', reason: 'login-failed' });
    expect(error.message).toContain(why);
    expect(secretsIn(error.message)).toEqual([]);
    expect(sim.accepted).toHaveLength(0);
  });

  it('reports a failing login until a login works again (after the first cooldown)', async () => {
    const { sim, crm } = await setup();
    expect(crm.loginFailing).toBe(false);
    sim.failNextLogins(1, { kind: 'status', status: 500 });
    await failureOf(crm.send(ringing));
    expect(crm.loginFailing).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await crm.send(ringing);
    expect(crm.loginFailing).toBe(false);
    expect(sim.loginCount).toBe(2);
  });
});

describe('CRM client: session expiry', () => {
  it('logs in once for 100 concurrent requests that all find the session expired', async () => {
    const { sim, crm } = await setup();
    await crm.send(ringing);
    sim.expireAllSessions();
    await Promise.all(Array.from({ length: 100 }, (_, i) => crm.send({ ...ringing, callId: `x-${i}` })));
    expect(sim.loginCount).toBe(2);
    expect(new Set(sim.received().map((r) => r.id)).size).toBe(101);
    expect(sim.accepted).toHaveLength(101);
  });

  it.each(['401', 'redirect', 'html'] as const)('treats expiry shown as %s as expiry: logs in again and repeats', async (style) => {
    const { sim, crm } = await setup({ expiryStyle: style });
    await crm.send(ringing);
    sim.expireAllSessions();
    await crm.send({ ...ringing, eventName: 'answer' });
    expect(sim.loginCount).toBe(2);
    expect(sim.received().map((r) => r.eventName)).toEqual(['ringing', 'answer']);
    expect(sim.refused.map((r) => r.status)).toEqual([style === '401' ? 401 : style === 'redirect' ? 302 : 200]);
  });

  it('a request that found an old session expired does not log in again after a fresh login already happened', async () => {
    const { sim, crm } = await setup();
    await crm.send(ringing);
    let release!: () => void;
    sim.failNext(1, { kind: 'hold', release: new Promise<void>((resolve) => (release = resolve)) });
    const held = crm.send({ ...ringing, callId: 'held' }); // goes out with session 1, answered after release
    sim.expireAllSessions();
    await crm.send({ ...ringing, callId: 'fresh' }); // finds session 1 expired: login 2
    expect(sim.loginCount).toBe(2);
    release();
    await held; // finds session 1 expired too, but session 2 exists: no login 3
    expect(sim.loginCount).toBe(2);
    expect(sim.received().map((r) => r.id)).toEqual(['c-1', 'fresh', 'held']);
  });

  it('fails transient session-expired when the session is refused again right after a fresh login', async () => {
    const { sim, crm } = await setup();
    await crm.send(ringing);
    sim.failNext(2, { kind: 'status', status: 401 });
    const error = await failureOf(crm.send(summary));
    expect(error).toMatchObject({ retry: 'transient', reason: 'session-expired', status: 401 });
    expect(error.message).toContain('again right after a fresh login');
    expect(secretsIn(error.message)).toEqual([]);
    expect(sim.loginCount).toBe(2);
  });

  it('keeps the renewed .ASPXAUTH of sliding expiration, so a busy session does not end', async () => {
    let now = 1_000_000;
    const { sim, crm } = await setup({ sessionTtlMs: 1_000, slidingExpiration: true, now: () => now });
    await crm.send(ringing);
    now += 600; // past half the lifetime: the answer renews the cookie
    await crm.send({ ...ringing, eventName: 'answer' });
    now += 600; // the first cookie has expired, the renewed one lives until +1600
    await crm.send({ ...ringing, eventName: 'hangup' });
    expect(sim.loginCount).toBe(1);
    expect(sim.refused).toEqual([]);
    expect(sim.received().map((r) => r.eventName)).toEqual(['ringing', 'answer', 'hangup']);
  });

  it('logs in again when the session times out (TTL)', async () => {
    let now = 1_000_000;
    const { sim, crm } = await setup({ sessionTtlMs: 1_000, now: () => now });
    await crm.send(ringing);
    now += 1_001;
    await crm.send(summary);
    expect(sim.loginCount).toBe(2);
    expect(sim.accepted).toHaveLength(2);
  });

  it('never logs the token across logins, expiry and failures', async () => {
    const { sim, crm, logger } = await setup();
    await crm.send(ringing);
    sim.expireAllSessions();
    await crm.send(summary);
    sim.failNext(1, { kind: 'status', status: 500, body: `oops ${TOKEN}` });
    await failureOf(crm.send(ringing));
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(secretsIn(logger.text)).toEqual([]);
  });
});
