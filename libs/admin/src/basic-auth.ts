// HTTP basic auth for the queue dashboard. Bull Board is mounted as Express middleware, where Nest guards
// never run, so the check has to sit in the middleware chain in front of it.
import { tokenMatches as sameSecret } from '@cc360/makecall';
import type { NextFunction, Request, Response } from 'express';

export function basicAuth(user: string, password: string) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const header = request.headers.authorization ?? '';
    const encoded = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header)?.[1];
    const decoded = encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const ok = colon > 0 && sameSecret(decoded.slice(0, colon), user) && sameSecret(decoded.slice(colon + 1), password);
    if (ok) {
      next();
      return;
    }
    response.status(401).set('WWW-Authenticate', 'Basic realm="cc360-bridge queues", charset="UTF-8"').json({ error: 'Authentication required' });
  };
}
