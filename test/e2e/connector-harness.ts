// The whole product on loopback: FreeSWITCH simulator → the built connector (child process) → Creatio simulator.
import type { ReceivedNotification } from '../support/creatio-simulator';
import { CreatioSimulator, type CreatioSimulatorOptions } from '../support/creatio-simulator';
import { ConnectorProcess } from '../support/connector-process';
import { FreeswitchSimulator, type FreeswitchSimulatorOptions } from '../support/freeswitch-simulator';
import type { EventFields } from '../support/freeswitch/wire';
import { RedisServer } from '../support/redis-server';

export interface Harness {
  redis: RedisServer;
  freeswitch: FreeswitchSimulator;
  creatio: CreatioSimulator;
  connector: ConnectorProcess;
  /** Plays events into FreeSWITCH's event socket, in order. */
  play(events: readonly EventFields[]): void;
  /** Waits until the CRM has accepted `count` requests for `callId`, then returns them. */
  requestsFor(callId: string, count: number, timeoutMs?: number): Promise<ReceivedNotification[]>;
  close(): Promise<void>;
}

/** The environment of a connector wired to these simulators (password 'esl-secret'); `env` adds or overrides. */
export function connectorEnv(parts: { redis: RedisServer; creatio: CreatioSimulator; freeswitch: FreeswitchSimulator }, env: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: parts.redis.url,
    CRM_BASE_URL: parts.creatio.baseUrl,
    CRM_USERNAME: 'Supervisor',
    CRM_PASSWORD: 'Supervisor',
    CC360_TOKEN: parts.creatio.token,
    FS_ESL_HOST: '127.0.0.1',
    FS_ESL_PORT: String(parts.freeswitch.port),
    FS_ESL_PASSWORD: 'esl-secret',
    DELIVERY_CONCURRENCY: '8',
    DELIVERY_TAKEOVER_AFTER: '2s',
    LOG_LEVEL: 'warn',
    PUBLIC_BASE_URL: 'https://pbx.example.com',
    ...env,
  };
}

/** Simulator settings beyond the harness's own (the ESL password and the CC360 token stay fixed). */
export interface HarnessOptions {
  freeswitch?: Omit<FreeswitchSimulatorOptions, 'password'>;
  creatio?: Omit<CreatioSimulatorOptions, 'token'>;
}

export async function startHarness(env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const redis = await RedisServer.start({ appendOnly: true });
  const freeswitch = await FreeswitchSimulator.start({ ...options.freeswitch, password: 'esl-secret' });
  const creatio = await CreatioSimulator.start({ ...options.creatio, token: 'e2e-token' });
  const connector = await ConnectorProcess.start(connectorEnv({ redis, creatio, freeswitch }, env));
  // The connector reconciles right after it is connected and subscribed: then it is ready.
  await freeswitch.waitForCommand(/^api show channels as json/, 10_000);
  return {
    redis,
    freeswitch,
    creatio,
    connector,
    play(events) {
      for (const event of events) freeswitch.emit(event);
    },
    async requestsFor(callId, count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const requests = creatio.received().filter((request) => request.id === callId);
        if (requests.length >= count) {
          // A moment more: anything beyond the expected count would be a bug the test must see.
          await new Promise((resolve) => setTimeout(resolve, 150));
          return creatio.received().filter((request) => request.id === callId);
        }
        if (Date.now() > deadline) {
          throw new Error(`CRM got ${requests.length} of ${count} requests for call ${callId}:\n${JSON.stringify(requests, null, 1)}\n${connector.logs.slice(-3000)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async close() {
      await connector.terminate();
      await freeswitch.close();
      await creatio.stop();
      await redis.destroy();
    },
  };
}

/** `user:eventName` / `user:summary:direction:duration:callerid` per CRM request. */
export function describeRequests(requests: readonly ReceivedNotification[]): string[] {
  return requests.map((r) =>
    r.method === 'RingingEventHandler' ? `${r.user}:${r.eventName}:${r.callerid}` : `${r.user}:summary:${r.event}:${r.duration}:${r.callerid}`,
  );
}
