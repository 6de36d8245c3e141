// A FreeSWITCH channel event as the call model sees it, and typed readers for the headers it uses.

export interface ChannelEvent {
  /** Event-Name, e.g. CHANNEL_CREATE. */
  readonly name: string;
  /** The event's headers (JSON event fields) as strings. */
  readonly headers: Readonly<Record<string, string>>;
}

export function header(event: ChannelEvent, name: string): string | undefined {
  const value = event.headers[name];
  return value === undefined || value === '' ? undefined : value;
}

export function variable(event: ChannelEvent, name: string): string | undefined {
  return header(event, `variable_${name}`);
}

export function legIdOf(event: ChannelEvent): string | undefined {
  return header(event, 'Unique-ID');
}

/** Event-Date-Timestamp: microseconds since the epoch, when FreeSWITCH fired the event. */
export function eventTimeMicros(event: ChannelEvent): number | undefined {
  const value = Number(header(event, 'Event-Date-Timestamp'));
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

export function eventSequenceOf(event: ChannelEvent): number | undefined {
  const value = Number(header(event, 'Event-Sequence'));
  return Number.isSafeInteger(value) ? value : undefined;
}

export function wholeSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed >= 0 ? Math.floor(parsed) : undefined;
}

/** `101@pbx.example.com` → `101`. */
export function userPart(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const at = address.indexOf('@');
  return at > 0 ? address.slice(0, at) : address;
}
