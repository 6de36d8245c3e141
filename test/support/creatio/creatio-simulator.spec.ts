// The Creatio simulator's own behaviour where the CRM client cannot show it (it never sends a bad request).
import { afterEach, describe, expect, it } from 'vitest';
import { CreatioSimulator, type CreatioSimulatorOptions, type SimulatorRequest } from '../creatio-simulator';

let sim: CreatioSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function start(options: CreatioSimulatorOptions = {}): Promise<CreatioSimulator> {
  sim = await CreatioSimulator.start({ token: 'tkn', ...options });
  return sim;
}

async function login(s: CreatioSimulator, password = 'Supervisor'): Promise<{ code: unknown; cookies: Record<string, string> }> {
  const res = await fetch(`${s.baseUrl}/ServiceModel/AuthService.svc/Login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ForceUseSession: 'true' },
    body: JSON.stringify({ UserName: 'Supervisor', UserPassword: password }),
  });
  const cookies = Object.fromEntries(res.headers.getSetCookie().map((c) => c.split(';')[0].split('=') as [string, string]));
  return { code: ((await res.json()) as { Code: unknown }).Code, cookies };
}

function cookieHeader(cookies: Record<string, string>): string {
  return Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; ');
}

async function get(s: CreatioSimulator, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${s.baseUrl}${path}`, { headers, redirect: 'manual' });
}

const ringingQuery = '?id=1&eventName=ringing&callerid=2&user=3';

describe('Creatio simulator', () => {
  it('logs in with the right credentials only, setting the four Creatio cookies', async () => {
    const s = await start();
    const wrong = await login(s, 'nope');
    expect(wrong.code).toBe(1);
    expect(wrong.cookies['.ASPXAUTH']).toBeUndefined();
    const right = await login(s);
    expect(right.code).toBe(0);
    expect(Object.keys(right.cookies).sort()).toEqual(['.ASPXAUTH', 'BPMCSRF', 'BPMLOADER', 'UserName']);
    expect(s.loginCount).toBe(2);
  });

  it('answers a live session with a wrong BPMCSRF with 401 whatever the expiry style, no session with the style', async () => {
    const s = await start({ expiryStyle: 'redirect' });
    const { cookies } = await login(s);
    const path = `/0/rest/OmniWhoCallsService/tkn/RingingEventHandler${ringingQuery}`;
    expect((await get(s, path, { cookie: cookieHeader(cookies), BPMCSRF: 'forged' })).status).toBe(401);
    expect((await get(s, path, { cookie: cookieHeader(cookies) })).status).toBe(401);
    const noSession = await get(s, path);
    expect(noSession.status).toBe(302);
    expect(noSession.headers.get('location')).toMatch(/^\/Login\/NuiLogin\.aspx\?ReturnUrl=/);
    expect((await get(s, path, { cookie: cookieHeader(cookies), BPMCSRF: cookies.BPMCSRF })).status).toBe(200);
    expect(s.accepted).toHaveLength(1);
    expect(s.refused.map((r) => r.status)).toEqual([401, 401, 302]);
  });

  it('answers a session that expired as an HTML login page in the html style (and counts it refused)', async () => {
    const s = await start({ expiryStyle: 'html' });
    const { cookies } = await login(s);
    s.expireAllSessions();
    const res = await get(s, `/0/rest/OmniWhoCallsService/tkn/RingingEventHandler${ringingQuery}`, {
      cookie: cookieHeader(cookies), BPMCSRF: cookies.BPMCSRF,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(s.accepted).toHaveLength(0);
    expect(s.refused).toHaveLength(1);
  });

  it('refuses a wrong token (403), an unknown method or prefix (404) and a wrong verb (405); anonymous needs no cookie', async () => {
    const s = await start({ pathPrefix: '' });
    const svc = '/ServiceModel/OmniWhoCallsService.svc';
    expect((await get(s, `${svc}/wrong/RingingEventHandler${ringingQuery}`)).status).toBe(403);
    expect((await get(s, `${svc}/tkn/MakeCoffee`)).status).toBe(404);
    expect((await get(s, `/0${svc}/tkn/RingingEventHandler${ringingQuery}`)).status).toBe(404);
    expect((await get(s, `${svc}/tkn/PushHistoryData`)).status).toBe(405);
    expect((await get(s, `${svc}/tkn/RingingEventHandler${ringingQuery}`)).status).toBe(200);
    expect(s.received()).toEqual([{ method: 'RingingEventHandler', id: '1', eventName: 'ringing', callerid: '2', user: '3' }]);
    expect(s.loginCount).toBe(0);
  });

  it('fails exactly the requests a fault function picks', async () => {
    const s = await start();
    s.failWhen((r) => (r.query.id === 'b' ? { kind: 'status', status: 503, retryAfter: '3' } : undefined));
    const statuses: number[] = [];
    for (const id of ['a', 'b', 'c', 'b']) {
      const res = await get(s, `/0/ServiceModel/OmniWhoCallsService.svc/tkn/RingingEventHandler?id=${id}`);
      statuses.push(res.status);
      if (res.status === 503) expect(res.headers.get('retry-after')).toBe('3');
    }
    expect(statuses).toEqual([200, 503, 200, 503]);
    expect(s.refused.map((r) => r.query.id)).toEqual(['b', 'b']);
  });

  it('applies a timed fault until its duration passes on the simulator clock', async () => {
    let now = 5_000;
    const s = await start({ now: () => now });
    s.failFor(100, { kind: 'status', status: 500 });
    const path = '/0/ServiceModel/OmniWhoCallsService.svc/tkn/RingingEventHandler?id=x';
    expect((await get(s, path)).status).toBe(500);
    now += 99;
    expect((await get(s, path)).status).toBe(500);
    now += 1;
    expect((await get(s, path)).status).toBe(200);
  });

  it('reports accepted and refused requests as events, also when it keeps no records', async () => {
    const s = await start({ record: false });
    const seen: Array<[string, SimulatorRequest]> = [];
    s.on('accepted', (r) => seen.push(['accepted', r]));
    s.on('refused', (r) => seen.push(['refused', r]));
    await get(s, '/0/ServiceModel/OmniWhoCallsService.svc/tkn/RingingEventHandler?id=1');
    await get(s, '/0/ServiceModel/OmniWhoCallsService.svc/bad/RingingEventHandler?id=2');
    expect(seen.map(([kind, r]) => [kind, r.query.id, r.status])).toEqual([['accepted', '1', 200], ['refused', '2', 403]]);
    expect(s.accepted).toEqual([]);
    expect(s.refused).toEqual([]);
  });
});
