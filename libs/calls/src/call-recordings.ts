// Which recordings belong in which agent's summary: a recording belongs to the leg it was made on, or to
// the agents bridged to that leg. Running recordings are tracked so a summary can wait for its files.
import type { CallState } from './call-state';
import { header, variable, type ChannelEvent } from './channel-event';

export function recordingPathOf(event: ChannelEvent): string | undefined {
  return header(event, 'Record-File-Path') ?? variable(event, 'record_file_path');
}

export function recordingStarted(state: CallState, legId: string, event: ChannelEvent): void {
  const path = recordingPathOf(event);
  if (!path || state.recordingsStopped?.includes(path)) return;
  if (!state.recordingsRunning?.some((running) => running.path === path)) (state.recordingsRunning ??= []).push({ path, legId });
}

/**
 * A recording belongs to the agent leg it was made on; one made on another leg (the caller's) belongs
 * to the agents bridged to that leg, or failing that to every agent talking on the call.
 */
export function recordingStopped(state: CallState, legId: string, path: string | undefined): void {
  if (!path) return;
  state.recordingsRunning = state.recordingsRunning?.filter((running) => running.path !== path);
  if (!state.recordingsStopped?.includes(path)) (state.recordingsStopped ??= []).push(path);
  const own = state.agentLegs[legId];
  const open = Object.values(state.agentLegs).filter((leg) => !leg.summarySent);
  const bridgedToLeg = open.filter((leg) => leg.bridgedTo === legId);
  const owners = own ? [own] : bridgedToLeg.length > 0 ? bridgedToLeg : open.filter((leg) => leg.answered);
  for (const owner of owners) if (!owner.recordings.includes(path)) owner.recordings.push(path);
}

export function stopRecordingsOf(state: CallState, legId: string): void {
  for (const running of state.recordingsRunning ?? []) if (running.legId === legId) recordingStopped(state, legId, running.path);
}

/**
 * The leg a held summary waits on is bridged to someone else (a blind transfer): that agent's part of
 * its recording is over. The summary goes now with the file, which goes on recording the next agent.
 */
export function handOverRecordings(state: CallState, bridgedLegs: readonly string[]): void {
  for (const agent of Object.values(state.agentLegs)) {
    if (!agent.summaryHeld || !agent.bridgedTo || !bridgedLegs.includes(agent.bridgedTo) || bridgedLegs.includes(agent.legId)) continue;
    for (const { path, legId } of state.recordingsRunning ?? []) {
      if (legId === agent.bridgedTo && !agent.recordings.includes(path)) agent.recordings.push(path);
    }
    agent.bridgedTo = undefined;
  }
}

/** The call ends unseen (close-out): its running recordings end with it. */
export function stopAllRecordings(state: CallState): void {
  for (const { path, legId } of state.recordingsRunning ?? []) recordingStopped(state, legId, path);
}
