// Structured JSON logs (pino; pretty lines only when LOG_FORMAT=pretty): one line per event, request ids
// on HTTP lines and in responses, and the shared token that sits in the CRM's URL paths masked before
// anything is written. Plain pino behind Nest's LoggerService
// rather than nestjs-pino: its request-scoped AsyncLocalStorage turns on promise hooks for the whole
// process, which cost a third of the connector's CPU on the event path (measured with the end-to-end
// benchmark, `npm run bench`).
import type { LogFormat, LogLevel } from '@cc360/config';
import type { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type DestinationStream, type Logger } from 'pino';
import pinoHttp, { type HttpLogger } from 'pino-http';
import pinoPretty from 'pino-pretty';

/** `/webapi/<token>/makecall?…` and `/<token>/recording/…` with the token replaced by `***`. */
export function maskTokenInUrl(url: string | undefined): string {
  return (url ?? '')
    .replace(/^\/webapi\/[^/?]*/, '/webapi/***')
    .replace(/^\/[^/?]+(?=\/recording\/)/, '/***');
}

const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * A caller's X-Request-Id is kept only when it is a plain token (letters, digits, `.`, `_`, `-`, at most
 * 64): it is written into log lines and sent back in a header, so anything else could forge log fields
 * or split headers. Otherwise the request gets a fresh UUID.
 */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestIdFor(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** `destination` is for tests; the service writes to stdout. */
export function createLogger(level: LogLevel, format: LogFormat, destination?: DestinationStream): Logger {
  const options = { level, base: { pid: process.pid } };
  if (format === 'json') return destination ? pino(options, destination) : pino(options);
  // Pretty lines are formatted in this thread (no transport worker): they are for a person at a terminal.
  return pino(options, pinoPretty({ colorize: !destination && process.stdout.isTTY, translateTime: 'SYS:standard', destination: destination ?? 1 }));
}

/** HTTP request lines: request id (also in the X-Request-Id response header), method, masked URL, status, time. */
export function httpLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = requestIdFor(req.headers['x-request-id']);
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: maskTokenInUrl(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // Probes hit these every few seconds: a line each would bury everything else.
    autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.has((req.url ?? '').split('?')[0]) },
  });
}

/** Nest's loggers (every `new Logger('Context')` in the libraries) write through pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, stackOrContext?: string, context?: string): void {
    this.logger.error({ context: context ?? stackOrContext, stack: context ? stackOrContext : undefined }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
  fatal(message: unknown, context?: string): void {
    this.logger.fatal({ context }, String(message));
  }
}
