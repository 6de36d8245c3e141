// EslClient against the FreeSWITCH simulator: handshake, commands, failures, reconnects.
import { afterEach, describe, expect, it } from 'vitest';
import { FreeswitchSimulator } from '../../../test/support/freeswitch-simulator';
import { buildChannelEvent } from '../../../test/support/freeswitch/channel-events';
import { RecordingLogger, nextEmission } from '../../../test/support/freeswitch/esl-test-kit';
import { jsonEventFrame, noticeFrame } from '../../../test/support/freeswitch/wire';
import { EslClient, EslDisconnectedError, EslTimeoutError, type EslClientOptions, type EslEvent } from './index';

const SUBSCRIBE = 'event json CHANNEL_CREATE CHANNEL_HANGUP_COMPLETE HEARTBEAT BACKGROUND_JOB';
const CORE_UUID_QUERY = 'api global_getvar core_uuid';
let simulator: FreeswitchSimulator | undefined;
let client: EslClient | undefined;

afterEach(async () => {
  await client?.stop();
  await simulator?.close();
  client = simulator = undefined;
});

async function connect(options: Partial<EslClientOptions> = {}, simulatorOptions = {}) {
  simulator = await FreeswitchSimulator.start(simulatorOptions);
  const logger = new RecordingLogger();
  client = new EslClient({
    host: simulator.host,
    port: simulator.port,
    password: 'ClueCon',
    events: ['CHANNEL_CREATE', 'CHANNEL_HANGUP_COMPLETE'],
    commandTimeoutMs: 2_000,
    reconnect: { initialDelayMs: 20, maxDelayMs: 80 },
    logger,
    ...options,
  });
  return { simulator, client, logger };
}

async function connected(options: Partial<EslClientOptions> = {}, simulatorOptions = {}) {
  const parts = await connect(options, simulatorOptions);
  const info = nextEmission(parts.client, 'connected');
  parts.client.start();
  return { ...parts, info: (await info)[0] };
}

describe('EslClient handshake', () => {
  it('authenticates, subscribes to JSON events plus HEARTBEAT and BACKGROUND_JOB, and logs one line per state', async () => {
    const { simulator, client, logger, info } = await connected({}, { splitWrites: { seed: 7, maxChunkBytes: 5 } });
    expect(info).toEqual({ coreUuid: simulator.coreUuid, reconnect: false });
    expect(client.state).toBe('connected');
    expect(client.coreUuid).toBe(simulator.coreUuid);
    expect(simulator.commands).toEqual(['auth ClueCon', SUBSCRIBE, CORE_UUID_QUERY]);
    expect(Buffer.concat(simulator.rawReceived).toString()).toBe(`auth ClueCon\n\n${SUBSCRIBE}\n\n${CORE_UUID_QUERY}\n\n`);
    expect(logger.visible).toEqual([
      `ESL disconnected -> connecting (127.0.0.1:${simulator.port})`,
      'ESL connecting -> authenticating',
      'ESL authenticating -> connected',
    ]);
  });

  it('a wrong password: auth-failed, keeps retrying, one log line, never the password', async () => {
    const { simulator, client, logger } = await connect({ password: 'Wrong' });
    const failed = nextEmission(client, 'state', (state) => state === 'auth-failed');
    client.start();
    await failed;
    await simulator.waitUntil(() => (simulator.commands.filter((command) => command === 'auth Wrong').length >= 4 ? true : undefined));
    expect(client.state).toBe('auth-failed');
    expect(logger.visible.filter((line) => line.includes('auth-failed'))).toHaveLength(1);
    expect(logger.visible.length).toBeLessThanOrEqual(3);
    expect(logger.lines.some((line) => line.message.includes('Wrong'))).toBe(false);

    simulator.password = 'Wrong';
    const recovered = nextEmission(client, 'connected');
    expect((await recovered)[0]).toEqual({ coreUuid: simulator.coreUuid, reconnect: false });
    expect(logger.visible.at(-1)).toBe('ESL auth-failed -> connected');
  });

  it('a rude rejection (ACL): state rejected', async () => {
    const { client, simulator } = await connect({}, { rudeRejection: true });
    const rejected = nextEmission(client, 'state', (state) => state === 'rejected');
    client.start();
    expect((await rejected)[1]).toMatch(/ACL/);
    expect(simulator.commands).toEqual([]);
  });
});

describe('EslClient commands', () => {
  it('api returns the api/response body; -ERR output rejects with the verb only', async () => {
    const { simulator, client } = await connected();
    simulator.handleApi('user_exists', (args) => (args === 'id 101 pbx.local' ? 'true' : 'false'));
    await expect(client.api('user_exists id 101 pbx.local')).resolves.toBe('true');
    await expect(client.api('uuid_kill 00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({
      name: 'EslCommandError',
      verb: 'api uuid_kill',
      replyText: '-ERR No such channel!',
    });
    expect(simulator.commands.slice(3)).toEqual(['api user_exists id 101 pbx.local', 'api uuid_kill 00000000-0000-0000-0000-000000000000']);
  });

  it('bgapi sends the Job-UUID header and the BACKGROUND_JOB arrives later as an event', async () => {
    const { simulator, client } = await connected();
    simulator.handleApi('originate', () => '+OK 5b9530c3-9aed-4c5d-b861-37a36c884de2\n');
    const job = nextEmission(client, 'event', (event) => event.name === 'BACKGROUND_JOB');
    const reply = await client.bgapi('originate user/101 &park()', 'c0ffee00-0000-4000-8000-000000000001');
    expect(reply).toBe('+OK Job-UUID: c0ffee00-0000-4000-8000-000000000001');
    const received = Buffer.concat(simulator.rawReceived).toString();
    expect(received.endsWith('bgapi originate user/101 &park()\nJob-UUID: c0ffee00-0000-4000-8000-000000000001\n\n')).toBe(true);
    const [event] = await job;
    expect(event.headers['Job-UUID']).toBe('c0ffee00-0000-4000-8000-000000000001');
    expect(event.headers['Job-Command']).toBe('originate');
    expect(event.body).toBe('+OK 5b9530c3-9aed-4c5d-b861-37a36c884de2\n');
  });

  it('a command without a reply times out, and its late reply does not go to the next command', async () => {
    const { simulator, client } = await connected({ commandTimeoutMs: 150 });
    let answerSlow: (text: string) => void = () => undefined;
    simulator.handleApi('slow', () => new Promise<string>((resolve) => (answerSlow = resolve)));
    simulator.handleApi('fast', () => 'fast answer');
    await expect(client.api('slow')).rejects.toBeInstanceOf(EslTimeoutError);
    const next = client.api('fast');
    answerSlow('late slow answer');
    await expect(next).resolves.toBe('fast answer');
  });

  it('pending commands are rejected when the connection drops; commands while disconnected fail fast', async () => {
    const { simulator, client } = await connected();
    simulator.handleApi('hang', () => new Promise<string>(() => undefined));
    const pending = client.api('hang');
    await simulator.waitForCommand('api hang');
    simulator.dropConnections();
    await expect(pending).rejects.toBeInstanceOf(EslDisconnectedError);
    await client.stop();
    await expect(client.api('status')).rejects.toBeInstanceOf(EslDisconnectedError);
  });

  it('a command/reply while an api command waits: the stream is out of step, the api is not answered with it', async () => {
    const { simulator, client, logger } = await connected();
    simulator.handleApi('hang', () => new Promise<string>(() => undefined));
    const pending = client.api('hang');
    await simulator.waitForCommand('api hang');
    const reconnected = nextEmission(client, 'connected');
    simulator.sendRaw('Content-Type: command/reply\nReply-Text: +OK surprise\n\n');
    await expect(pending).rejects.toBeInstanceOf(EslDisconnectedError);
    await reconnected;
    expect(logger.lines.some((line) => /ESL command\/reply without a command waiting for one/.test(line.message))).toBe(true);
  });

  it('frames read behind a disconnect notice in the same chunk are not handled: the connection is over', async () => {
    const { simulator, client } = await connected();
    const seen: string[] = [];
    client.on('event', (event: EslEvent) => seen.push(event.headers['Unique-ID'] ?? ''));
    const reconnected = nextEmission(client, 'connected');
    const after = buildChannelEvent('CHANNEL_CREATE', { uniqueId: 'after-notice', direction: 'inbound' });
    simulator.sendRaw(Buffer.concat([noticeFrame('text/disconnect-notice', 'bye'), jsonEventFrame(after)]));
    await reconnected;
    expect(seen).not.toContain('after-notice');
  });

  it('refuses a command with a line break or a bad Job-UUID before anything is written', async () => {
    const { simulator, client } = await connected();
    await expect(client.api('status\n\nexit')).rejects.toMatchObject({ name: 'EslCommandInjectionError' });
    await expect(client.bgapi('status', 'x\nEvil: 1')).rejects.toMatchObject({ name: 'EslCommandInjectionError' });
    expect(simulator.commands).toEqual(['auth ClueCon', SUBSCRIBE, CORE_UUID_QUERY]);
  });
});

describe('EslClient reconnects', () => {
  it('after dropConnections(): reconnects and subscribes again', async () => {
    const { simulator, client } = await connected();
    const again = nextEmission(client, 'connected');
    simulator.dropConnections();
    expect((await again)[0]).toEqual({ coreUuid: simulator.coreUuid, reconnect: true });
    expect(simulator.commands.filter((command) => command === SUBSCRIBE)).toHaveLength(2);
    expect(simulator.acceptedConnections).toBe(2);
  });

  it('a silent socket (no heartbeat) is destroyed after heartbeatTimeoutMs and re-established', async () => {
    const { simulator, client } = await connected({ heartbeatTimeoutMs: 300 }, { heartbeatIntervalMs: 50 });
    await nextEmission(client, 'event', (event) => event.name === 'HEARTBEAT');
    const again = nextEmission(client, 'connected');
    simulator.goSilent();
    expect((await again)[0].reconnect).toBe(true);
    expect(simulator.acceptedConnections).toBe(2);
  });

  it('a FreeSWITCH restart (new Core-UUID) emits core-restart before connected', async () => {
    const { simulator, client } = await connected();
    const firstCore = simulator.coreUuid;
    const seen: string[] = [];
    client.on('core-restart', ({ previous, current }) => seen.push(`restart ${previous} -> ${current}`));
    client.on('connected', ({ coreUuid }) => seen.push(`connected ${coreUuid}`));
    const reconnected = nextEmission(client, 'connected');
    simulator.restart();
    await reconnected;
    expect(simulator.coreUuid).not.toBe(firstCore);
    expect(seen).toEqual([`restart ${firstCore} -> ${simulator.coreUuid}`, `connected ${simulator.coreUuid}`]);
    expect(client.coreUuid).toBe(simulator.coreUuid);
  });

  it('a Core-UUID change seen in an event emits core-restart before that event', async () => {
    const { simulator, client } = await connected();
    const firstCore = simulator.coreUuid;
    const otherCore = '22222222-2222-4222-8222-222222222222';
    const leg = { uniqueId: '11111111-1111-4111-8111-111111111111', direction: 'outbound' as const, variables: { dialed_user: '101' } };
    const seen: string[] = [];
    client.on('core-restart', ({ previous, current }) => seen.push(`restart ${previous} -> ${current}`));
    client.on('event', (event: EslEvent) => seen.push(`${event.name} ${event.headers['Core-UUID']} ${event.headers['variable_dialed_user']}`));
    const created = nextEmission(client, 'event', (event) => event.name === 'CHANNEL_CREATE');
    // The simulator stamps its own Core-UUID; raw bytes let this event claim another one.
    const body = JSON.stringify({ ...buildChannelEvent('CHANNEL_CREATE', leg), 'Core-UUID': otherCore });
    simulator.sendRaw(`Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-json\n\n${body}`);
    await created;
    expect(seen).toEqual([`restart ${firstCore} -> ${otherCore}`, `CHANNEL_CREATE ${otherCore} 101`]);
  });
});
