// Validation of the CRM's makecall request. Everything that reaches the ESL command line passes a strict
// whitelist here: a line break there would be a second ESL command (`api system ...` = code execution on the PBX).

export type MakecallRequestResult =
  | { ok: true; extension: string; number: string }
  | { ok: false; parameter: 'first' | 'second'; message: string };

/** Only ASCII digits reach FreeSWITCH; the extension pattern is applied on top. */
const EXTENSION_CHARSET = /^[0-9]{1,20}$/;
const NUMBER_FORMAT = /^\+?[0-9]{3,20}$/;
/** What people put in phone numbers: spaces, dashes, dots, brackets. */
const NUMBER_DECORATION = /[\s\-.()]/g;

export function parseMakecallRequest(first: unknown, second: unknown, agentExtension: RegExp): MakecallRequestResult {
  if (typeof first !== 'string' || !EXTENSION_CHARSET.test(first) || !agentExtension.test(first)) {
    return {
      ok: false,
      parameter: 'first',
      message: `"first" must be one agent extension made of digits matching ${agentExtension.source}`,
    };
  }
  if (typeof second !== 'string' || second.length > 64) {
    return { ok: false, parameter: 'second', message: '"second" must be one phone number of 3 to 20 digits, optionally with a leading +' };
  }
  const number = second.replace(NUMBER_DECORATION, '');
  if (!NUMBER_FORMAT.test(number)) {
    return { ok: false, parameter: 'second', message: '"second" must be one phone number of 3 to 20 digits, optionally with a leading +' };
  }
  return { ok: true, extension: first, number };
}
