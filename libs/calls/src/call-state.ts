// The state of one call, kept between events. Plain JSON: the ingest stores it in Redis (with a TTL) so a
// connector restart in the middle of a call goes on where it was.
import type { AgentLegRole } from './agent-leg';
import type { ReportingPolicy } from './call-model-options';

/** What has been sent for one agent leg, and what is known to build its summary. */
export interface AgentLegState {
  readonly legId: string;
  readonly role: AgentLegRole;
  readonly extension: string;
  /** The CRM `callerid` for this leg: fixed when the leg is first seen so every notification agrees. */
  readonly otherParty: string;
  /** Our click-to-call rang the agent's own phone: reported as outgoing, no popup. */
  readonly clickToCall: boolean;
  /** When FreeSWITCH created the leg (µs), else arrival order: decides who gets a missed call. */
  readonly rank: number;
  ringingSent: boolean;
  answerSent: boolean;
  hangupSent: boolean;
  summarySent: boolean;
  answered: boolean;
  /** Lost a ring-group race (LOSE_RACE): not a missed call, no summary. */
  lostRace: boolean;
  /** CHANNEL_HANGUP_COMPLETE seen (or closed out): the leg is gone. */
  complete: boolean;
  /** The leg it was last bridged to: recordings made on that leg belong to this agent too. */
  bridgedTo?: string;
  answeredAtMicros?: number;
  lastEventMicros?: number;
  /** Talk time from the leg's CHANNEL_HANGUP_COMPLETE. */
  talkSec?: number;
  /** Raw Record-File-Path values (RECORD_STOP); mapped to public URLs after the model, in delivery. */
  recordings: string[];
  /** The leg is gone but its summary waits for a recording of its conversation to stop. */
  summaryHeld?: boolean;
}

/** A leg of the call that is no agent's phone: the caller, a gateway leg, a loopback or queue leg. */
export interface OtherLegState {
  complete: boolean;
  /** The party on that leg: the number calling in (inbound leg) or the number dialled (outbound leg). */
  number?: string;
  readonly direction?: 'inbound' | 'outbound';
}

export type CloseOutReason = 'core-restart' | 'gone-after-reconnect';

export interface CallState {
  /** The key the state is stored and indexed under: the id the call's first event named. */
  readonly callId: string;
  /** Our exported cc360_call_id once seen (before any notification went out): the CRM `id` then. */
  crmCallId?: string;
  /** FreeSWITCH instance (Core-UUID) the call lives on: a new core means the call is gone. */
  coreUuid?: string;
  agentLegs: Record<string, AgentLegState>;
  otherLegs: Record<string, OtherLegState>;
  /** An agent called another agent. */
  internal: boolean;
  missedSummarySent: boolean;
  /** Every leg seen is gone (the ingest may drop the state, keeping it a while against late duplicates). */
  closed: boolean;
  /** Recordings started (RECORD_START) and not stopped yet, with the leg recorded. A list, not an
   * object keyed by path: a path comes from FreeSWITCH and could be named like "__proto__". */
  recordingsRunning?: Array<{ path: string; legId: string }>;
  /** Paths whose RECORD_STOP was seen: a late (reordered) RECORD_START of one starts nothing. */
  recordingsStopped?: string[];
  /** Set when the call was closed out without its last events. */
  closedOut?: CloseOutReason;
  policy: ReportingPolicy;
}

export function newCallState(callId: string, coreUuid: string | undefined, policy: ReportingPolicy): CallState {
  return { callId, coreUuid, agentLegs: {}, otherLegs: {}, internal: false, missedSummarySent: false, closed: false, policy };
}

/** The CRM `id` of the call: one id for every agent leg in it. */
export function crmCallIdOf(state: CallState): string {
  return state.crmCallId ?? state.callId;
}

/** Every leg id the call knows (the ingest's leg index entries for this call). */
export function legIdsOfCall(state: CallState): string[] {
  return [...Object.keys(state.agentLegs), ...Object.keys(state.otherLegs)];
}
