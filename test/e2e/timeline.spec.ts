// `npm run admin -- timeline <call-id>` end to end: a recorded call played over the ESL wire, the CRM
// refusing its first request once, then the built admin CLI reading the journal the connector wrote.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CALL_EVENTS } from '@cc360/ingest';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toNotification } from '../support/creatio/received';
import { missedIncomingCall, recordedIncomingCall } from '../support/freeswitch/call-scenarios';
import { startHarness, type Harness } from './connector-harness';

const WEBAPI_TOKEN = 'timeline-webapi-token';

function adminCli(harness: Harness, args: readonly string[]): { code: number | null; out: string; err: string } {
  const result = spawnSync(process.execPath, [resolve(__dirname, '../../dist/apps/admin/src/main.js'), ...args], {
    env: { PATH: process.env.PATH ?? '', REDIS_URL: harness.redis.url },
    encoding: 'utf8',
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

interface JsonTimeline {
  callId: string;
  entries: Array<{ type: string; time: string; at: number; name?: string; legId?: string; sequence?: number; state?: string; user?: string; attempt?: number; ok?: boolean; status?: number; retry?: string }>;
  unreadable: number;
}

describe('admin CLI: timeline of one call', () => {
  let harness: Harness;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cc360-timeline-'));
    harness = await startHarness({ DELIVERY_RETRY_INITIAL: '200ms', WEBAPI_TOKEN, RECORDINGS_DIR: dir });
  });
  afterAll(async () => {
    await harness.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const admin = (...args: string[]) => adminCli(harness, args);

  it('shows the events received, the notifications produced and every CRM request with its answer, in time order', async () => {
    const caller = randomUUID();
    const agent = randomUUID();
    mkdirSync(join(dir, '2026'), { recursive: true });
    const recording = join(dir, '2026', `${caller}.mp3`);
    writeFileSync(recording, 'ID3');
    harness.creatio.failNext(1, { kind: 'status', status: 503 }, (request) => toNotification(request).id === caller);
    const sent = recordedIncomingCall({ caller, agent }, '79991234567', '101', 12, recording)
      .map((event) => harness.freeswitch.emit(event))
      .filter((event) => (CALL_EVENTS as readonly string[]).includes(String(event['Event-Name'])));
    const requests = await harness.requestsFor(caller, 4);
    expect(requests[3].files?.[0]).toContain(WEBAPI_TOKEN);
    // The journal is written right after each step; the last request's entry follows its answer.
    let text = admin('timeline', caller);
    for (let i = 0; i < 40 && (text.out.match(/ CRM /g) ?? []).length < 5; i++) {
      await new Promise((resolveWait) => setTimeout(resolveWait, 50));
      text = admin('timeline', caller);
    }
    expect(text.code).toBe(0);
    const lines = text.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^call ${caller}: ${sent.length} ESL events, 4 notifications, 5 CRM requests \\(1 failed\\), \\d{4}-\\d\\d-\\d\\d, times UTC$`));

    // Every event the simulator sent, each once, in the order sent, with its leg and Event-Sequence.
    const eslLines = lines.slice(1).filter((line) => /^\S+ {2}ESL /.test(line));
    expect(eslLines.map((line) => /ESL +(\S+) +leg (\S+) +seq (\d+)/.exec(line)?.slice(1).join(' '))).toEqual(
      sent.map((event) => `${String(event['Event-Name'])} ${String(event['Unique-ID'])} ${String(event['Event-Sequence'])}`),
    );

    // Notifications and requests of agent 101, in order: the ringing refused once (503) and retried.
    const steps = lines
      .slice(1)
      .filter((line) => /^\S+ {2}(notify|CRM) /.test(line))
      .map((line) => {
        const match = / (notify|CRM) +(\S+(?: incoming)?) +agent (\S+) +leg (\S+)(?: .*attempt (\d+) +(.+?) +[\d.]+ ms)?/.exec(line);
        expect(match?.[4]).toBe(agent);
        return [match?.[1], match?.[2], match?.[3], match?.[5], match?.[6]].filter(Boolean).join(' ');
      });
    expect([...steps].sort()).toEqual([
      'CRM answer 101 1 HTTP 200',
      'CRM hangup 101 1 HTTP 200',
      'CRM ringing 101 1 HTTP 503 transient',
      'CRM ringing 101 2 HTTP 200',
      'CRM summary incoming 101 1 HTTP 200',
      'notify answer 101',
      'notify hangup 101',
      'notify ringing 101',
      'notify summary incoming 101',
    ]);
    const inOrder = (...expected: string[]) => expect(expected.map((step) => steps.indexOf(step))).toEqual(expected.map((step) => steps.indexOf(step)).sort((a, b) => a - b));
    inOrder('notify ringing 101', 'notify answer 101', 'notify hangup 101', 'notify summary incoming 101');
    inOrder('notify ringing 101', 'CRM ringing 101 1 HTTP 503 transient', 'CRM ringing 101 2 HTTP 200', 'CRM answer 101 1 HTTP 200', 'CRM hangup 101 1 HTTP 200', 'CRM summary incoming 101 1 HTTP 200');
    inOrder('notify answer 101', 'CRM answer 101 1 HTTP 200');
    inOrder('notify summary incoming 101', 'CRM summary incoming 101 1 HTTP 200');
    expect(lines.find((line) => /notify +summary incoming/.test(line))).toMatch(/caller 79991234567 +talk 12 s +1 recording$/);
    // The agent's notifications follow the events that caused them.
    const afterEvent = (notification: string, event: string) =>
      lines.findIndex((line) => new RegExp(`notify +${notification} `).test(line)) > lines.findIndex((line) => new RegExp(`ESL +${event} +leg ${agent}`).test(line));
    expect(afterEvent('ringing', 'CHANNEL_CREATE')).toBe(true);
    expect(afterEvent('answer', 'CHANNEL_ANSWER')).toBe(true);
    expect(afterEvent('summary incoming', 'CHANNEL_HANGUP_COMPLETE')).toBe(true);

    // The same as JSON, times in order.
    const json = admin('timeline', caller, '--json');
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.out) as JsonTimeline;
    expect(parsed.callId).toBe(caller);
    expect(parsed.entries).toHaveLength(lines.length - 1);
    expect(parsed.entries.map((entry) => entry.at)).toEqual([...parsed.entries.map((entry) => entry.at)].sort((a, b) => a - b));
    expect(parsed.entries.filter((entry) => entry.type === 'attempt').map((entry) => [entry.state, entry.attempt, entry.status, entry.retry])).toEqual([
      ['ringing', 1, 503, 'transient'],
      ['ringing', 2, 200, undefined],
      ['answer', 1, 200, undefined],
      ['hangup', 1, 200, undefined],
      ['incoming', 1, 200, undefined],
    ]);

    const metrics = await (await fetch(`http://127.0.0.1:${harness.connector.httpPort}/metrics`)).text();
    expect(Number(/^cc360_journal_entries\{state="written_total"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(parsed.entries.length);
    expect(metrics).toMatch(/^cc360_journal_entries\{state="dropped_total"\} 0$/m);

    // Kept for JOURNAL_TTL (3 days by default), and no secret in it: not the webapi token of the
    // recording URL, not the CRM token or password, not the event socket password.
    const redis = new Redis(harness.redis.url);
    try {
      const key = `cc360:journal:${caller}`;
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(3 * 86_400_000 - 60_000);
      expect(ttl).toBeLessThanOrEqual(3 * 86_400_000);
      const raw = JSON.stringify(await redis.xrange(key, '-', '+'));
      for (const secret of [WEBAPI_TOKEN, harness.creatio.token, 'esl-secret']) expect(raw).not.toContain(secret);
    } finally {
      redis.disconnect();
    }
  });

  it('says when it knows nothing of a call, and refuses what is not a call id', () => {
    const unknown = admin('timeline', randomUUID());
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/nothing journaled for call .*JOURNAL_TTL/);
    expect(admin('timeline').code).toBe(2);
    expect(admin('timeline', 'x; rm -rf /').code).toBe(2);
    expect(admin('timeline', 'a', 'b').code).toBe(2);
  });
});

describe('call journal off (JOURNAL_TTL=0)', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ JOURNAL_TTL: '0' });
  });
  afterAll(() => harness.close());

  it('writes nothing, and the timeline says so', async () => {
    const caller = randomUUID();
    harness.play(missedIncomingCall({ caller, agent: randomUUID() }, '79991112233', '102', 'NO_ANSWER'));
    await harness.requestsFor(caller, 3);
    const redis = new Redis(harness.redis.url);
    try {
      expect(await redis.keys('cc360:journal:*')).toEqual([]);
    } finally {
      redis.disconnect();
    }
    expect(adminCli(harness, ['timeline', caller]).code).toBe(1);
    expect(await (await fetch(`http://127.0.0.1:${harness.connector.httpPort}/metrics`)).text()).not.toContain('cc360_journal_entries');
  });
});
