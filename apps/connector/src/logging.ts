// Structured JSON logs (pino): one line per event, request ids on HTTP lines, and the shared token that
// sits in the CRM's URL paths masked before anything is written.
import type { LogLevel } from '@cc360/config';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';

/** `/webapi/<token>/makecall?…` and `/<token>/recording/…` with the token replaced by `***`. */
export function maskTokenInUrl(url: string | undefined): string {
  return (url ?? '')
    .replace(/^\/webapi\/[^/?]*/, '/webapi/***')
    .replace(/^\/[^/?]+(?=\/recording\/)/, '/***');
}

const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

export function loggingParams(level: LogLevel): Params {
  return {
    pinoHttp: {
      level,
      genReqId: (req: IncomingMessage) => (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) || randomUUID(),
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: maskTokenInUrl(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // Probes hit these every few seconds: a line each would bury everything else.
      autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.has((req.url ?? '').split('?')[0]) },
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
  };
}
