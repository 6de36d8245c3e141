// Public API of the FreeSWITCH Event Socket adapter. Nothing outside libs/esl imports modesl or the wire parser.
export {
  EslClient,
  type EslClientEvents,
  type EslClientOptions,
  type EslConnectedInfo,
  type EslConnectionState,
  type EslCoreRestart,
} from './esl-client';
export {
  EslCommandError,
  EslCommandInjectionError,
  EslDisconnectedError,
  EslTimeoutError,
  assertSafeCommandArgument,
} from './esl-errors';
export type { EslEvent } from './esl-event';
