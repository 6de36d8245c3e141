// Click-to-call end to end: the CRM's makecall request → exactly one safe `bgapi originate` on the ESL
// wire → the call FreeSWITCH then plays → the CRM receives the outgoing summary with the id we returned.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickToCallEvents } from '../support/freeswitch/call-scenarios';
import { scriptClickToCallApis, unsafeEslCommands } from '../support/freeswitch/click-to-call-apis';
import { describeRequests, startHarness, type Harness } from './connector-harness';

const TOKEN = 'webapi-secret-token';


describe('makecall (click-to-call)', () => {
  let harness: Harness;
  let base: string;

  beforeAll(async () => {
    harness = await startHarness({ WEBAPI_TOKEN: TOKEN, MAKECALL_RATE_LIMIT: '100000', LOG_LEVEL: 'info' });
    scriptClickToCallApis(harness.freeswitch);
    base = `http://127.0.0.1:${harness.connector.httpPort}/webapi`;
  });
  afterAll(() => harness.close());

  it('originates with bgapi and our Job-UUID, returns the call id at once, and reports the call as outgoing', async () => {
    const answer = await fetch(`${base}/${TOKEN}/makecall?first=101&second=%2B7%20(999)%20123-45-67`);
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { success: boolean; id: string };
    expect(body).toEqual({ success: true, id: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    const command = await harness.freeswitch.waitForCommand(/^bgapi originate/);
    expect(command).toBe(
      `bgapi originate {origination_uuid=${body.id},cc360_call_id=${body.id},cc360_direction=outgoing,cc360_agent=101,` +
        'cc360_client=+79991234567,origination_caller_id_number=+79991234567,origination_caller_id_name=+79991234567,' +
        `export_vars=cc360_call_id}user/101@pbx.example.com +79991234567 XML default\nJob-UUID: ${command.split('Job-UUID: ')[1]}`,
    );
    // The BACKGROUND_JOB outcome (+OK) is logged with the call id.
    await harness.freeswitch.waitUntil(
      () => (harness.connector.logs.includes(`Click-to-call ${body.id}: the agent answered`) ? true : undefined),
      5_000,
      'the job outcome in the log',
    );
    expect(harness.connector.logs).not.toContain(TOKEN);

    harness.play(clickToCallEvents(body.id, '101', '+79991234567', 20));
    // Talk time of a click-to-call is from the bridge to the end: the time the client was ringing is not talk.
    expect(describeRequests(await harness.requestsFor(body.id, 1))).toEqual(['101:summary:outgoing:20:+79991234567']);
  });

  it.each([
    ['a wrong token', `/wrong-token/makecall?first=101&second=79991234567`, 401, /Invalid token/],
    ['no token', `//makecall?first=101&second=79991234567`, 404, /./],
    ['a bad extension', `/${TOKEN}/makecall?first=10a&second=79991234567`, 400, /"first" must be/],
    ['a bad number', `/${TOKEN}/makecall?first=101&second=12`, 400, /"second" must be/],
    ['a repeated parameter', `/${TOKEN}/makecall?first=101&first=102&second=79991234567`, 400, /"first" must be/],
    ['an unknown extension', `/${TOKEN}/makecall?first=555&second=79991234567`, 404, /does not exist/],
    ['an unregistered phone', `/${TOKEN}/makecall?first=103&second=79991234567`, 409, /no registered phone/],
  ])('answers %s with a clear error', async (_what, path, status, message) => {
    const answer = await fetch(`${base}${path}`);
    expect(answer.status).toBe(status);
    const body = (await answer.json()) as { error?: string; message?: string };
    expect(body.error ?? body.message).toMatch(message);
  });

  it('accepts POST with a JSON body and refuses other methods with 405', async () => {
    const post = await fetch(`${base}/${TOKEN}/makecall`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ first: '102', second: '79991234567' }),
    });
    expect(post.status).toBe(200);
    const put = await fetch(`${base}/${TOKEN}/makecall?first=101&second=79991234567`, { method: 'PUT' });
    expect(put.status).toBe(405);
  });

  it('never puts anything unsafe on the ESL wire and never answers 5xx (HTTP fuzz)', async () => {
    const hostile = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.constantFrom('101\nbgapi system reboot', '101%0Aapi system id', '79991234567\r\n', '${sip_contact}', '{a=b}101', '101&second=1', '"101"', "'", '٠١٢٣٤', ' 101 ', '', '9'.repeat(5000)),
      fc.stringMatching(/^[0-9]{2,6}$/),
    );
    const samples = fc.sample(fc.tuple(hostile, hostile, fc.constantFrom(TOKEN, TOKEN, 'x', '')), { numRuns: 3_000, seed: 42 });
    const statuses = new Map<number, number>();
    for (let i = 0; i < samples.length; i += 50) {
      await Promise.all(
        samples.slice(i, i + 50).map(async ([first, second, token]) => {
          const query = new URLSearchParams({ first, second }).toString();
          const answer = await fetch(`${base}/${encodeURIComponent(token)}/makecall?${query}`);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          const text = await answer.text();
          expect(text).not.toContain(TOKEN);
        }),
      );
    }
    expect([...statuses.keys()].filter((status) => status >= 500)).toEqual([]);
    expect(unsafeEslCommands(harness.freeswitch)).toEqual([]);
  });

  it('answers 503 while FreeSWITCH is not connected', async () => {
    const offline = await startHarness({ WEBAPI_TOKEN: TOKEN });
    try {
      await offline.freeswitch.close();
      const url = `http://127.0.0.1:${offline.connector.httpPort}/webapi/${TOKEN}/makecall?first=101&second=79991234567`;
      // Until the connector notices the socket is gone, a request may still be sent and fail ("did not
      // answer", also a 503); after that every request is refused at once.
      const ask = async () => {
        const answer = await fetch(url);
        return { status: answer.status, error: ((await answer.json()) as { error?: string }).error ?? '' };
      };
      let answer = await ask();
      for (let i = 0; i < 50 && !/FreeSWITCH is not connected/.test(answer.error); i++) {
        expect([200, 503]).toContain(answer.status);
        await new Promise((resolve) => setTimeout(resolve, 50));
        answer = await ask();
      }
      expect(answer.status).toBe(503);
      expect(answer.error).toMatch(/FreeSWITCH is not connected/);
    } finally {
      await offline.close();
    }
  });

  it('rate-limits a client beyond MAKECALL_RATE_LIMIT with 429', async () => {
    const limited = await startHarness({ WEBAPI_TOKEN: TOKEN, MAKECALL_RATE_LIMIT: '3' });
    try {
      const url = `http://127.0.0.1:${limited.connector.httpPort}/webapi/${TOKEN}/makecall?first=1&second=2`;
      const statuses = await Promise.all(Array.from({ length: 10 }, () => fetch(url).then((r) => r.status)));
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(5);
    } finally {
      await limited.close();
    }
  });
});
