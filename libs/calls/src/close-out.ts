// closeOutCall: a call that ended while we could not see it (FreeSWITCH restarted, or its legs were gone
// after a reconnect). Sends what its agents are still owed (hangup, summary, the missed call) with what
// is known, under the reporting policy the call's events were handled with. closeOutLegs does the same
// for some legs of a call that goes on (a transferred agent's leg ended while we could not see it).
import { CallProgress } from './call-progress';
import { stopAllRecordings, stopRecordingsOf } from './call-recordings';
import type { CallUpdate } from './call-reducer';
import type { CallState, CloseOutReason } from './call-state';

export function closeOutCall(previous: CallState, reason: CloseOutReason): CallUpdate {
  const legIds = [...Object.values(previous.agentLegs).map((agent) => agent.legId), ...Object.keys(previous.otherLegs)];
  const { state, progress } = closeOut(previous, new Set(legIds), stopAllRecordings);
  state.closedOut = reason;
  const closed = progress.updateClosed() || markClosed(state);
  return { state, notifications: progress.notifications(), closed };
}

/** The legs `goneLegIds` of a call ended unseen; the call itself may go on. */
export function closeOutLegs(previous: CallState, goneLegIds: ReadonlySet<string>): CallUpdate {
  const stopRecordings = (state: CallState) => goneLegIds.forEach((legId) => stopRecordingsOf(state, legId));
  const { state, progress } = closeOut(previous, goneLegIds, stopRecordings);
  const closed = progress.updateClosed();
  return { state, notifications: progress.notifications(), closed };
}

function closeOut(previous: CallState, goneLegIds: ReadonlySet<string>, stopRecordings: (state: CallState) => void): { state: CallState; progress: CallProgress } {
  const state = structuredClone(previous);
  const progress = new CallProgress(state);
  stopRecordings(state);
  for (const agent of Object.values(state.agentLegs)) {
    if (agent.complete || !goneLegIds.has(agent.legId)) continue;
    if (agent.answered && agent.talkSec === undefined && agent.answeredAtMicros !== undefined && agent.lastEventMicros !== undefined) {
      // Talk time up to the last event we saw of the leg: a lower bound, better than none.
      agent.talkSec = Math.max(0, Math.floor((agent.lastEventMicros - agent.answeredAtMicros) / 1e6));
    }
    progress.completed(agent);
  }
  for (const [legId, leg] of Object.entries(state.otherLegs)) if (goneLegIds.has(legId)) leg.complete = true;
  progress.sendHeldSummaries();
  progress.missedCall();
  return { state, progress };
}

/** A call with no legs at all (never happens from applyEvent) is closed too. */
function markClosed(state: CallState): boolean {
  state.closed = true;
  return true;
}
