// Notifications of whole calls, as the call model produces them, and checks on what the CRM received.
import type { CrmNotification } from '@cc360/calls';
import type { ReceivedNotification } from './creatio-simulator';

/** An answered incoming call for one agent: ringing, answer, hangup, summary. */
export function answeredCall(callId: string, user = '101', callerId = '79991234567'): CrmNotification[] {
  const legId = `${callId}-leg`;
  return [
    { type: 'ringing', callId, eventName: 'ringing', callerId, user, legId },
    { type: 'ringing', callId, eventName: 'answer', callerId, user, legId },
    { type: 'ringing', callId, eventName: 'hangup', callerId, user, legId },
    { type: 'summary', callId, callerId, user, direction: 'incoming', durationSec: 42, files: [], legId },
  ];
}

/** A short label per CRM request: `ringing`, `answer`, `hangup` or `summary`. */
export function stepOf(request: ReceivedNotification): string {
  return request.method === 'RingingEventHandler' ? String(request.eventName) : 'summary';
}

/** The steps each call id received, in arrival order. */
export function stepsByCall(received: readonly ReceivedNotification[]): Map<string, string[]> {
  const byCall = new Map<string, string[]>();
  for (const request of received) {
    const steps = byCall.get(request.id) ?? [];
    steps.push(stepOf(request));
    byCall.set(request.id, steps);
  }
  return byCall;
}

/** Collapses repeats of the same step in a row: what an at-least-once redelivery adds. */
export function withoutRedeliveries(steps: readonly string[]): string[] {
  return steps.filter((step, i) => i === 0 || steps[i - 1] !== step);
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
