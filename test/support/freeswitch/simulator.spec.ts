// The FreeSWITCH simulator's event delivery as the captures show it: blocking api holds events, filters apply.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EslFrameParser, type EslFrame } from '../../../libs/esl/src/esl-frame-parser';
import { FreeswitchSimulator } from '../freeswitch-simulator';
import { buildChannelEvent, buildEvent } from './channel-events';

let simulator: FreeswitchSimulator | undefined;
let socket: Socket | undefined;

afterEach(async () => {
  socket?.destroy();
  await simulator?.close();
  simulator = socket = undefined;
});

/** A raw ESL connection, authenticated and subscribed to `event json ALL`; `frames` fills as they arrive. */
async function subscribedConnection(): Promise<{ sim: FreeswitchSimulator; frames: EslFrame[]; send: (command: string) => Promise<void> }> {
  const sim = (simulator = await FreeswitchSimulator.start());
  const frames: EslFrame[] = [];
  const parser = new EslFrameParser();
  const raw = (socket = connect({ host: sim.host, port: sim.port }));
  raw.on('data', (chunk: Buffer) => {
    for (const result of parser.push(chunk)) {
      if (result.kind === 'protocol-error') throw new Error(result.reason);
      frames.push(result.frame);
    }
  });
  const replies = () => frames.filter((frame) => frame.headers['Content-Type'] === 'command/reply').length;
  /** Writes a command; for a command/reply one, resolves once its reply arrived (so it took effect). */
  const send = async (command: string): Promise<void> => {
    const before = replies();
    raw.write(`${command}\n\n`);
    if (!command.startsWith('api ')) await sim.waitUntil(() => (replies() > before ? true : undefined));
  };
  await send('auth ClueCon');
  await send('event json ALL');
  return { sim, frames, send };
}

const kinds = (frames: EslFrame[]) =>
  frames.map((frame) => (frame.headers['Content-Type'] === 'text/event-json' ? (JSON.parse(frame.body ?? '{}') as Record<string, string>)['Event-Name'] : frame.headers['Content-Type']));

describe('FreeswitchSimulator', () => {
  it.each([
    [true, ['api/response', 'CHANNEL_CREATE', 'HEARTBEAT']],
    [false, ['CHANNEL_CREATE', 'api/response', 'HEARTBEAT']],
  ])('an api handler marked blocking=%s: events emitted while it runs come after its reply when blocking', async (blocking, expected) => {
    const { sim, frames, send } = await subscribedConnection();
    let answer: ((text: string) => void) | undefined;
    sim.handleApi('originate', () => new Promise<string>((resolve) => (answer = resolve)), { blocking });
    await send('api originate loopback/101/default &park');
    await sim.waitUntil(() => (answer ? true : undefined), 5_000, 'the originate handler to run');
    sim.emit(buildChannelEvent('CHANNEL_CREATE', { uniqueId: 'a1', direction: 'outbound' }));
    answer?.('+OK a1\n');
    await sim.waitUntil(() => (frames.some((frame) => frame.headers['Content-Type'] === 'api/response') ? true : undefined));
    sim.emit(buildEvent('HEARTBEAT'));
    await sim.waitUntil(() => (kinds(frames).includes('HEARTBEAT') ? true : undefined));
    expect(kinds(frames).slice(3)).toEqual(expected);
  });

  it('filter <header> <value> lets only matching events through, HEARTBEAT included; filter delete lifts it', async () => {
    const { sim, frames, send } = await subscribedConnection();
    await send('filter Unique-ID a1');
    sim.emit(buildChannelEvent('CHANNEL_CREATE', { uniqueId: 'a2', direction: 'inbound' }));
    sim.emit(buildEvent('HEARTBEAT'));
    sim.emit(buildChannelEvent('CHANNEL_CREATE', { uniqueId: 'a1', direction: 'inbound' }));
    await sim.waitUntil(() => (kinds(frames).includes('CHANNEL_CREATE') ? true : undefined));
    await send('filter delete Unique-ID a1');
    sim.emit(buildEvent('HEARTBEAT'));
    await sim.waitUntil(() => (kinds(frames).includes('HEARTBEAT') ? true : undefined));
    expect(kinds(frames).slice(3)).toEqual(['command/reply', 'CHANNEL_CREATE', 'command/reply', 'HEARTBEAT']);
    expect(frames.filter((frame) => frame.headers['Content-Type'] === 'command/reply').slice(2).map((frame) => frame.headers['Reply-Text'])).toEqual([
      '+OK filter added. [Unique-ID]=[a1]',
      '+OK filter deleted. [Unique-ID]=[a1]',
    ]);
  });
});
