// What cc360-bridge tells the CRM: the two CC360 requests, in the domain's words.

/** `eventName` of RingingEventHandler: the agent's phone rings, is picked up, the call ends. */
export type RingingEventName = 'ringing' | 'answer' | 'hangup';

/** `event` of PushHistoryData, from the agent's point of view. */
export type CallDirection = 'incoming' | 'outgoing';

/** RingingEventHandler: a popup state change for one agent. */
export interface RingingNotification {
  readonly type: 'ringing';
  /** The CRM `id`: one id for the whole call, shared by every agent leg in it. */
  readonly callId: string;
  readonly eventName: RingingEventName;
  /** The other party's number (`callerid`). */
  readonly callerId: string;
  /** The agent's extension (`user`), digits only. */
  readonly user: string;
  /** FreeSWITCH Unique-ID of the agent's leg: tells two legs of one agent in one call apart. */
  readonly legId: string;
}

/** PushHistoryData: the call summary (CDR) for one agent's part of the call. */
export interface CallSummary {
  readonly type: 'summary';
  readonly callId: string;
  readonly callerId: string;
  readonly user: string;
  readonly direction: CallDirection;
  /** Talk time in whole seconds (0 for a missed call). */
  readonly durationSec: number;
  /** Public URLs of the recordings of this agent's part of the call. */
  readonly files: readonly string[];
  readonly legId: string;
}

export type CrmNotification = RingingNotification | CallSummary;

/**
 * The identity of a notification within its call: the same event seen twice (a duplicate ESL event,
 * a second connector instance, a replay after reconnect) has the same identity and is delivered once.
 */
export function notificationIdentity(notification: CrmNotification): string {
  const what = notification.type === 'ringing' ? notification.eventName : 'summary';
  return `${what}.${notification.user}.${notification.legId}`;
}
