// A FreeSWITCH channel event as the call model sees it, and typed readers for the headers it uses.

export interface ChannelEvent {
  /** Event-Name, e.g. CHANNEL_CREATE. */
  readonly name: string;
  /** The event's headers (the JSON event's fields) as strings. */
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
  return legIdHeader(event, 'Unique-ID');
}

/**
 * A header that names a leg (`variable_originator` for a variable). Leg ids key the call state's plain
 * objects, so a value like `__proto__` or `constructor` would read and write Object.prototype: such a
 * value names no leg (FreeSWITCH's are UUIDs).
 */
export function legIdHeader(event: ChannelEvent, name: string): string | undefined {
  const value = header(event, name);
  return value === undefined || value in Object.prototype ? undefined : value;
}

/** Event-Date-Timestamp: when FreeSWITCH fired the event, µs since the epoch. */
export function eventTimeMicros(event: ChannelEvent): number | undefined {
  return positiveNumber(header(event, 'Event-Date-Timestamp'));
}

/** When FreeSWITCH created the leg (Caller-Channel-Created-Time, µs): the same on every event of the leg. */
export function legCreatedMicros(event: ChannelEvent): number | undefined {
  return positiveNumber(header(event, 'Caller-Channel-Created-Time'));
}

/** FreeSWITCH's own order of events (the ingest may reorder by it). */
export function eventSequenceOf(event: ChannelEvent): number | undefined {
  const value = Number(header(event, 'Event-Sequence'));
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** Hangup-Cause repeats on CHANNEL_HANGUP_COMPLETE; the JSON client keeps the first, equal to the variable. */
export function hangupCauseOf(event: ChannelEvent): string | undefined {
  return header(event, 'Hangup-Cause') ?? variable(event, 'hangup_cause');
}

export function wholeSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed >= 0 ? Math.floor(parsed) : undefined;
}

export function positiveNumber(value: string | undefined): number | undefined {
  const parsed = Number(value);
  return value !== undefined && Number.isFinite(parsed) && parsed > 0 ? parsed : undefined;
}

/** `101@pbx.example.com` → `101`. */
export function userPart(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const at = address.indexOf('@');
  return at > 0 ? address.slice(0, at) : address;
}
