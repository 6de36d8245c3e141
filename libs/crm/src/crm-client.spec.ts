import type { CallSummary, RingingNotification } from '@cc360/calls';
import { afterEach, describe, expect, it } from 'vitest';
import { CreatioSimulator, type CreatioSimulatorOptions } from '../../../test/support/creatio-simulator';
import { RecordingLogger } from '../../../test/support/recording-logger';
import { CrmClient, CrmRequestError, type CrmAuth } from './index';

const TOKEN = 'tok/en+secret';
const PASSWORD = 'S3cret-Passw0rd';
const ringing: RingingNotification = {
  type: 'ringing', callId: 'c-1', eventName: 'ringing', callerId: '79991234567', user: '101', legId: 'leg-1',
};
const summary: CallSummary = {
  type: 'summary', callId: 'c-1', callerId: '79991234567', user: '101', direction: 'incoming',
  durationSec: 42.4, files: ['https://pbx.example.com/t/recording/a.mp3'], legId: 'leg-1',
};

let simulator: CreatioSimulator | undefined;
let client: CrmClient | undefined;

afterEach(async () => {
  client?.close();
  await simulator?.stop();
  simulator = undefined;
  client = undefined;
});

async function setup(
  simulatorOptions: CreatioSimulatorOptions = {},
  auth: CrmAuth = { mode: 'session', username: 'Supervisor', password: PASSWORD },
  timeoutMs = 2_000,
): Promise<{ sim: CreatioSimulator; crm: CrmClient; logger: RecordingLogger }> {
  const sim = await CreatioSimulator.start({ password: PASSWORD, token: TOKEN, ...simulatorOptions });
  const logger = new RecordingLogger();
  const crm = new CrmClient({
    baseUrl: `${sim.baseUrl}/`,
    pathPrefix: simulatorOptions.pathPrefix ?? '/0',
    auth,
    token: TOKEN,
    timeoutMs,
    logger,
  });
  simulator = sim;
  client = crm;
  return { sim, crm, logger };
}

async function failureOf(promise: Promise<unknown>): Promise<CrmRequestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CrmRequestError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

describe('CRM client: request shapes', () => {
  it('sends RingingEventHandler as GET and PushHistoryData as POST on the session path', async () => {
    const { sim, crm } = await setup();
    await crm.send(ringing);
    await crm.send(summary);
    expect(sim.accepted.map((r) => [r.method, r.path])).toEqual([
      ['GET', `/0/rest/OmniWhoCallsService/${encodeURIComponent(TOKEN)}/RingingEventHandler`],
      ['POST', `/0/rest/OmniWhoCallsService/${encodeURIComponent(TOKEN)}/PushHistoryData`],
    ]);
    expect(sim.accepted[0].query).toEqual({ id: 'c-1', eventName: 'ringing', callerid: '79991234567', user: '101' });
    expect(sim.accepted[1].query).toEqual({ id: 'c-1', callerid: '79991234567', user: '101', event: 'incoming', duration: '42' });
    expect(sim.accepted[1].body).toEqual({ FILES: ['https://pbx.example.com/t/recording/a.mp3'] });
    expect(sim.loginCount).toBe(1);
  });

  it('posts an empty FILES array when there is no recording', async () => {
    const { sim, crm } = await setup();
    await crm.send({ ...summary, files: [] });
    expect(sim.accepted[0].body).toEqual({ FILES: [] });
  });

  it('uses the anonymous ServiceModel path without logging in', async () => {
    const { sim, crm } = await setup({}, { mode: 'anonymous' });
    await crm.send(ringing);
    expect(sim.accepted[0].path).toBe(`/0/ServiceModel/OmniWhoCallsService.svc/${encodeURIComponent(TOKEN)}/RingingEventHandler`);
    expect(sim.loginCount).toBe(0);
  });

  it('works without the /0 prefix (Creatio on .NET Core)', async () => {
    const { sim, crm } = await setup({ pathPrefix: '' });
    await crm.send(ringing);
    expect(sim.accepted[0].path).toBe(`/rest/OmniWhoCallsService/${encodeURIComponent(TOKEN)}/RingingEventHandler`);
  });
});

describe('CRM client: session', () => {
  it('fails a wrong login as transient login-failed, names the user, never the password, sends nothing', async () => {
    const { sim, crm, logger } = await setup({}, { mode: 'session', username: 'Supervisor', password: 'wrong-pass' });
    const error = await failureOf(crm.send(ringing));
    expect(error.retry).toBe('transient');
    expect(error.reason).toBe('login-failed');
    expect(error.message).toContain('"Supervisor"');
    expect(error.message).toContain('Invalid username or password');
    expect(sim.accepted).toHaveLength(0);
    expect(logger.text).not.toContain('wrong-pass');
    expect(logger.count('error', /login failed/)).toBe(1);
  });

  it('does not hammer the CRM with logins while the credentials are wrong (cooldown)', async () => {
    const { sim, crm } = await setup({}, { mode: 'session', username: 'Supervisor', password: 'wrong-pass' });
    for (let i = 0; i < 10; i++) await failureOf(crm.send(ringing));
    expect(sim.loginCount).toBe(1);
  });

  it('logs in once for 100 concurrent requests that all find the session expired', async () => {
    const { sim, crm } = await setup();
    await crm.send(ringing);
    expect(sim.loginCount).toBe(1);
    sim.expireAllSessions();
    const sends = Array.from({ length: 100 }, (_, i) => crm.send({ ...ringing, callId: `c-${i}` }));
    await Promise.all(sends);
    expect(sim.loginCount).toBe(2);
    expect(sim.accepted).toHaveLength(101);
  });

  it.each(['401', 'redirect', 'html'] as const)('treats expiry shown as %s as expiry: logs in again and repeats', async (style) => {
    const { sim, crm } = await setup({ expiryStyle: style });
    await crm.send(ringing);
    sim.expireAllSessions();
    await crm.send({ ...ringing, eventName: 'answer' });
    expect(sim.loginCount).toBe(2);
    expect(sim.received().map((r) => r.eventName)).toEqual(['ringing', 'answer']);
  });

  it('sends the BPMCSRF header (the simulator refuses requests without it)', async () => {
    const { sim, crm } = await setup();
    await crm.send(ringing);
    expect(sim.refused).toHaveLength(0);
    expect(sim.accepted).toHaveLength(1);
  });
});

describe('CRM client: failure classification', () => {
  const cases = [
    { fault: { kind: 'status', status: 500 }, retry: 'transient', reason: 'http-500' },
    { fault: { kind: 'status', status: 503, retryAfter: '7' }, retry: 'transient', reason: 'http-503', retryAfterMs: 7_000 },
    { fault: { kind: 'status', status: 429, retryAfter: '2' }, retry: 'transient', reason: 'http-429', retryAfterMs: 2_000 },
    { fault: { kind: 'status', status: 408 }, retry: 'transient', reason: 'http-408' },
    { fault: { kind: 'status', status: 400 }, retry: 'permanent', reason: 'http-400' },
    { fault: { kind: 'status', status: 404 }, retry: 'permanent', reason: 'http-404' },
    { fault: { kind: 'reset' }, retry: 'transient', reason: 'connection-reset' },
    { fault: { kind: 'hang' }, retry: 'transient', reason: 'timeout' },
  ] as const;

  it.each(cases)('$fault.kind $fault.status → $retry $reason', async ({ fault, retry, reason, ...rest }) => {
    const { sim, crm, logger } = await setup({}, undefined, 300);
    sim.failNext(1, fault);
    const error = await failureOf(crm.send(ringing));
    expect(error.retry).toBe(retry);
    expect(error.reason).toBe(reason);
    expect(error.retryAfterMs).toBe('retryAfterMs' in rest ? rest.retryAfterMs : undefined);
    expect(error.message).toContain('RingingEventHandler');
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).not.toContain(encodeURIComponent(TOKEN));
    expect(logger.text).not.toContain(PASSWORD);
  });

  it('refuses a wrong token permanently (403) and does not leak the token', async () => {
    const { crm } = await setup({ token: 'the-right-one' });
    const error = await failureOf(crm.send(ringing));
    expect(error.retry).toBe('permanent');
    expect(error.status).toBe(403);
    expect(error.message).not.toContain(encodeURIComponent(TOKEN));
  });

  it('reports an unreachable CRM as a transient connection failure', async () => {
    const { sim, crm } = await setup({}, { mode: 'anonymous' });
    await sim.stop();
    const error = await failureOf(crm.send(ringing));
    expect(error.retry).toBe('transient');
    expect(error.reason).toBe('connection-refused');
  });
});
