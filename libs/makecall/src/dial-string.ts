// The originate command for a click-to-call. The agent's phone rings first (showing the client's
// number); when the agent answers, FreeSWITCH dials the client through the dialplan, so the PBX's own
// outbound routes and gateways apply. The channel variables mark the call for the call model.
import { assertSafeCommandArgument } from '@cc360/esl';

export interface ClickToCall {
  callId: string;
  extension: string;
  number: string;
  domain: string;
}

const SAFE_VALUE = /[0-9A-Za-z+.\-_@]+/;

/** Variables set on the agent's leg; exported ones follow the call to the legs it creates. */
export function clickToCallVariables(call: ClickToCall): string {
  const vars = [
    `origination_uuid=${call.callId}`,
    `cc360_call_id=${call.callId}`,
    'cc360_direction=outgoing',
    `cc360_agent=${call.extension}`,
    `cc360_client=${call.number}`,
    `origination_caller_id_number=${call.number}`,
    `origination_caller_id_name=${call.number}`,
    'export_vars=cc360_call_id',
  ];
  return `{${vars.join(',')}}`;
}

/**
 * `originate {vars}user/<ext>@<domain> <number> XML <context>` by default; MAKECALL_DIAL_STRING may
 * replace it, e.g. `{vars}user/{extension}@{domain} &bridge(sofia/gateway/carrier/{number})`.
 */
export function originateCommand(call: ClickToCall, context: string, template?: string): string {
  assertSafeCommandArgument(call.extension, SAFE_VALUE, 'first');
  assertSafeCommandArgument(call.number, SAFE_VALUE, 'second');
  assertSafeCommandArgument(call.callId, SAFE_VALUE, 'call id');
  assertSafeCommandArgument(call.domain, SAFE_VALUE, 'domain');
  const vars = clickToCallVariables(call);
  if (!template) return `originate ${vars}user/${call.extension}@${call.domain} ${call.number} XML ${context}`;
  return `originate ${template
    .replaceAll('{vars}', vars)
    .replaceAll('{extension}', call.extension)
    .replaceAll('{number}', call.number)
    .replaceAll('{callId}', call.callId)
    .replaceAll('{domain}', call.domain)}`;
}
