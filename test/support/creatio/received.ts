// What the Creatio simulator records about each CC360 request, and its compact form for assertions.
import type { IncomingHttpHeaders } from 'node:http';

export interface SimulatorRequest {
  /** HTTP verb. */
  method: string;
  /** The CC360 method from the path ('' when the path is not a CC360 one). */
  cc360Method: string;
  path: string;
  query: Record<string, string>;
  /** Parsed JSON, the raw text when it did not parse, undefined when empty. */
  body: unknown;
  headers: IncomingHttpHeaders;
  /** performance.timeOrigin + performance.now(): comparable across processes on one machine. */
  receivedAt: number;
  status: number;
}

/** A CC360 request in the words of the API. */
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

export function toNotification(request: SimulatorRequest): ReceivedNotification {
  const q = request.query;
  if (request.cc360Method === 'RingingEventHandler') {
    return { method: 'RingingEventHandler', id: q.id, eventName: q.eventName, callerid: q.callerid, user: q.user };
  }
  const files = (request.body as { FILES?: string[] } | undefined)?.FILES;
  return { method: 'PushHistoryData', id: q.id, event: q.event, callerid: q.callerid, user: q.user, duration: q.duration, files };
}
