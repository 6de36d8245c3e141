// Sends CC360 notifications to Creatio over HTTP (got + tough-cookie), in session or anonymous mode.
// It never retries on its own (the delivery layer does, in order); it classifies every failure instead.
import type { CrmNotification } from '@cc360/calls';
import { Logger, type LoggerService } from '@nestjs/common';
import got, { type Got, type Response } from 'got';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { cc360Path, cc360RequestOf, type Cc360Request } from './cc360-requests';
import { CreatioSession } from './creatio-session';
import { CrmRequestError, parseRetryAfter, reasonOfNetworkError, retryClassOfStatus } from './crm-errors';

export type CrmAuth = { mode: 'session'; username: string; password: string } | { mode: 'anonymous' };

export interface CrmClientOptions {
  /** e.g. https://mycompany.creatio.com */
  baseUrl: string;
  /** '/0' for Creatio on .NET Framework, '' on .NET Core. */
  pathPrefix: string;
  auth: CrmAuth;
  /** The CC360 "Who Calls Token": part of every URL, never logged. */
  token: string;
  timeoutMs: number;
  logger?: LoggerService;
}

export interface CrmAnswer {
  status: number;
  durationMs: number;
}

const LOGIN_PAGE = /\/Login\b|NuiLogin\.aspx/i;

export class CrmClient {
  private readonly http: Got;
  private readonly session: CreatioSession | undefined;
  private readonly baseUrl: string;
  private readonly agents = {
    http: new HttpAgent({ keepAlive: true, maxSockets: 256 }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
  };

  constructor(private readonly options: CrmClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.http = got.extend({
      timeout: { request: options.timeoutMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      agent: this.agents,
      headers: { 'user-agent': 'cc360-bridge' },
    });
    const logger = options.logger ?? new Logger('CrmClient');
    this.session =
      options.auth.mode === 'session'
        ? new CreatioSession(this.http, this.baseUrl, options.auth, logger)
        : undefined;
  }

  /** Login attempts so far (session mode). */
  get loginCount(): number {
    return this.session?.loginAttempts ?? 0;
  }

  /** Session mode: the last login attempt failed and none has succeeded since. */
  get loginFailing(): boolean {
    return this.session?.loginFailing ?? false;
  }

  /** Resolves on a 2xx answer; rejects with a classified CrmRequestError otherwise. */
  async send(notification: CrmNotification): Promise<CrmAnswer> {
    const request = cc360RequestOf(notification);
    const started = performance.now();
    if (!this.session) {
      const response = await this.call(request);
      return this.answerOf(request, response, started, false);
    }
    const ticket = await this.session.current();
    const first = await this.call(request, ticket.headers);
    if (!isSessionExpired(first)) {
      await this.session.absorb(ticket, first.headers['set-cookie']);
      return this.answerOf(request, first, started, false);
    }
    // One login shared by every request that found this session expired; none when a newer one exists.
    await this.session.renew(ticket.generation);
    const renewed = await this.session.current();
    const second = await this.call(request, renewed.headers);
    if (!isSessionExpired(second)) await this.session.absorb(renewed, second.headers['set-cookie']);
    return this.answerOf(request, second, started, true);
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private async call(request: Cc360Request, sessionHeaders?: Readonly<Record<string, string>>): Promise<Response<string>> {
    const mode = this.session ? 'session' : 'anonymous';
    const url = `${this.baseUrl}${cc360Path(mode, this.options.pathPrefix, this.options.token, request.cc360Method)}`;
    try {
      return await this.http(url, {
        method: request.method,
        searchParams: request.searchParams,
        json: request.body,
        headers: sessionHeaders,
        responseType: 'text',
      });
    } catch (error) {
      const reason = reasonOfNetworkError(error);
      throw new CrmRequestError(`${request.method} ${this.describe(request)} failed: ${reason}`, {
        retry: 'transient',
        reason,
      });
    }
  }

  private answerOf(request: Cc360Request, response: Response<string>, started: number, renewed: boolean): CrmAnswer {
    const status = response.statusCode;
    if (this.session && isSessionExpired(response)) {
      throw new CrmRequestError(
        `${request.method} ${this.describe(request)}: session expired${renewed ? ' again right after a fresh login' : ''}`,
        { retry: 'transient', reason: 'session-expired', status },
      );
    }
    // The CC360 answer body is not documented: any 2xx means the CRM took the notification.
    if (status >= 200 && status < 300) return { status, durationMs: performance.now() - started };
    const retry = status >= 300 && status < 400 ? 'permanent' : retryClassOfStatus(status);
    const retryAfterMs = parseRetryAfter(headerOf(response, 'retry-after'));
    const said = this.snippetOf(response.body);
    throw new CrmRequestError(`${request.method} ${this.describe(request)} answered HTTP ${status}${said ? `: ${said}` : ''}`, {
      retry,
      reason: `http-${status}`,
      status,
      retryAfterMs,
    });
  }

  /** The start of the CRM's answer, for the operator: one line, short, the token masked (it may echo the URL). */
  private snippetOf(body: string): string {
    return maskToken(body, this.options.token).replace(/\s+/g, ' ').trim().slice(0, 200);
  }

  /** The request as it may appear in logs: the token masked. */
  private describe(request: Cc360Request): string {
    const mode = this.session ? 'session' : 'anonymous';
    return `${this.baseUrl}${cc360Path(mode, this.options.pathPrefix, '***', request.cc360Method)}`;
  }
}

/** Creatio shows an expired session as 401, a redirect to its login page, or a 200 HTML login page. */
function isSessionExpired(response: Response<string>): boolean {
  const status = response.statusCode;
  if (status === 401) return true;
  if (status >= 300 && status < 400) return LOGIN_PAGE.test(headerOf(response, 'location') ?? '');
  if (status >= 200 && status < 300) {
    const type = headerOf(response, 'content-type') ?? '';
    return type.includes('text/html') || response.body.trimStart().startsWith('<');
  }
  return false;
}

function maskToken(text: string, token: string): string {
  if (!token) return text;
  let masked = text;
  for (const form of new Set([token, encodeURIComponent(token)])) masked = masked.split(form).join('***');
  return masked;
}

function headerOf(response: Response<string>, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
