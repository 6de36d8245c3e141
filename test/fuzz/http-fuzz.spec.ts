// Hostile HTTP against every endpoint of the REAL connector process (makecall, recordings, metrics,
// health, the queue dashboard, unknown paths): random methods, paths, queries, headers and bodies, and
// malformed HTTP on raw sockets. No 5xx (503 only from readiness), no crash, no secret in any answer,
// and nothing but the strict command set ever reaches the ESL wire.
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, METHODS, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptClickToCallApis, unsafeEslCommands } from '../support/freeswitch/click-to-call-apis';
import { startHarness, type Harness } from '../e2e/connector-harness';

const TOKEN = 'fuzz-webapi-token-7f3a';
const ADMIN_PASSWORD = 'fuzz-admin-pass-91c2';
const ADMIN = `Basic ${Buffer.from(`operator:${ADMIN_PASSWORD}`).toString('base64')}`;
/** Never in any status line, header or body: the path token, the dashboard password, the ESL password, the CRM token. */
const SECRETS = [TOKEN, ADMIN_PASSWORD, 'esl-secret', 'e2e-token'];

/** A stack trace or a source path in an answer tells an attacker too much. */
const STACK_TRACE = /\bat [^\n]*\(?\/[^\n]*\.js:\d+|node_modules|\/dist\/apps\//;

interface Answer {
  status: number;
  text: string;
}

/** 5xx is a failure, except readiness saying "not ready". */
function allowedStatus(path: string, status: number): boolean {
  return status < 500 || (status === 503 && path.startsWith('/health/ready'));
}

const percentGarbage = fc.constantFrom('%', '%z', '%zz', '%00', '%2e%2e', '%2f', '%5c', '%c0%af', '%ff', '%E9', '%25', '%u2215', '..', '.', '//', '\\');
const unicode = fc.string({ unit: 'grapheme', maxLength: 12 }).map((text) => encodeURIComponent(text));
const latin1 = fc.string({ unit: fc.integer({ min: 0x21, max: 0xff }).map((code) => String.fromCharCode(code)), maxLength: 20 });
const segment = fc.oneof(fc.constantFrom('', 'makecall', 'recording', 'queues', 'api', 'live', 'ready', 'x'), percentGarbage, unicode, latin1, fc.constant('a'.repeat(1000)));
const tail = fc.array(segment, { maxLength: 5 }).map((segments) => segments.join('/'));
const token = fc.constantFrom(TOKEN, TOKEN, encodeURIComponent(TOKEN), TOKEN.toUpperCase(), `${TOKEN}x`, '', '***');
const path = fc.oneof(
  fc.tuple(token, fc.constantFrom('makecall', 'makecall/', 'makecallx', 'MAKECALL'), fc.option(tail)).map(([t, end, rest]) => `/webapi/${t}/${end}${rest ? `/${rest}` : ''}`),
  fc.tuple(token, tail).map(([t, rest]) => `/${t}/recording/${rest}`),
  fc.constantFrom('/metrics', '/health/live', '/health/ready', '/admin/queues', '/admin/queues/', '/admin/queues/api/queues', '/admin/queues/api/redis/stats'),
  tail.map((rest) => `/admin/queues/${rest}`),
  tail.map((rest) => `/health/${rest}`),
  tail.map((rest) => `/${rest}`),
);
const queryValue = fc.oneof(fc.string({ maxLength: 30 }), fc.stringMatching(/^[0-9]{2,6}$/), fc.constantFrom('101', '79991234567', '101\nbgapi system reboot', '${sip_contact}', '{a=b}101'));
const query = fc.oneof(
  fc.constant(''),
  fc.dictionary(fc.constantFrom('first', 'second', 'expires', 'signature', 'status', 'page', 'activeQueue', 'x'), queryValue).map((params) => new URLSearchParams(params).toString()),
  fc.array(fc.tuple(fc.constantFrom('first', 'second', 'first', '__proto__', 'constructor'), queryValue), { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')),
  fc.constantFrom('%', 'first=%zz', 'first[]=101&second=7999', 'first[a]=1', 'second=' + '9'.repeat(10_000), '&&&==', 'first=101&first=102'),
);
const method = fc.oneof(fc.constantFrom('GET', 'GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'TRACE', 'M-SEARCH'), fc.stringMatching(/^[A-Z]{1,12}$/));
const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 60 });
const headers = fc.record(
  {
    authorization: fc.oneof(fc.constant(ADMIN), headerValue, fc.constantFrom('Basic', 'Basic !!!', `Basic ${Buffer.from('operator').toString('base64')}`, `Basic ${Buffer.from(`:${ADMIN_PASSWORD}`).toString('base64')}`)),
    'content-type': fc.constantFrom('application/json', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', '*/*', ''),
    range: fc.oneof(headerValue, fc.constantFrom('bytes=0-', 'bytes=-0', 'bytes=5-1', 'bytes=0-99999999999999999', 'bytes=0-1,2-3')),
    'if-none-match': headerValue,
    'if-range': headerValue,
    'x-request-id': fc.oneof(headerValue, fc.constant('r'.repeat(2000))),
    'x-forwarded-for': headerValue,
    accept: fc.constantFrom('*/*', 'application/json', 'text/html', ''),
    'accept-encoding': fc.constantFrom('gzip', 'br', 'identity;q=0', 'x'),
    // Together under Node's 16 KiB header limit (beyond it Node answers 431 and closes: tested on raw sockets).
    'x-huge': fc.constant('h'.repeat(6_000)),
    'x-duplicated': fc.array(headerValue, { minLength: 2, maxLength: 4 }),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 3 }),
  fc.constantFrom('{"first":"101","second":"79991234567"}', '{"first":["101"],"second":{"a":1}}', '{"__proto__":{"first":"101"},"second":"79991234567"}', '{', '[]', 'null', 'first=101&second=79991234567'),
  fc.string({ unit: 'binary', maxLength: 500 }),
  // Under the 100 KB body limit: beyond it the server answers 413 before reading the rest (a raw-socket case).
  fc.constant('{"a":"' + 'x'.repeat(90_000) + '"}'),
);

describe('HTTP fuzz against the connector process', () => {
  let harness: Harness;
  let dir: string;
  let agent: Agent;
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cc360-http-fuzz-'));
    mkdirSync(join(dir, '2026', '11', '29'), { recursive: true });
    writeFileSync(join(dir, '2026', '11', '29', 'call.mp3'), Buffer.alloc(4096, 7));
    harness = await startHarness({
      WEBAPI_TOKEN: TOKEN,
      MAKECALL_RATE_LIMIT: '100000',
      RECORDINGS_DIR: dir,
      ADMIN_USER: 'operator',
      ADMIN_PASSWORD,
      DELIVERY_CONCURRENCY: '2',
      LOG_LEVEL: 'info',
    });
    scriptClickToCallApis(harness.freeswitch);
    // A connection per request: an answer to one request never depends on what an earlier one left on the socket.
    agent = new Agent({ keepAlive: false, maxSockets: 16 });
  });
  afterAll(async () => {
    agent?.destroy();
    await harness?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function send(options: { method: string; path: string; headers: Record<string, string | string[]>; body?: string }): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const outgoing = request({ host: '127.0.0.1', port: harness.connector.httpPort, agent, method: options.method, path: options.path, headers: options.headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const head = Object.entries(response.headers).map(([name, value]) => `${name}: ${String(value)}`).join('\n');
          resolve({ status: response.statusCode ?? 0, text: `${response.statusMessage}\n${head}\n${Buffer.concat(chunks).toString('latin1')}` });
        });
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(options.body);
    });
  }

  /** What went wrong, one line per request (the test lists them all at the end). */
  function problemsOf(requestPath: string, answer: Answer): string[] {
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    const shown = `${requestPath.slice(0, 120)} -> ${answer.text.slice(0, 160).replace(/\s+/g, ' ')}`;
    const problems = allowedStatus(requestPath, answer.status) ? [] : [`${answer.status} for ${shown}`];
    if (STACK_TRACE.test(answer.text)) problems.push(`stack trace for ${shown}`);
    return [...problems, ...SECRETS.filter((secret) => answer.text.includes(secret)).map(() => `secret echoed for ${shown}`)];
  }

  it('random requests on every endpoint (fast-check)', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    console.log(`http fuzz seed ${seed} (FUZZ_SEED=${seed} replays it)`);
    const samples = fc.sample(fc.record({ method, path, query, headers, body }), { numRuns: 1_500, seed });
    const problems: string[] = [];
    for (let i = 0; i < samples.length; i += 16) {
      await Promise.all(
        samples.slice(i, i + 16).map(async (sample) => {
          const fullPath = sample.query ? `${sample.path}?${sample.query}` : sample.path;
          const hasBody = sample.method !== 'GET' && sample.method !== 'HEAD';
          try {
            problems.push(...problemsOf(fullPath, await send({ method: sample.method, path: fullPath, headers: sample.headers, body: hasBody ? sample.body : undefined })));
          } catch (error) {
            // Node's parser knows a fixed set of methods and may reset the connection on any other; and a
            // server answering early (404, 401, 415) closes with body bytes still unread, which resets the
            // connection (Linux sends RST), so a client still writing a large body sees ECONNRESET.
            const unreadBody = hasBody && (sample.body?.length ?? 0) > 16_384;
            if (METHODS.includes(sample.method) && !unreadBody) problems.push(`${String(error)} for ${sample.method} ${fullPath.slice(0, 120)}`);
          }
        }),
      );
    }
    expect(problems).toEqual([]);
    console.log(`http fuzz statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    expect(harness.connector.running).toBe(true);
    expect(unsafeEslCommands(harness.freeswitch)).toEqual([]);
  });

  it.each([
    `/webapi/${TOKEN}/makecallx`,
    `/webapi/${TOKEN}/makecall/extra`,
    `/${TOKEN}/recording`,
    `/${TOKEN}/recordings/x.mp3`,
    `/${TOKEN}`,
  ])('an unknown path holding the token, %s, answers 404 without echoing it', async (unknown) => {
    const answer = await send({ method: 'GET', path: unknown, headers: {} });
    expect(answer.status).toBe(404);
    expect(answer.text).not.toContain(TOKEN);
  });

  /** Writes raw bytes, reads until the server closes or goes quiet; returns every status line and the whole answer. */
  function raw(bytes: string | Buffer): Promise<{ statuses: number[]; text: string }> {
    return new Promise((resolve) => {
      const socket = connect(harness.connector.httpPort, '127.0.0.1');
      const chunks: Buffer[] = [];
      const finish = () => {
        socket.destroy();
        const text = Buffer.concat(chunks).toString('latin1');
        resolve({ statuses: [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((match) => Number(match[1])), text });
      };
      let quiet = setTimeout(finish, 1_500);
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        clearTimeout(quiet);
        quiet = setTimeout(finish, 300);
      });
      socket.on('error', finish);
      socket.on('close', finish);
      socket.write(bytes);
    });
  }

  const host = 'Host: 127.0.0.1\r\n';
  const malformed: Array<[string, string | Buffer]> = [
    ['a request line without version', `GET /webapi/${TOKEN}/makecall?first=101&second=7999\r\n\r\n`],
    ['HTTP/0.9', `GET /metrics\r\n`],
    ['an unknown HTTP version', `GET /health/live HTTP/7.3\r\n${host}\r\n`],
    ['garbage bytes', Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a])],
    ['a NUL in the path', `GET /${TOKEN}/recording/2026/11/29/call.mp3\0.txt HTTP/1.1\r\n${host}\r\n`],
    ['raw UTF-8 in the path', Buffer.concat([Buffer.from(`GET /${TOKEN}/recording/`), Buffer.from('звонок/☎.mp3'), Buffer.from(` HTTP/1.1\r\n${host}\r\n`)])],
    ['a 1 MB URL', `GET /webapi/${TOKEN}/makecall?first=101&second=${'9'.repeat(1 << 20)} HTTP/1.1\r\n${host}\r\n`],
    ['a 100 KB header', `GET /health/live HTTP/1.1\r\n${host}X-Big: ${'b'.repeat(100_000)}\r\n\r\n`],
    ['Content-Length and Transfer-Encoding together', `POST /webapi/${TOKEN}/makecall HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin/queues/api/queues HTTP/1.1\r\n${host}\r\n`],
    ['two different Content-Lengths', `POST /webapi/${TOKEN}/makecall HTTP/1.1\r\n${host}Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}`],
    ['a negative Content-Length', `POST /webapi/${TOKEN}/makecall HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: -1\r\n\r\n{}`],
    ['a non-numeric Content-Length', `POST /webapi/${TOKEN}/makecall HTTP/1.1\r\n${host}Content-Length: 1e3\r\n\r\n{}`],
    ['a huge Content-Length, few bytes sent', `POST /webapi/${TOKEN}/makecall HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n{"first":"101"`],
    ['a bad chunk size', `POST /webapi/${TOKEN}/makecall HTTP/1.1\r\n${host}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`],
    ['an unknown Transfer-Encoding', `POST /webapi/${TOKEN}/makecall HTTP/1.1\r\n${host}Transfer-Encoding: gzip, identity\r\n\r\n{}`],
    ['a header without colon', `GET /metrics HTTP/1.1\r\n${host}Broken header\r\n\r\n`],
    ['a header name with spaces and obs-fold', `GET /health/ready HTTP/1.1\r\n${host}X Y: z\r\nA: b\r\n  folded\r\n\r\n`],
    ['a bare LF request', `GET /health/live HTTP/1.1\nHost: x\n\n`],
    ['a lone CR in a header value', `GET /health/live HTTP/1.1\r\n${host}X-A: a\rb\r\n\r\n`],
    ['an absolute-form URL with the token', `GET http://evil.example/webapi/${TOKEN}/makecall?first=101&second=79991234567 HTTP/1.1\r\n${host}\r\n`],
    ['an asterisk-form OPTIONS', `OPTIONS * HTTP/1.1\r\n${host}\r\n`],
    ['a CONNECT', `CONNECT 127.0.0.1:22 HTTP/1.1\r\n${host}\r\n`],
    ['pipelined requests with a smuggling attempt', `GET /health/live HTTP/1.1\r\n${host}\r\nPOST /webapi/${TOKEN}/makecall?first=101&second=79991234567 HTTP/1.1\r\n${host}Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n`],
    ['a JSON body in UTF-16 with a lying charset', Buffer.concat([Buffer.from(`POST /webapi/${TOKEN}/makecall HTTP/1.1\r\n${host}Content-Type: application/json; charset=utf-16\r\nContent-Length: 26\r\n\r\n`), Buffer.from('{"first":"101"}', 'utf16le').subarray(0, 26)])],
    ['a deeply nested JSON body', `POST /webapi/${TOKEN}/makecall HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: 200000\r\n\r\n${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ['a 300 KB JSON body, over the body limit', `POST /webapi/${TOKEN}/makecall HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: 300012\r\n\r\n{"first":"${'1'.repeat(300_000)}"}`],
    ['basic auth with 10,000 colons and bad base64', `GET /admin/queues/api/queues HTTP/1.1\r\n${host}Authorization: Basic ${Buffer.from(':'.repeat(10_000)).toString('base64')}\r\nAuthorization: Basic ===\r\n\r\n`],
  ];

  it.each(malformed)('raw socket: %s', async (_name, bytes) => {
    const answer = await raw(bytes);
    for (const status of answer.statuses) expect(status === 503 || status < 500, answer.text.slice(0, 300)).toBe(true);
    for (const secret of SECRETS) expect(answer.text).not.toContain(secret);
    expect(harness.connector.running).toBe(true);
    expect((await send({ method: 'GET', path: '/health/live', headers: {} })).status).toBe(200);
  });

  it('afterwards: makecall still originates exactly one safe command, and the ESL wire saw nothing else', async () => {
    const answer = await send({ method: 'GET', path: `/webapi/${TOKEN}/makecall?first=101&second=%2B7%20(999)%20123-45-67`, headers: {} });
    expect(answer.status).toBe(200);
    await harness.freeswitch.waitForCommand(/^bgapi originate .*cc360_client=\+79991234567,/s);
    expect(unsafeEslCommands(harness.freeswitch)).toEqual([]);
    expect(harness.connector.exits).toEqual([]);
  });
});
