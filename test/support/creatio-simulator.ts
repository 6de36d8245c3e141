// A Creatio stand-in on loopback that behaves like the real one where the connector can tell:
// AuthService login with cookies, BPMCSRF checks, expired sessions (401, login redirect or HTML page),
// sliding session renewal, the CC360 endpoints in session and anonymous mode, and faults injected on
// demand. It records what it accepted and what it refused. No test framework imports: tests, benches
// and the demo all use it (plain `node` after compiling, too).
//
// Answers, in the order a request is checked:
//   unknown path or wrong prefix → 404 (HTML); session path without a live session → the expiry style
//   (401, 302 to /Login/NuiLogin.aspx, or a 200 HTML login page); live session but BPMCSRF header
//   missing or wrong → 401 (Creatio answers a CSRF failure with 401 whatever the expiry style);
//   wrong token → 403 (our choice: the real CC360 answer is not documented); unknown CC360 method → 404;
//   wrong verb → 405; otherwise 200 `{"success":true}`.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { FaultBook, type Fault, type FaultPicker } from './creatio/faults';
import { toNotification, type ReceivedNotification, type SimulatorRequest } from './creatio/received';
import { parseCookies, parseJson, readBody } from './creatio/wire';

export type { Fault, FaultPicker } from './creatio/faults';
export type { ReceivedNotification, SimulatorRequest } from './creatio/received';

export type ExpiryStyle = '401' | 'redirect' | 'html';

export interface CreatioSimulatorOptions {
  username?: string;
  password?: string;
  token?: string;
  /** '/0' (default) or '' for .NET Core. */
  pathPrefix?: string;
  /** How a request without a live session is answered (default '401'). */
  expiryStyle?: ExpiryStyle;
  /** Sessions expire this long after login (default: never). */
  sessionTtlMs?: number;
  /**
   * Like ASP.NET forms authentication: a request made after half the session's lifetime gets a fresh
   * `.ASPXAUTH` cookie (a new session with a full TTL); the old cookie still ends at its own expiry.
   */
  slidingExpiration?: boolean;
  /** Every CC360 answer waits this long (a real CRM takes a few ms to tens of ms). */
  latencyMs?: number;
  port?: number;
  /** The clock for session lifetimes and timed faults (default Date.now): tests move time without sleeping. */
  now?: () => number;
  /** Keep `accepted`/`refused` (default true). Long benchmarks turn it off and listen to the events instead. */
  record?: boolean;
}

type Configurable = 'password' | 'latencyMs' | 'expiryStyle' | 'sessionTtlMs' | 'slidingExpiration';

interface Settings {
  username: string;
  password: string;
  token: string;
  pathPrefix: string;
  expiryStyle: ExpiryStyle;
  sessionTtlMs?: number;
  slidingExpiration: boolean;
  latencyMs: number;
  record: boolean;
}

interface Session {
  csrf: string;
  expiresAt: number;
}

const LOGIN_PATH = '/ServiceModel/AuthService.svc/Login';
const CC360_PATH = /^(?<prefix>.*?)\/(?<service>rest\/OmniWhoCallsService|ServiceModel\/OmniWhoCallsService\.svc)\/(?<token>[^/]+)\/(?<method>[^/?]+)$/;
const VERB_OF: Record<string, string> = { RingingEventHandler: 'GET', PushHistoryData: 'POST' };
const LOGIN_PAGE = '<!DOCTYPE html><html><head><title>Creatio</title></head><body>Login</body></html>';

export class CreatioSimulator extends EventEmitter<{ accepted: [SimulatorRequest]; refused: [SimulatorRequest] }> {
  readonly accepted: SimulatorRequest[] = [];
  readonly refused: SimulatorRequest[] = [];
  /** Login requests received (whatever their outcome). */
  loginCount = 0;
  /** The login requests (with the credentials they carried: this is a test double), when recording. */
  readonly logins: SimulatorRequest[] = [];
  port = 0;
  private readonly sessions = new Map<string, Session>();
  private readonly now: () => number;
  private readonly faults: FaultBook<SimulatorRequest>;
  private readonly loginFaults: FaultBook<SimulatorRequest>;
  private readonly sockets = new Set<Socket>();
  private readonly settings: Settings;
  private server: Server | undefined;

  constructor(options: CreatioSimulatorOptions = {}) {
    super();
    this.settings = {
      username: options.username ?? 'Supervisor',
      password: options.password ?? 'Supervisor',
      token: options.token ?? 'cc360-test-token',
      pathPrefix: options.pathPrefix ?? '/0',
      expiryStyle: options.expiryStyle ?? '401',
      sessionTtlMs: options.sessionTtlMs,
      slidingExpiration: options.slidingExpiration ?? false,
      latencyMs: options.latencyMs ?? 0,
      record: options.record ?? true,
    };
    this.port = options.port ?? 0;
    this.now = options.now ?? Date.now;
    this.faults = new FaultBook(this.now);
    this.loginFaults = new FaultBook(this.now);
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
    return this.settings.token;
  }

  /** Sessions alive now. */
  get sessionCount(): number {
    const now = this.now();
    return [...this.sessions.values()].filter((session) => session.expiresAt > now).length;
  }

  /** Changes what the simulated CRM does: a password rotated, a slower CRM, another expiry style. */
  configure(changes: Partial<Pick<CreatioSimulatorOptions, Configurable>>): void {
    Object.assign(this.settings, changes);
  }

  /** Every session ends now, like a Creatio restart or a session timeout. */
  expireAllSessions(): void {
    this.sessions.clear();
  }

  /** Apply `fault` to the next `times` CC360 requests (optionally only those `match` selects). */
  failNext(times: number, fault: Fault, match?: (request: SimulatorRequest) => boolean): void {
    this.faults.next(times, fault, match);
  }

  /** Apply `fault` to every CC360 request for `ms` milliseconds (of the simulator's clock). */
  failFor(ms: number, fault: Fault, match?: (request: SimulatorRequest) => boolean): void {
    this.faults.during(ms, fault, match);
  }

  /** Apply `fault` to CC360 requests until clearFaults(). */
  failAlways(fault: Fault, match?: (request: SimulatorRequest) => boolean): void {
    this.faults.next(Infinity, fault, match);
  }

  /** `pick` chooses the fault (or none) for every CC360 request until clearFaults(). */
  failWhen(pick: FaultPicker<SimulatorRequest>): void {
    this.faults.when(pick);
  }

  /** Apply `fault` to the next `times` login requests. */
  failNextLogins(times: number, fault: Fault): void {
    this.loginFaults.next(times, fault);
  }

  clearFaults(): void {
    this.faults.clear();
    this.loginFaults.clear();
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
    const match = CC360_PATH.exec(url.pathname);
    const request: SimulatorRequest = {
      method: req.method ?? 'GET',
      cc360Method: match?.groups?.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: parseJson(rawBody),
      headers: req.headers,
      receivedAt: performance.timeOrigin + performance.now(),
      status: 0,
    };
    const isLogin = req.method === 'POST' && url.pathname === LOGIN_PATH;
    if (isLogin) {
      this.loginCount++;
      if (this.settings.record) this.logins.push(request);
    }
    const fault = (isLogin ? this.loginFaults : this.faults).take(request);
    if (await this.dropOrWait(fault, req)) return;
    if (!isLogin && this.settings.latencyMs > 0) await sleep(this.settings.latencyMs);
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = { 'content-type': fault.contentType ?? 'application/json; charset=utf-8' };
      if (fault.retryAfter) headers['retry-after'] = fault.retryAfter;
      request.status = fault.status;
      this.answer(res, isLogin ? undefined : request, fault.status, fault.body ?? '{"error":"injected"}', headers);
      return;
    }
    if (isLogin) this.login(request, res);
    else this.serveCc360(req, res, request, match?.groups);
  }

  /** Carries out a fault that is not an answer; true when the request is dropped (nobody will answer it). */
  private async dropOrWait(fault: Fault | undefined, req: IncomingMessage): Promise<boolean> {
    switch (fault?.kind) {
      case 'hang':
        return true;
      case 'reset':
        req.socket.destroy();
        return true;
      case 'delay':
        await sleep(fault.ms);
        return false;
      case 'hold':
        await fault.release.catch(() => undefined);
        return false;
      default:
        return false;
    }
  }

  private serveCc360(req: IncomingMessage, res: ServerResponse, request: SimulatorRequest, groups: Record<string, string> | undefined): void {
    if (!groups || groups.prefix !== this.settings.pathPrefix) {
      this.answer(res, request, 404, '<html><body>Not found</body></html>', { 'content-type': 'text/html' });
      return;
    }
    const headers: Record<string, string> = {};
    if (groups.service.startsWith('rest/')) {
      const cookies = parseCookies(req.headers.cookie);
      const sessionId = cookies['.ASPXAUTH'] ?? '';
      const session = this.sessions.get(sessionId);
      if (!session || session.expiresAt <= this.now()) {
        this.answerExpired(res, request);
        return;
      }
      if (req.headers.bpmcsrf !== session.csrf) {
        this.answer(res, request, 401, '{"Message":"Invalid CSRF token."}');
        return;
      }
      const renewed = this.slide(session);
      if (renewed) headers['set-cookie'] = `.ASPXAUTH=${renewed}; path=/; HttpOnly`;
    }
    if (safeDecode(groups.token) !== this.settings.token) {
      this.answer(res, request, 403, '{"error":"invalid token"}');
      return;
    }
    const verb = VERB_OF[request.cc360Method];
    if (!verb) {
      this.answer(res, request, 404, '{"error":"unknown method"}');
      return;
    }
    if (request.method !== verb) {
      this.answer(res, request, 405, '{"error":"method not allowed"}');
      return;
    }
    this.answer(res, request, 200, '{"success":true}', headers);
  }

  /** Sliding expiration: the id of a fresh session when this one is past half its lifetime. */
  private slide(session: Session): string | undefined {
    const ttl = this.settings.sessionTtlMs;
    if (!this.settings.slidingExpiration || ttl === undefined) return undefined;
    const now = this.now();
    if (session.expiresAt - now > ttl / 2) return undefined;
    const sessionId = randomBytes(16).toString('hex');
    this.sessions.set(sessionId, { csrf: session.csrf, expiresAt: now + ttl });
    return sessionId;
  }

  private answerExpired(res: ServerResponse, request: SimulatorRequest): void {
    switch (this.settings.expiryStyle) {
      case 'redirect':
        this.answer(res, request, 302, '', { location: `/Login/NuiLogin.aspx?ReturnUrl=${encodeURIComponent(request.path)}` });
        return;
      case 'html':
        this.answer(res, request, 200, LOGIN_PAGE, { 'content-type': 'text/html; charset=utf-8' });
        return;
      default:
        this.answer(res, request, 401, '{"Message":"Authentication failed."}');
    }
  }

  private login(request: SimulatorRequest, res: ServerResponse): void {
    request.status = 200;
    const credentials = request.body as { UserName?: unknown; UserPassword?: unknown } | undefined;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    if (credentials?.UserName !== this.settings.username || credentials?.UserPassword !== this.settings.password) {
      res.end(JSON.stringify({ Code: 1, Message: 'Invalid username or password specified.', Exception: null }));
      return;
    }
    const sessionId = randomBytes(16).toString('hex');
    const csrf = randomBytes(12).toString('base64url');
    const ttl = this.settings.sessionTtlMs ?? Number.MAX_SAFE_INTEGER / 2;
    this.sessions.set(sessionId, { csrf, expiresAt: this.now() + ttl });
    res.setHeader('set-cookie', [
      `BPMLOADER=${randomBytes(8).toString('hex')}; path=/; HttpOnly`,
      `.ASPXAUTH=${sessionId}; path=/; HttpOnly`,
      `BPMCSRF=${csrf}; path=/`,
      `UserName=${encodeURIComponent(this.settings.username)}; path=/`,
    ]);
    res.end(JSON.stringify({ Code: 0, Message: '', Exception: null, PasswordChangeUrl: null, RedirectUrl: null }));
  }

  /** Answers; a CC360 `request` is recorded as accepted (2xx, not an HTML page) or refused. */
  private answer(res: ServerResponse, request: SimulatorRequest | undefined, status: number, body: string, headers: Record<string, string> = {}): void {
    if (request) {
      request.status = status;
      const accepted = status >= 200 && status < 300 && !headers['content-type']?.includes('text/html');
      if (this.settings.record) (accepted ? this.accepted : this.refused).push(request);
      this.emit(accepted ? 'accepted' : 'refused', request);
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(body);
  }
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
