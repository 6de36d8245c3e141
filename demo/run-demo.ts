// `npm run demo`: the whole product on one machine with nothing else installed but redis-server.
// Starts what is missing (Redis on a free port unless REDIS_URL is set, a FreeSWITCH simulator and a
// Creatio simulator), runs the built connector against them, plays a few calls and a click-to-call,
// and shows live what the CRM receives. Ctrl-C stops everything.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectorProcess } from '../test/support/connector-process';
import { CreatioSimulator, type SimulatorRequest } from '../test/support/creatio-simulator';
import { dialplanRecordedIncomingCall, missedIncomingCall, ringGroupCall } from '../test/support/freeswitch/call-scenarios';
import { FreeswitchSimulator } from '../test/support/freeswitch-simulator';
import { RedisServer } from '../test/support/redis-server';

const TOKEN = 'demo-token';
const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One second of silence as a WAV file (8 kHz, 16-bit mono): what FreeSWITCH's record_session leaves. */
function silentWav(): Buffer {
  const samples = Buffer.alloc(16_000);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8_000, 24);
  header.writeUInt32LE(16_000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples.length, 40);
  return Buffer.concat([header, samples]);
}

function describe(request: SimulatorRequest): string {
  const q = request.query;
  if (request.cc360Method === 'RingingEventHandler') return `RingingEventHandler  ${q.eventName?.padEnd(8)} user=${q.user} callerid=${q.callerid} id=${q.id}`;
  const files = (request.body as { FILES?: string[] } | undefined)?.FILES ?? [];
  return `PushHistoryData      ${q.event?.padEnd(8)} user=${q.user} callerid=${q.callerid} duration=${q.duration}s id=${q.id} FILES=${JSON.stringify(files)}`;
}

async function main(): Promise<void> {
  const ownRedis = process.env.REDIS_URL ? undefined : await RedisServer.start({ appendOnly: true, appendFsync: 'everysec' });
  const redisUrl = process.env.REDIS_URL ?? ownRedis!.url;
  const freeswitch = await FreeswitchSimulator.start({ password: 'demo-esl-password', heartbeatIntervalMs: 20_000 });
  freeswitch.handleApi('global_getvar', (args) => (args === 'domain' ? 'pbx.example.com' : undefined));
  freeswitch.handleApi('user_exists', () => 'true');
  freeswitch.handleApi('sofia_contact', (args) => `sofia/internal/sip:${args.slice(2, 5)}@10.0.0.5:5060`);
  freeswitch.handleApi('originate', (args) => `+OK ${/origination_uuid=([0-9a-f-]+)/.exec(args)?.[1] ?? ''}\n`);
  const creatio = await CreatioSimulator.start({ token: TOKEN });
  const recordingLinks: string[] = [];
  creatio.on('accepted', (request) => {
    recordingLinks.push(...((request.body as { FILES?: string[] } | undefined)?.FILES ?? []));
    say(`  CRM ← ${describe(request)}`);
  });
  const recordings = mkdtempSync(join(tmpdir(), 'cc360-demo-recordings-'));

  const connector = await ConnectorProcess.start({
    REDIS_URL: redisUrl,
    CRM_BASE_URL: creatio.baseUrl,
    CRM_USERNAME: 'Supervisor',
    CRM_PASSWORD: 'Supervisor',
    CC360_TOKEN: TOKEN,
    FS_ESL_HOST: '127.0.0.1',
    FS_ESL_PORT: String(freeswitch.port),
    FS_ESL_PASSWORD: 'demo-esl-password',
    HTTP_PORT: process.env.HTTP_PORT ?? '3000',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    PUBLIC_BASE_URL: `http://127.0.0.1:${process.env.HTTP_PORT ?? '3000'}`,
    ADMIN_USER: 'admin',
    ADMIN_PASSWORD: 'demo-password',
    RECORDINGS_DIR: recordings,
  });
  await freeswitch.waitForCommand(/^api show channels as json/, 10_000);
  const http = `http://127.0.0.1:${connector.httpPort}`;
  say(`cc360-bridge demo: connector on ${http} (health: ${http}/health/live), Redis ${redisUrl.replace(/\/\/.*@/, '//***@')}`);
  say(`Queue dashboard: ${http}/admin/queues (admin / demo-password); metrics: ${http}/metrics; readiness: ${http}/health/ready`);
  say(`FreeSWITCH simulator on 127.0.0.1:${freeswitch.port}, Creatio simulator on ${creatio.baseUrl}\n`);

  const stop = async () => {
    say('\nStopping…');
    await connector.terminate();
    await freeswitch.close();
    await creatio.stop();
    await ownRedis?.destroy();
    rmSync(recordings, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  say('1. An external caller 79991234567 calls agent 101, who answers; they talk 37 s, recorded by the dialplan:');
  const caller = randomUUID();
  const recording = join(recordings, `${caller}.wav`);
  writeFileSync(recording, silentWav());
  for (const event of dialplanRecordedIncomingCall({ caller, agent: randomUUID() }, '79991234567', '101', 37, recording)) freeswitch.emit(event);
  await sleep(1_500);
  const link = recordingLinks[0];
  if (link) {
    const download = await fetch(link);
    say(`  The CRM fetches the recording: ${link.replace(`/${TOKEN}/`, '/***/')} → ${download.status} ${download.headers.get('content-type')}, ${(await download.arrayBuffer()).byteLength} bytes`);
  }
  say('\n2. 79990000002 calls agent 102, who does not answer (a missed call):');
  for (const event of missedIncomingCall({ caller: randomUUID(), agent: randomUUID() }, '79990000002', '102', 'NO_ANSWER')) freeswitch.emit(event);
  await sleep(1_500);
  say('\n3. 79990000003 calls the ring group 101, 102, 103; 102 answers:');
  const members = ['101', '102', '103'].map((extension) => ({ legId: randomUUID(), extension }));
  for (const event of ringGroupCall(randomUUID(), '79990000003', members, '102')) freeswitch.emit(event);
  await sleep(1_500);
  say(`\n4. The CRM asks for a click-to-call: GET ${http}/webapi/***/makecall?first=101&second=79161234567`);
  const answer = await fetch(`${http}/webapi/${TOKEN}/makecall?first=101&second=79161234567`);
  say(`   connector answered ${answer.status} ${await answer.text()}`);
  const originate = await freeswitch.waitForCommand(/^bgapi originate/);
  say(`   FreeSWITCH received: ${originate.split('\n')[0]}`);
  await sleep(1_000);
  say('\nThe connector keeps running: try the makecall URL above yourself. Ctrl-C stops the demo.');
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
