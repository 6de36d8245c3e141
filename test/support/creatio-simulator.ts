// A Creatio stand-in on loopback that behaves like the real one where the connector can tell:
// AuthService login with cookies, BPMCSRF checks, expired sessions (401, login redirect or HTML page),
// the CC360 endpoints in session and anonymous mode, and faults injected on demand. It records what it
// accepted. No test framework imports: tests, benches and the demo all use it.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type ExpiryStyle = '401' | 'redirect' | 'html';

/** What to do with one request instead of answering it normally. */
export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'delay'; ms: number };

export interface SimulatorRequest {
  method: string;
  cc360Method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** performance.timeOrigin + performance.now(): comparable across processes on one machine. */
  receivedAt: number;
  status: number;
}

/** A CC360 request in the words of the API, for assertions. */
export interface ReceivedNotification {
  method: 'RingingEventHandler' | 'PushHistoryData';
  id: string;
  callerid: string;
  user: string;
  eventName?: string;
  event?: string;
  duration?: string;
  files?: string[];
}

export interface CreatioSimulatorOptions {
  username?: string;
  password?: string;
  token?: string;
  /** '/0' (default) or '' for .NET Core. */
  pathPrefix?: string;
  expiryStyle?: ExpiryStyle;
  /** Sessions expire this long after login (default: never). */
  sessionTtlMs?: number;
  /** Every CC360 answer waits this long (a real CRM takes a few ms to tens of ms). */
  latencyMs?: number;
  port?: number;
}

type FaultRule = { fault: Fault; remaining: number; until: number; match?: (request: SimulatorRequest) => boolean };

interface Session {
  csrf: string;
  expiresAt: number;
}

const CC360_PATH = /^(?<prefix>.*?)\/(?:rest\/OmniWhoCallsService|ServiceModel\/OmniWhoCallsService\.svc)\/(?<token>[^/]+)\/(?<method>[^/?]+)$/;

export class CreatioSimulator extends EventEmitter<{ accepted: [SimulatorRequest] }> {
  readonly accepted: SimulatorRequest[] = [];
  readonly refused: SimulatorRequest[] = [];
  loginCount = 0;
  private readonly sessions = new Map<string, Session>();
  private readonly faults: FaultRule[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private options: Required<Omit<CreatioSimulatorOptions, 'sessionTtlMs' | 'port'>> & { sessionTtlMs?: number };
  port = 0;

  constructor(options: CreatioSimulatorOptions = {}) {
    super();
    this.options = {
      username: options.username ?? 'Supervisor',
      password: options.password ?? 'Supervisor',
      token: options.token ?? 'cc360-test-token',
      pathPrefix: options.pathPrefix ?? '/0',
      expiryStyle: options.expiryStyle ?? '401',
      latencyMs: options.latencyMs ?? 0,
      sessionTtlMs: options.sessionTtlMs,
    };
    this.port = options.port ?? 0;
  }

  static async start(options: CreatioSimulatorOptions = {}): Promise<CreatioSimulator> {
    const simulator = new CreatioSimulator(options);
    await simulator.listen();
    return simulator;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get token(): string {
    return this.options.token;
  }

  /** Changes what the simulated CRM accepts: a password rotated, a slower CRM, another expiry style. */
  configure(changes: Partial<Pick<CreatioSimulatorOptions, 'password' | 'latencyMs' | 'expiryStyle' | 'sessionTtlMs'>>): void {
    Object.assign(this.options, changes);
  }

  /** Every session ends now, like a Creatio restart or a session timeout. */
  expireAllSessions(): void {
    this.sessions.clear();
  }

  /** Apply `fault` to the next `times` CC360 requests (optionally only those `match` selects). */
  failNext(times: number, fault: Fault, match?: (request: SimulatorRequest) => boolean): void {
    this.faults.push({ fault, remaining: times, until: Infinity, match });
  }

  /** Apply `fault` to every CC360 request for `ms` milliseconds. */
  failFor(ms: number, fault: Fault, match?: (request: SimulatorRequest) => boolean): void {
    this.faults.push({ fault, remaining: Infinity, until: Date.now() + ms, match });
  }

  /** Apply `fault` to CC360 requests until clearFaults(). */
  failAlways(fault: Fault, match?: (request: SimulatorRequest) => boolean): void {
    this.faults.push({ fault, remaining: Infinity, until: Infinity, match });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** The accepted CC360 requests in the words of the API, in arrival order. */
  received(): ReceivedNotification[] {
    return this.accepted.map(toNotification);
  }

  async waitForAccepted(count: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.accepted.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`Creatio simulator: ${this.accepted.length} of ${count} requests accepted after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private listen(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        const address = server.address();
        this.port = typeof address === 'object' && address ? address.port : this.port;
        resolve();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://creatio.local');
    const rawBody = await readBody(req);
    if (req.method === 'POST' && url.pathname === '/ServiceModel/AuthService.svc/Login') {
      this.login(rawBody, res);
      return;
    }
    const match = CC360_PATH.exec(url.pathname);
    const request: SimulatorRequest = {
      method: req.method ?? 'GET',
      cc360Method: match?.groups?.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: parseJson(rawBody),
      receivedAt: performance.timeOrigin + performance.now(),
      status: 0,
    };
    const fault = this.takeFault(request);
    if (fault?.kind === 'hang') return; // never answers: the client's timeout must fire
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    const delay = (fault?.kind === 'delay' ? fault.ms : 0) + this.options.latencyMs;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfter) headers['retry-after'] = fault.retryAfter;
      this.answer(res, request, fault.status, fault.body ?? '{"error":"injected"}', headers);
      return;
    }
    this.serveCc360(req, res, request, match?.groups);
  }

  private serveCc360(
    req: IncomingMessage,
    res: ServerResponse,
    request: SimulatorRequest,
    groups: Record<string, string> | undefined,
  ): void {
    if (!groups || groups.prefix !== this.options.pathPrefix) {
      this.answer(res, request, 404, '<html><body>Not found</body></html>', { 'content-type': 'text/html' });
      return;
    }
    if (decodeURIComponent(groups.token) !== this.options.token) {
      this.answer(res, request, 403, '{"error":"invalid token"}');
      return;
    }
    const anonymous = request.path.includes('/ServiceModel/OmniWhoCallsService.svc/');
    if (!anonymous && !this.sessionIsValid(req)) {
      this.answerExpired(res, request);
      return;
    }
    const expectedVerb = request.cc360Method === 'RingingEventHandler' ? 'GET' : request.cc360Method === 'PushHistoryData' ? 'POST' : '';
    if (!expectedVerb) {
      this.answer(res, request, 404, '{"error":"unknown method"}');
      return;
    }
    if (request.method !== expectedVerb) {
      this.answer(res, request, 405, '{"error":"method not allowed"}');
      return;
    }
    this.answer(res, request, 200, '{"success":true}');
  }

  private sessionIsValid(req: IncomingMessage): boolean {
    const cookies = parseCookies(req.headers.cookie);
    const session = this.sessions.get(cookies['.ASPXAUTH'] ?? '');
    if (!session || session.expiresAt < Date.now()) return false;
    // Creatio refuses a request whose BPMCSRF header does not match the session's with 401, too.
    return req.headers.bpmcsrf === session.csrf;
  }

  private answerExpired(res: ServerResponse, request: SimulatorRequest): void {
    switch (this.options.expiryStyle) {
      case 'redirect':
        this.answer(res, request, 302, '', { location: `/Login/NuiLogin.aspx?ReturnUrl=${encodeURIComponent(request.path)}` });
        return;
      case 'html':
        this.answer(res, request, 200, '<!DOCTYPE html><html><head><title>Creatio</title></head><body>Login</body></html>', {
          'content-type': 'text/html; charset=utf-8',
        });
        return;
      default:
        this.answer(res, request, 401, '{"Message":"Authentication failed."}');
    }
  }

  private login(rawBody: string, res: ServerResponse): void {
    this.loginCount++;
    const body = parseJson(rawBody) as { UserName?: unknown; UserPassword?: unknown } | undefined;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    if (body?.UserName !== this.options.username || body?.UserPassword !== this.options.password) {
      res.end(JSON.stringify({ Code: 1, Message: 'Invalid username or password specified.', Exception: null }));
      return;
    }
    const sessionId = randomBytes(16).toString('hex');
    const csrf = randomBytes(12).toString('base64url');
    const ttl = this.options.sessionTtlMs ?? Number.MAX_SAFE_INTEGER / 2;
    this.sessions.set(sessionId, { csrf, expiresAt: Date.now() + ttl });
    res.setHeader('set-cookie', [
      `BPMLOADER=${randomBytes(8).toString('hex')}; path=/; HttpOnly`,
      `.ASPXAUTH=${sessionId}; path=/; HttpOnly`,
      `BPMCSRF=${csrf}; path=/`,
      `UserName=${encodeURIComponent(this.options.username)}; path=/`,
    ]);
    res.end(JSON.stringify({ Code: 0, Message: '', Exception: null, PasswordChangeUrl: null, RedirectUrl: null }));
  }

  private takeFault(request: SimulatorRequest): Fault | undefined {
    const now = Date.now();
    for (let i = 0; i < this.faults.length; i++) {
      const rule = this.faults[i];
      if (rule.until < now || rule.remaining <= 0) {
        this.faults.splice(i--, 1);
        continue;
      }
      if (rule.match && !rule.match(request)) continue;
      rule.remaining--;
      return rule.fault;
    }
    return undefined;
  }

  private answer(res: ServerResponse, request: SimulatorRequest, status: number, body: string, headers: Record<string, string> = {}): void {
    request.status = status;
    if (status >= 200 && status < 300 && !headers['content-type']?.includes('text/html')) {
      this.accepted.push(request);
      this.emit('accepted', request);
    } else {
      this.refused.push(request);
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(body);
  }
}

function toNotification(request: SimulatorRequest): ReceivedNotification {
  const q = request.query;
  if (request.cc360Method === 'RingingEventHandler') {
    return { method: 'RingingEventHandler', id: q.id, eventName: q.eventName, callerid: q.callerid, user: q.user };
  }
  const files = (request.body as { FILES?: string[] } | undefined)?.FILES;
  return { method: 'PushHistoryData', id: q.id, event: q.event, callerid: q.callerid, user: q.user, duration: q.duration, files };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0) cookies[part.slice(0, index).trim()] = part.slice(index + 1).trim();
  }
  return cookies;
}
