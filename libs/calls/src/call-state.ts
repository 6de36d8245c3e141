// The state of one call, kept between events. Plain JSON: the ingest stores it in Redis so a connector
// restart in the middle of a call continues where it was.
import type { AgentLegRole } from './agent-leg';

export interface AgentLegState {
  readonly legId: string;
  readonly role: AgentLegRole;
  readonly extension: string;
  otherParty: string;
  clickToCall: boolean;
  /** Order in which agent legs appeared in the call (the first one gets a missed-call summary). */
  readonly rank: number;
  ringingSent: boolean;
  answerSent: boolean;
  hangupSent: boolean;
  summarySent: boolean;
  answered: boolean;
  /** Lost a ring-group race: not a missed call. */
  lostRace: boolean;
  complete: boolean;
  answeredAtMicros?: number;
  lastEventMicros?: number;
  billsec?: number;
  recordings: string[];
}

export interface CallState {
  readonly callId: string;
  /** FreeSWITCH instance (Core-UUID) the call lives on: a new core means the call is gone. */
  coreUuid?: string;
  agentLegs: Record<string, AgentLegState>;
  /** Non-agent legs and whether they are complete (a call is closed when every leg is). */
  otherLegs: Record<string, { complete: boolean; callerNumber?: string }>;
  /** An agent called another agent. */
  internal: boolean;
  missedSummarySent: boolean;
  closed: boolean;
}

export function newCallState(callId: string, coreUuid: string | undefined): CallState {
  return { callId, coreUuid, agentLegs: {}, otherLegs: {}, internal: false, missedSummarySent: false, closed: false };
}
