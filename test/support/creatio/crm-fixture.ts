// A CRM client wired to a fresh Creatio simulator, with a logger that keeps every line; for the CRM specs.
import type { CallSummary, RingingNotification } from '@cc360/calls';
import { CrmClient, CrmRequestError, type CrmAuth } from '@cc360/crm';
import { CreatioSimulator, type CreatioSimulatorOptions } from '../creatio-simulator';
import { RecordingLogger } from '../recording-logger';

/** Needs encoding in a path: a client that forgot encodeURIComponent would hit another path. */
export const TOKEN = 'tok/en+secret';
export const PASSWORD = 'S3cret-Passw0rd';
export const SESSION_AUTH: CrmAuth = { mode: 'session', username: 'Supervisor', password: PASSWORD };

export const ringing: RingingNotification = {
  type: 'ringing', callId: 'c-1', eventName: 'ringing', callerId: '79991234567', user: '101', legId: 'leg-1',
};
export const summary: CallSummary = {
  type: 'summary', callId: 'c-1', callerId: '79991234567', user: '101', direction: 'incoming',
  durationSec: 42.4, files: ['https://pbx.example.com/t/recording/a.mp3'], legId: 'leg-1',
};

export interface CrmFixture {
  sim: CreatioSimulator;
  crm: CrmClient;
  logger: RecordingLogger;
  close(): Promise<void>;
}

export async function startCrmFixture(
  simulatorOptions: CreatioSimulatorOptions = {},
  auth: CrmAuth = SESSION_AUTH,
  timeoutMs = 2_000,
): Promise<CrmFixture> {
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
  return {
    sim,
    crm,
    logger,
    async close() {
      crm.close();
      await sim.stop();
    },
  };
}

export async function failureOf(promise: Promise<unknown>): Promise<CrmRequestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CrmRequestError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

/** Everything an operator could read about a failure: no secret may be in it. */
export function secretsIn(text: string): string[] {
  return [TOKEN, encodeURIComponent(TOKEN), PASSWORD].filter((secret) => text.includes(secret));
}
