// Recordings end to end: RECORD_STOP on the agent's leg → the call summary's FILES carries the public URL
// of the file under RECORDINGS_DIR; a file elsewhere is not published; RECORDING_MODE=connector starts
// uuid_record itself; RECORDING_MODE=off sends empty FILES.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answeredIncomingCall, dialplanRecordedIncomingCall, recordedIncomingCall } from '../support/freeswitch/call-scenarios';
import { ConnectorProcess } from '../support/connector-process';
import { startHarness, type Harness } from './connector-harness';

const TOKEN = 'rec-token';

describe('recordings', () => {
  let harness: Harness;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cc360-recordings-'));
    harness = await startHarness({ WEBAPI_TOKEN: TOKEN, RECORDINGS_DIR: dir, PUBLIC_BASE_URL: 'https://pbx.example.com/' });
  });
  afterAll(async () => {
    await harness.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts the URL of the agent leg recording in the summary', async () => {
    const caller = randomUUID();
    const file = join(dir, '2026', '11', '28', `${caller}.mp3`);
    mkdirSync(join(dir, '2026', '11', '28'), { recursive: true });
    writeFileSync(file, Buffer.from('ID3 fake mp3 bytes'));
    harness.play(recordedIncomingCall({ caller, agent: randomUUID() }, '79991234567', '101', 12, file));
    const requests = await harness.requestsFor(caller, 4);
    expect(requests[3].files).toEqual([`https://pbx.example.com/${TOKEN}/recording/2026/11/28/${caller}.mp3`]);

    // The CRM fetches it from the connector (PUBLIC_BASE_URL would point here).
    const url = requests[3].files?.[0]?.replace('https://pbx.example.com', `http://127.0.0.1:${harness.connector.httpPort}`) ?? '';
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('audio/mpeg');
    expect(Buffer.from(await download.arrayBuffer()).toString()).toBe('ID3 fake mp3 bytes');
    const metrics = await (await fetch(`http://127.0.0.1:${harness.connector.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^cc360_recording_downloads\{result="full"\} 1$/m);
  });

  it('recorded on the caller leg (our dialplan), agent hangs up first: the summary waits for the RECORD_STOP', async () => {
    const caller = randomUUID();
    const file = join(dir, `${caller}.wav`);
    writeFileSync(file, Buffer.from('RIFF fake wav'));
    harness.play(dialplanRecordedIncomingCall({ caller, agent: randomUUID() }, '79991234567', '101', 7, file));
    const requests = await harness.requestsFor(caller, 4);
    expect(requests[3].files).toEqual([`https://pbx.example.com/${TOKEN}/recording/${caller}.wav`]);
    expect(requests[3].duration).toBe('7');
  });

  it('does not publish a recording outside RECORDINGS_DIR', async () => {
    const caller = randomUUID();
    harness.play(recordedIncomingCall({ caller, agent: randomUUID() }, '79991234567', '101', 12, `/tmp/elsewhere/${caller}.wav`));
    const requests = await harness.requestsFor(caller, 4);
    expect(requests[3].files).toEqual([]);
    expect(harness.connector.logs).toMatch(/outside RECORDINGS_DIR/);
  });

  it('RECORDING_MODE=connector: records each answered agent leg with uuid_record over bgapi', async () => {
    const connectorMode = await startHarness({ RECORDING_MODE: 'connector', RECORDINGS_DIR: dir });
    try {
      const agent = randomUUID();
      connectorMode.play(answeredIncomingCall({ caller: randomUUID(), agent }, '79991234567', '102', 3));
      const command = await connectorMode.freeswitch.waitForCommand(/^bgapi uuid_record /);
      expect(command).toMatch(new RegExp(`^bgapi uuid_record ${agent} start ${dir}/\\d{4}/\\d{2}/\\d{2}/${agent}\\.wav\\nJob-UUID: [0-9a-f-]{36}$`));
      expect(connectorMode.freeswitch.commands.filter((c) => c.startsWith('bgapi uuid_record'))).toHaveLength(1);
    } finally {
      await connectorMode.close();
    }
  });

  it('RECORDING_MODE=connector with two instances on one FreeSWITCH: each agent leg is recorded once', async () => {
    const pair = await startHarness({ RECORDING_MODE: 'connector', RECORDINGS_DIR: dir });
    const { HTTP_PORT: _first, ...env } = pair.connector.env;
    const second = await ConnectorProcess.start(env);
    try {
      await pair.freeswitch.waitForAuthenticatedConnections(2, 10_000);
      await pair.freeswitch.waitUntil(() => (pair.freeswitch.commands.filter((c) => c === 'api show channels as json').length >= 2 ? true : undefined), 10_000, 'the second instance');
      await new Promise((resolve) => setTimeout(resolve, 300)); // its subscription is in place
      const calls = [randomUUID(), randomUUID(), randomUUID()];
      for (const caller of calls) pair.play(answeredIncomingCall({ caller, agent: randomUUID() }, '79991234567', '103', 3));
      for (const caller of calls) await pair.requestsFor(caller, 4);
      expect(pair.freeswitch.commands.filter((c) => c.startsWith('bgapi uuid_record'))).toHaveLength(calls.length);
    } finally {
      await second.terminate();
      await pair.close();
    }
  });

  it('RECORDING_MODE=off: empty FILES even for a recorded call', async () => {
    const off = await startHarness({ RECORDING_MODE: 'off', PUBLIC_BASE_URL: '' });
    try {
      const caller = randomUUID();
      off.play(recordedIncomingCall({ caller, agent: randomUUID() }, '79991234567', '101', 5, join(dir, 'x.mp3')));
      expect((await off.requestsFor(caller, 4))[3].files).toEqual([]);
    } finally {
      await off.close();
    }
  });
});
