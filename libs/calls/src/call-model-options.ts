// How the call model reports calls: which legs are agents, and which calls and states reach the CRM.

export interface CallModelOptions {
  /** Which extensions are agents (default ^\d{2,6}$: CC360 maps users by digit-only extensions). */
  readonly agentExtensionPattern: RegExp;
  /** Also send answer and hangup for calls the agent places (never ringing: no popup for one's own call). */
  readonly notifyOutgoingStates: boolean;
  /** `ignore`: report nothing at all for a call between two agents. */
  readonly internalCalls: 'report' | 'ignore';
}

export const DEFAULT_CALL_MODEL_OPTIONS: CallModelOptions = {
  agentExtensionPattern: /^\d{2,6}$/,
  notifyOutgoingStates: false,
  internalCalls: 'report',
};

/** The JSON-storable part of the options, kept in the call state so a close-out reports like the events did. */
export interface ReportingPolicy {
  readonly notifyOutgoingStates: boolean;
  readonly internalCalls: 'report' | 'ignore';
}

export function reportingPolicyOf(options: CallModelOptions): ReportingPolicy {
  return { notifyOutgoingStates: options.notifyOutgoingStates, internalCalls: options.internalCalls };
}
