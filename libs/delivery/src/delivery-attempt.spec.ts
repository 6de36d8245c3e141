// What an attempt observer is told about each CRM request, and that observing changes nothing else.
import type { CrmNotification } from '@cc360/calls';
import { CrmRequestError } from '@cc360/crm';
import { describe, expect, it } from 'vitest';
import { sendObserved, type DeliveryAttempt } from './delivery-attempt';

const notification: CrmNotification = { type: 'ringing', callId: 'c', eventName: 'ringing', callerId: '7999', user: '101', legId: 'l' };

function observed(send: () => Promise<unknown>, attempt = 1): { seen: DeliveryAttempt[]; result: Promise<void> } {
  const seen: DeliveryAttempt[] = [];
  return { seen, result: sendObserved({ send }, notification, attempt, { attemptFinished: (report) => seen.push(report) }) };
}

describe('observed CRM requests', () => {
  it('reports the status of an answer, the attempt number, start and duration', async () => {
    const before = Date.now();
    const { seen, result } = observed(() => Promise.resolve({ status: 201, durationMs: 1 }), 3);
    await result;
    expect(seen).toEqual([{ notification, attempt: 3, startedAt: expect.any(Number), durationMs: expect.any(Number), outcome: { ok: true, status: 201 } }]);
    expect(seen[0].startedAt).toBeGreaterThanOrEqual(before);
    expect(seen[0].durationMs).toBeGreaterThanOrEqual(0);
  });

  it('reports the error class and status of a refusal, not its message, and rethrows the same error', async () => {
    const error = new CrmRequestError('answered HTTP 503: body quoting tok-secret', { retry: 'transient', reason: 'http-503', status: 503 });
    const { seen, result } = observed(() => Promise.reject(error));
    await expect(result).rejects.toBe(error);
    expect(seen.map((report) => report.outcome)).toEqual([{ ok: false, retry: 'transient', reason: 'http-503', status: 503 }]);
    expect(JSON.stringify(seen)).not.toContain('tok-secret');
  });

  it('calls a bug of ours an internal error, and sends plainly without an observer', async () => {
    const { seen, result } = observed(() => Promise.reject(new TypeError('x is undefined')));
    await expect(result).rejects.toThrow(TypeError);
    expect(seen[0].outcome).toEqual({ ok: false, retry: 'transient', reason: 'internal-error', status: undefined });
    let sent = 0;
    await sendObserved({ send: async () => void sent++ }, notification, 1, undefined);
    expect(sent).toBe(1);
  });
});
