// Structured JSON logs (pino): one line per event, request ids on HTTP lines, and the shared token that
// sits in the CRM's URL paths masked before anything is written. Plain pino behind Nest's LoggerService
// rather than nestjs-pino: its request-scoped AsyncLocalStorage turns on promise hooks for the whole
// process, which cost a third of the connector's CPU on the event path (measured with bench/ingest).
import type { LogLevel } from '@cc360/config';
import type { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pino, { type Logger } from 'pino';
import pinoHttp, { type HttpLogger } from 'pino-http';

/** `/webapi/<token>/makecall?…` and `/<token>/recording/…` with the token replaced by `***`. */
export function maskTokenInUrl(url: string | undefined): string {
  return (url ?? '')
    .replace(/^\/webapi\/[^/?]*/, '/webapi/***')
    .replace(/^\/[^/?]+(?=\/recording\/)/, '/***');
}

const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { pid: process.pid } });
}

/** HTTP request lines: request id (X-Request-Id honoured), method, masked URL, status, time. */
export function httpLogger(logger: Logger): HttpLogger {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage) => (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) || randomUUID(),
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
