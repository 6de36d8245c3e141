// The notifications of one call as its agent legs move on: per agent leg ringing < answer < hangup <
// summary, each at most once (the flags in the state make re-delivered events produce nothing), and a
// missing earlier step is sent first (an ANSWER seen before any ringing sends ringing, then answer).
import { crmCallIdOf, type AgentLegState, type CallState } from './call-state';
import type { CallSummary, CrmNotification, RingingEventName } from './notifications';

export class CallProgress {
  private readonly out: CrmNotification[] = [];

  constructor(readonly state: CallState) {}

  /** What to send: nothing at all for an internal call when internal calls are ignored. */
  notifications(): CrmNotification[] {
    return this.state.internal && this.state.policy.internalCalls === 'ignore' ? [] : this.out;
  }

  ringing(agent: AgentLegState): void {
    // No popup for the agent's own call; nothing after the hangup (a late CREATE of a reordered stream).
    if (agent.role !== 'incoming' || agent.ringingSent || agent.hangupSent) return;
    agent.ringingSent = true;
    this.send(agent, 'ringing');
  }

  answered(agent: AgentLegState, atMicros: number | undefined): void {
    if (!agent.answered) {
      agent.answered = true;
      agent.answeredAtMicros = atMicros;
    }
    if (agent.answerSent || agent.hangupSent || !this.reportsStates(agent)) return;
    this.ringing(agent);
    agent.answerSent = true;
    this.send(agent, 'answer');
  }

  hungUp(agent: AgentLegState): void {
    if (agent.hangupSent || !this.reportsStates(agent)) return;
    this.ringing(agent);
    agent.hangupSent = true;
    this.send(agent, 'hangup');
  }

  /**
   * The leg is gone: its summary, unless it is an unanswered incoming leg (those wait for
   * missedCall(): one missed call per call, not per phone) or lost a ring-group race.
   */
  completed(agent: AgentLegState): void {
    agent.complete = true;
    this.hungUp(agent);
    if (agent.summarySent || agent.lostRace) return;
    // A recording of this agent's conversation still running (on the caller's leg when the agent hung up
    // first): the summary waits for its RECORD_STOP, so it carries the file.
    agent.summaryHeld = this.recordingRunningFor(agent) || undefined;
    if (agent.summaryHeld) return;
    if (agent.role === 'outgoing') this.summary(agent, 'outgoing', agent.answered ? (agent.talkSec ?? 0) : 0);
    else if (agent.answered) this.summary(agent, 'incoming', agent.talkSec ?? 0);
  }

  /** Sends the summaries that were held for a recording which has stopped since. */
  sendHeldSummaries(): void {
    for (const agent of Object.values(this.state.agentLegs)) if (agent.summaryHeld) this.completed(agent);
  }

  private recordingRunningFor(agent: AgentLegState): boolean {
    return (this.state.recordingsRunning ?? []).some(({ legId }) => legId === agent.legId || legId === agent.bridgedTo);
  }

  /** When every incoming agent leg is gone and none answered: one missed call, for the first that rang. */
  missedCall(): void {
    if (this.state.missedSummarySent) return;
    const incoming = Object.values(this.state.agentLegs).filter((leg) => leg.role === 'incoming');
    if (incoming.length === 0 || incoming.some((leg) => leg.answered || !leg.complete)) return;
    const candidates = incoming.filter((leg) => !leg.lostRace && !leg.summarySent);
    if (candidates.length === 0) return;
    const first = candidates.reduce((a, b) => (b.rank < a.rank || (b.rank === a.rank && b.legId < a.legId) ? b : a));
    this.state.missedSummarySent = true;
    this.summary(first, 'incoming', 0);
  }

  /** Closed when every leg seen is gone; a leg seen later (a reordered stream) opens it again. */
  updateClosed(): boolean {
    const legs = [...Object.values(this.state.agentLegs), ...Object.values(this.state.otherLegs)];
    this.state.closed = legs.length > 0 && legs.every((leg) => leg.complete);
    return this.state.closed;
  }

  private reportsStates(agent: AgentLegState): boolean {
    return agent.role === 'incoming' || this.state.policy.notifyOutgoingStates;
  }

  private summary(agent: AgentLegState, direction: CallSummary['direction'], durationSec: number): void {
    agent.summarySent = true;
    this.out.push({
      type: 'summary',
      callId: crmCallIdOf(this.state),
      callerId: agent.otherParty,
      user: agent.extension,
      direction,
      durationSec,
      // Raw Record-File-Path values for now: delivery maps them to public URLs.
      files: [...agent.recordings],
      legId: agent.legId,
    });
  }

  private send(agent: AgentLegState, eventName: RingingEventName): void {
    this.out.push({ type: 'ringing', callId: crmCallIdOf(this.state), eventName, callerId: agent.otherParty, user: agent.extension, legId: agent.legId });
  }
}
