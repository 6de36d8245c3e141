// Hostile or odd bytes on the wire: the client skips the frame or reconnects, and never throws.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { FreeswitchSimulator } from '../../../test/support/freeswitch-simulator';
import { buildChannelEvent, buildEvent } from '../../../test/support/freeswitch/channel-events';
import { RecordingLogger, nextEmission } from '../../../test/support/freeswitch/esl-test-kit';
import { EslFrameParser } from './esl-frame-parser';
import { EslClient, EslCommandInjectionError, assertSafeCommandArgument, type EslEvent } from './index';

let simulator: FreeswitchSimulator | undefined;
let client: EslClient | undefined;
let received: EslEvent[] = [];
let logger: RecordingLogger;

afterEach(async () => {
  await client?.stop();
  await simulator?.close();
  client = simulator = undefined;
});

async function connected(): Promise<{ simulator: FreeswitchSimulator; client: EslClient }> {
  simulator = await FreeswitchSimulator.start();
  logger = new RecordingLogger();
  received = [];
  client = new EslClient({
    host: simulator.host,
    port: simulator.port,
    password: 'ClueCon',
    events: ['ALL'],
    commandTimeoutMs: 1_000,
    reconnect: { initialDelayMs: 10, maxDelayMs: 40 },
    logger,
  });
  client.on('event', (event) => received.push(event));
  const ready = nextEmission(client, 'connected');
  client.start();
  await ready;
  return { simulator, client };
}

let marker = 0;
/** Emits a marked HEARTBEAT until the client gets one: it survived (on this connection or a new one). */
async function stillDelivers(sim: FreeswitchSimulator): Promise<void> {
  const id = `marker-${++marker}`;
  const timer = setInterval(() => sim.emit(buildEvent('HEARTBEAT', { 'Event-Info': id })), 25);
  try {
    await sim.waitUntil(() => (received.some((event) => event.headers['Event-Info'] === id) ? true : undefined), 5_000, id);
  } finally {
    clearInterval(timer);
  }
}

function jsonFrame(body: string, extraHeaders = ''): string {
  return `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-json\n${extraHeaders}\n${body}`;
}

describe('EslClient with odd but valid input (same connection)', () => {
  it('a plain-style %E9 value in outer headers and a plain event body are skipped, not decoded', async () => {
    const { simulator } = await connected();
    const plain = 'Event-Name: CHANNEL_CREATE\nCaller-Caller-ID-Name: Jos%E9\n\n';
    simulator.sendRaw(`Content-Type: log/data\nLog-File: %E9%ZZ\n\n`);
    simulator.sendRaw(`Content-Length: ${plain.length}\nContent-Type: text/event-plain\n\n${plain}`);
    simulator.sendRaw(jsonFrame(JSON.stringify({ 'Event-Name': 'CHANNEL_CREATE', 'Caller-Caller-ID-Name': 'Jos%E9' })));
    await stillDelivers(simulator);
    expect(received.find((event) => event.name === 'CHANNEL_CREATE')?.headers['Caller-Caller-ID-Name']).toBe('Jos%E9');
    expect(simulator.acceptedConnections).toBe(1);
  });

  it('a 1 MiB event with multi-byte characters, and a _body holding blank lines', async () => {
    const { simulator } = await connected();
    const big = 'Иван Петров é '.repeat(50_000); // > 1 MiB in UTF-8
    simulator.emit(buildChannelEvent('CHANNEL_CREATE', { uniqueId: 'a1', direction: 'inbound', headers: { variable_big: big } }));
    simulator.emit({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'callcenter::info' }, 'first\n\nsecond\n\n\nContent-Type: fake\n\n');
    await stillDelivers(simulator);
    expect(Buffer.byteLength(big)).toBeGreaterThan(1 << 20);
    expect(received.find((event) => event.name === 'CHANNEL_CREATE')?.headers['variable_big']).toBe(big);
    expect(received.find((event) => event.name === 'CUSTOM callcenter::info')?.body).toBe('first\n\nsecond\n\n\nContent-Type: fake\n\n');
    expect(simulator.acceptedConnections).toBe(1);
  });

  it('one write holding 5000 events: all delivered in order on the same connection', async () => {
    const { simulator } = await connected();
    const frames = Array.from({ length: 5_000 }, (_, i) => jsonFrame(JSON.stringify({ 'Event-Name': 'CUSTOM', 'Event-Subclass': 'burst', n: String(i) })));
    simulator.sendRaw(frames.join(''));
    await stillDelivers(simulator);
    expect(received.filter((event) => event.name === 'CUSTOM burst').map((event) => Number(event.headers['n']))).toEqual([...Array(5_000).keys()]);
    expect(simulator.acceptedConnections).toBe(1);
  });

  it('duplicated headers: outer ones keep the first, JSON keys the last; arrays keep their first value', async () => {
    const { simulator } = await connected();
    const body = '{"Event-Name":"CHANNEL_HANGUP_COMPLETE","Hangup-Cause":"NO_ANSWER","Hangup-Cause":"NORMAL_CLEARING","variable_DP_MATCH":["101","102"]}';
    simulator.sendRaw(jsonFrame(body, 'Content-Type: text/event-plain\n'));
    await stillDelivers(simulator);
    const hangup = received.find((event) => event.name === 'CHANNEL_HANGUP_COMPLETE');
    expect(hangup?.headers['Hangup-Cause']).toBe('NORMAL_CLEARING');
    expect(hangup?.headers['variable_DP_MATCH']).toBe('101');
  });

  it('invalid JSON in an event body: that event is skipped with a warning', async () => {
    const { simulator } = await connected();
    simulator.sendRaw(jsonFrame('{"Event-Name":"CHANNEL_CREATE",'));
    simulator.sendRaw(jsonFrame('["not an object"]'));
    await stillDelivers(simulator);
    expect(received.filter((event) => event.name === 'CHANNEL_CREATE')).toHaveLength(0);
    expect(logger.visible.filter((line) => line.startsWith('ESL event skipped'))).toHaveLength(2);
    expect(simulator.acceptedConnections).toBe(1);
  });
});

describe('EslClient with broken framing (skip or reconnect)', () => {
  it.each([
    ['a non-numeric Content-Length', 'Content-Length: 12abc\nContent-Type: text/event-json\n\n{}'],
    ['a Content-Length shorter than the body', jsonFrame('{"Event-Name":"HEARTBEAT"}').replace(/Content-Length: \d+/, 'Content-Length: 5')],
    ['a Content-Length longer than the body', jsonFrame('{"Event-Name":"HEARTBEAT"}').replace(/Content-Length: \d+/, 'Content-Length: 90')],
    ['a huge header block without end', 'X'.repeat(70_000)],
  ])('%s', async (_name, bytes) => {
    const { simulator } = await connected();
    simulator.sendRaw(bytes);
    await stillDelivers(simulator);
  });

  it('random garbage bytes', async () => {
    const { simulator } = await connected();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 3000 }), async (garbage) => {
        simulator.sendRaw(Buffer.from(garbage));
        await stillDelivers(simulator);
      }),
      { numRuns: 15 },
    );
  });

  it('the frame parser never throws, whatever the bytes and splits', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 30 }), (chunks) => {
        const parser = new EslFrameParser();
        for (const chunk of chunks) parser.push(Buffer.from(chunk));
      }),
      { numRuns: 500 },
    );
  });
});

describe('assertSafeCommandArgument', () => {
  const extension = /[0-9]{2,6}/;
  it('accepts a value matching the whole pattern', () => {
    expect(() => assertSafeCommandArgument('101', extension, 'extension')).not.toThrow();
  });
  it.each([
    ['a newline', '101\nexit'],
    ['a carriage return', '101\r'],
    ['a partial match', '101 &park()'],
    ['a character outside the pattern', '10a'],
    ['an empty value', ''],
  ])('refuses %s', (_name, value) => {
    expect(() => assertSafeCommandArgument(value, extension, 'extension')).toThrow(EslCommandInjectionError);
  });
  it('is not fooled by a global regex or by a multiline flag, and never echoes the value', () => {
    const global = /[0-9]+/g;
    expect(() => assertSafeCommandArgument('123', global, 'n')).not.toThrow();
    expect(() => assertSafeCommandArgument('123', global, 'n')).not.toThrow();
    expect(() => assertSafeCommandArgument('1\n2', /[0-9]+/m, 'n')).toThrow(EslCommandInjectionError);
    expect(() => assertSafeCommandArgument('secret!', /[a-z]+/, 'password')).toThrow('unsafe value for ESL command argument \'password\'');
  });
});
