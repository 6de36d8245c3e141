// Turns a `text/event-json` body into an EslEvent. Never throws: a body that is not a JSON object
// of strings comes back as a reason, and the client skips that one event.

export interface EslEvent {
  readonly name: string;
  /**
   * The event's JSON fields as strings, `_body` excluded. A multi-valued variable (a JSON array,
   * e.g. `variable_DP_MATCH: ["101","101"]`) keeps its FIRST value (joining would
   * invent a separator that a value may itself contain). Numbers/booleans (FreeSWITCH sends none) are stringified.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** `_body` (BACKGROUND_JOB output, CUSTOM payloads...). */
  readonly body?: string;
}

export type EslEventDecodeResult =
  | { readonly ok: true; readonly event: EslEvent }
  | { readonly ok: false; readonly reason: string };

export function decodeJsonEvent(text: string): EslEventDecodeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'event body is not valid JSON' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, reason: 'event body is not a JSON object' };
  }
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  let body: string | undefined;
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const text = headerText(value);
    if (text === undefined) continue;
    if (key === '_body') body = text;
    else headers[key] = text;
  }
  const eventName = headers['Event-Name'];
  if (!eventName) return { ok: false, reason: 'event without Event-Name' };
  const name = eventName === 'CUSTOM' && headers['Event-Subclass'] ? `CUSTOM ${headers['Event-Subclass']}` : eventName;
  return { ok: true, event: body === undefined ? { name, headers } : { name, headers, body } };
}

function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length > 0 ? headerText(value[0]) : '';
  return undefined;
}
