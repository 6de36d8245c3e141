// What FreeSWITCH answers to the connector's click-to-call commands in tests, and the strict pattern of
// every command line the connector may ever write on the ESL wire (anything else there is a failure).
import type { FreeswitchSimulator } from '../freeswitch-simulator';

export const CLICK_TO_CALL_DOMAIN = 'pbx.example.com';

/**
 * 101 and 102 exist and are registered, 103 exists without a registered phone, nothing else exists;
 * originate answers +OK with the call id. Returns the originate arguments received, in order.
 */
export function scriptClickToCallApis(freeswitch: FreeswitchSimulator): string[] {
  const originated: string[] = [];
  freeswitch.handleApi('global_getvar', (args) => (args === 'domain' ? CLICK_TO_CALL_DOMAIN : undefined));
  freeswitch.handleApi('user_exists', (args) => (/^id (101|102|103) /.test(args) ? 'true' : 'false'));
  freeswitch.handleApi('sofia_contact', (args) => (args.startsWith('*/103@') ? 'error/user_not_registered' : 'sofia/internal/sip:101@10.0.0.5:5060'));
  freeswitch.handleApi('originate', (args) => {
    originated.push(args);
    return `+OK ${/origination_uuid=([0-9a-f-]+)/.exec(args)?.[1] ?? ''}\n`;
  });
  return originated;
}

/** Every command line the connector may send with the harness's ESL password and the default dial string. */
export const SAFE_ESL_COMMAND = new RegExp(
  [
    '^auth esl-secret$',
    '^event json [A-Z_ ]+$',
    '^api global_getvar (core_uuid|domain)$',
    '^api show channels as json$',
    '^api user_exists id [0-9]{2,6} pbx\\.example\\.com$',
    '^api sofia_contact \\*/[0-9]{2,6}@pbx\\.example\\.com$',
    '^bgapi originate \\{origination_uuid=[0-9a-f-]{36},cc360_call_id=[0-9a-f-]{36},cc360_direction=outgoing,cc360_agent=[0-9]{2,6},' +
      'cc360_client=\\+?[0-9]{3,20},origination_caller_id_number=\\+?[0-9]{3,20},origination_caller_id_name=\\+?[0-9]{3,20},' +
      'export_vars=cc360_call_id\\}user/[0-9]{2,6}@pbx\\.example\\.com \\+?[0-9]{3,20} XML default\\nJob-UUID: [0-9a-f-]{36}$',
  ].join('|'),
);

/** Every command block the simulator received, parsed and raw, matches SAFE_ESL_COMMAND; returns the offenders. */
export function unsafeEslCommands(freeswitch: FreeswitchSimulator): string[] {
  const raw = Buffer.concat(freeswitch.rawReceived).toString('utf8').split('\n\n').filter(Boolean);
  return [...freeswitch.commands, ...raw].filter((command) => !SAFE_ESL_COMMAND.test(command));
}
