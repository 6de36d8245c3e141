// A Creatio AuthService session: cookies in a jar (filled by the login), the BPMCSRF header, and one
// shared login at a time.
// Many requests find the session expired at once; they all wait on the same login, and a request that
// failed with an older session does not log in again when a newer one already exists.
import type { LoggerService } from '@nestjs/common';
import type { Got } from 'got';
import { CookieJar } from 'tough-cookie';
import { CrmRequestError, reasonOfNetworkError } from './crm-errors';

export interface CreatioCredentials {
  username: string;
  password: string;
}

/** The session a request goes out with: its generation (to tell an old session from a fresh one) and headers. */
export interface SessionTicket {
  readonly generation: number;
  readonly headers: Readonly<Record<string, string>>;
}

const LOGIN_PATH = '/ServiceModel/AuthService.svc/Login';
const FIRST_COOLDOWN_MS = 1_000;
const MAX_COOLDOWN_MS = 60_000;

interface LoginAnswer {
  Code?: unknown;
  Message?: unknown;
}

export class CreatioSession {
  readonly jar = new CookieJar();
  /** Increases with every successful login; 0 = never logged in. */
  private generation = 0;
  private loginInFlight: Promise<void> | undefined;
  private lastFailure: { at: number; cooldownMs: number; error: CrmRequestError } | undefined;
  private attempts = 0;
  private headers: Readonly<Record<string, string>> = {};

  constructor(
    private readonly http: Got,
    private readonly baseUrl: string,
    private readonly credentials: CreatioCredentials,
    private readonly logger: LoggerService,
  ) {}

  get loginAttempts(): number {
    return this.attempts;
  }

  /** The last login attempt failed (until one succeeds); readiness reports it. */
  get loginFailing(): boolean {
    return this.lastFailure !== undefined;
  }

  /**
   * The session a request is about to use (logs in first when there is none). Its headers carry the
   * cookies and the BPMCSRF header (the BPMCSRF cookie's value); they are read from the jar once per login
   * or cookie change, not per request: thousands of requests a second go out.
   */
  async current(): Promise<SessionTicket> {
    if (this.generation === 0) await this.renew(0);
    return { generation: this.generation, headers: this.headers };
  }

  /**
   * Keeps cookies a CC360 answer set: Creatio renews `.ASPXAUTH` on the way (sliding expiration), and a
   * client that ignored it would see its session end at the first cookie's expiry. Cookies from an answer
   * to an older session, or arriving while a login rebuilds the jar, are ignored: they would mix with the
   * fresh login's.
   */
  async absorb(ticket: SessionTicket, setCookie: readonly string[] | undefined): Promise<void> {
    if (!setCookie?.length || ticket.generation !== this.generation || this.loginInFlight) return;
    for (const cookie of setCookie) await this.jar.setCookie(cookie, this.baseUrl, { ignoreError: true });
    const headers = await this.headersFromJar();
    if (ticket.generation === this.generation && !this.loginInFlight) this.headers = headers;
  }

  /**
   * Logs in again because a request using `staleGeneration` found the session expired. Joins a login in
   * progress; does nothing when a newer session already exists.
   */
  async renew(staleGeneration: number): Promise<void> {
    if (this.generation > staleGeneration) return;
    if (!this.loginInFlight) {
      this.loginInFlight = this.loginRespectingCooldown().finally(() => {
        this.loginInFlight = undefined;
      });
    }
    await this.loginInFlight;
  }

  /** After a failed login, further logins wait (1 s doubling to 60 s): wrong credentials must not hammer the CRM. */
  private async loginRespectingCooldown(): Promise<void> {
    const failure = this.lastFailure;
    if (failure && Date.now() - failure.at < failure.cooldownMs) throw failure.error;
    try {
      await this.login();
      if (failure) this.logger.log(`Creatio login as "${this.credentials.username}" works again`);
      this.lastFailure = undefined;
    } catch (error) {
      const crmError =
        error instanceof CrmRequestError
          ? error
          : new CrmRequestError(`Creatio login failed: ${String(error)}`, { retry: 'transient', reason: 'login-failed' });
      const cooldownMs = failure ? Math.min(failure.cooldownMs * 2, MAX_COOLDOWN_MS) : FIRST_COOLDOWN_MS;
      if (!failure || failure.error.message !== crmError.message) this.logger.error(crmError.message);
      this.lastFailure = { at: Date.now(), cooldownMs, error: crmError };
      throw crmError;
    }
  }

  private async login(): Promise<void> {
    this.attempts++;
    await this.jar.removeAllCookies();
    const user = this.credentials.username;
    let response;
    try {
      response = await this.http.post(`${this.baseUrl}${LOGIN_PATH}`, {
        json: { UserName: user, UserPassword: this.credentials.password },
        headers: { ForceUseSession: 'true' },
        cookieJar: this.jar,
        responseType: 'text',
      });
    } catch (error) {
      const reason = reasonOfNetworkError(error);
      throw new CrmRequestError(`Creatio login for user "${user}" could not reach ${this.baseUrl}: ${reason}`, {
        retry: 'transient',
        reason: 'login-failed',
      });
    }
    const answer = parseLoginAnswer(response.body);
    const cookies = await this.jar.getCookies(this.baseUrl);
    const hasAuthCookie = cookies.some((cookie) => cookie.key === '.ASPXAUTH');
    if (response.statusCode !== 200 || answer?.Code !== 0 || !hasAuthCookie) {
      const why =
        response.statusCode !== 200
          ? `HTTP ${response.statusCode}`
          : answer?.Code !== 0
            ? `Code ${String(answer?.Code)}${typeof answer?.Message === 'string' && answer.Message ? `: ${answer.Message}` : ''}`
            : 'no .ASPXAUTH cookie in the answer';
      throw new CrmRequestError(`Creatio login failed for user "${user}" (${why})`, {
        retry: 'transient',
        reason: 'login-failed',
        status: response.statusCode,
      });
    }
    this.headers = await this.headersFromJar();
    this.generation++;
    this.logger.log(`Logged in to Creatio as "${user}"`);
  }

  private async headersFromJar(): Promise<Record<string, string>> {
    const cookies = await this.jar.getCookies(this.baseUrl);
    const bpmcsrf = cookies.find((cookie) => cookie.key === 'BPMCSRF')?.value;
    return {
      cookie: cookies.map((cookie) => cookie.cookieString()).join('; '),
      ...(bpmcsrf ? { BPMCSRF: bpmcsrf } : {}),
    };
  }
}

function parseLoginAnswer(body: string): LoginAnswer | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as LoginAnswer) : undefined;
  } catch {
    return undefined;
  }
}
