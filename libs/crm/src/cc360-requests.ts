// Where each CC360 notification goes and what it carries (see docs/cc360-call-events-api.md).
import type { CrmNotification } from '@cc360/calls';

export type Cc360Method = 'RingingEventHandler' | 'PushHistoryData';

export interface Cc360Request {
  method: 'GET' | 'POST';
  cc360Method: Cc360Method;
  searchParams: Record<string, string>;
  body?: { FILES: string[] };
}

export function cc360RequestOf(notification: CrmNotification): Cc360Request {
  if (notification.type === 'ringing') {
    return {
      method: 'GET',
      cc360Method: 'RingingEventHandler',
      searchParams: {
        id: notification.callId,
        eventName: notification.eventName,
        callerid: notification.callerId,
        user: notification.user,
      },
    };
  }
  return {
    method: 'POST',
    cc360Method: 'PushHistoryData',
    searchParams: {
      id: notification.callId,
      callerid: notification.callerId,
      user: notification.user,
      event: notification.direction,
      duration: String(Math.max(0, Math.round(notification.durationSec))),
    },
    body: { FILES: [...notification.files] },
  };
}

/** Session mode goes through /rest, anonymous mode through the .svc endpoint (creatio-notes). */
export function cc360Path(
  mode: 'session' | 'anonymous',
  pathPrefix: string,
  token: string,
  method: Cc360Method,
): string {
  const service = mode === 'session' ? 'rest/OmniWhoCallsService' : 'ServiceModel/OmniWhoCallsService.svc';
  return `${pathPrefix}/${service}/${encodeURIComponent(token)}/${method}`;
}
