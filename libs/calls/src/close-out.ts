// closeOutCall: a call that ended while we could not see it (FreeSWITCH restarted, or its legs were gone
// after a reconnect). Sends what its agents are still owed (hangup, summary, the missed call) with what
// is known, under the reporting policy the call's events were handled with.
import { CallProgress } from './call-progress';
import { stopAllRecordings } from './call-recordings';
import type { CallUpdate } from './call-reducer';
import type { CallState, CloseOutReason } from './call-state';

export function closeOutCall(previous: CallState, reason: CloseOutReason): CallUpdate {
  const state = structuredClone(previous);
  const progress = new CallProgress(state);
  stopAllRecordings(state);
  for (const agent of Object.values(state.agentLegs)) {
    if (agent.complete) continue;
    if (agent.answered && agent.talkSec === undefined && agent.answeredAtMicros !== undefined && agent.lastEventMicros !== undefined) {
      // Talk time up to the last event we saw of the leg: a lower bound, better than none.
      agent.talkSec = Math.max(0, Math.floor((agent.lastEventMicros - agent.answeredAtMicros) / 1e6));
    }
    progress.completed(agent);
  }
  for (const leg of Object.values(state.otherLegs)) leg.complete = true;
  progress.sendHeldSummaries();
  progress.missedCall();
  state.closedOut = reason;
  const closed = progress.updateClosed() || markClosed(state);
  return { state, notifications: progress.notifications(), closed };
}

/** A call with no legs at all (never happens from applyEvent) is closed too. */
function markClosed(state: CallState): boolean {
  state.closed = true;
  return true;
}
