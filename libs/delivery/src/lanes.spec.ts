import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deliveryJobId } from './delivery-job';
import { laneOf, laneQueueName } from './lanes';

describe('lanes', () => {
  it('pins a call to one lane, the same in every process', () => {
    expect(laneOf('8f0c1c9e-4a8e-4b7b-9d0e-2f4c8a1b2c3d', 32)).toBe(laneOf('8f0c1c9e-4a8e-4b7b-9d0e-2f4c8a1b2c3d', 32));
    expect(laneQueueName(7)).toBe('cc360-delivery-007');
  });

  it('spreads call ids evenly over the lanes', () => {
    const counts = new Array<number>(32).fill(0);
    for (let i = 0; i < 32_000; i++) counts[laneOf(randomUUID(), 32)]++;
    // 1,000 expected per lane; a lane with under 800 or over 1,200 would mean a skewed hash.
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1_200);
  });
});

describe('delivery job ids', () => {
  const base = { type: 'ringing', callId: 'call:1', eventName: 'ringing', callerId: '79991234567', user: '101', legId: 'leg-1' } as const;

  it('are stable for the same notification and never contain ":" (BullMQ refuses it)', () => {
    expect(deliveryJobId(base)).toBe(deliveryJobId({ ...base }));
    expect(deliveryJobId(base)).not.toContain(':');
  });

  it('differ for different notifications, also when escaping could collide', () => {
    const ids = new Set([
      deliveryJobId(base),
      deliveryJobId({ ...base, eventName: 'answer' }),
      deliveryJobId({ ...base, callId: 'call%3A1' }),
      deliveryJobId({ ...base, legId: 'leg-2' }),
      deliveryJobId({ type: 'summary', callId: 'call:1', callerId: '1', user: '101', legId: 'leg-1', direction: 'incoming', durationSec: 0, files: [] }),
    ]);
    expect(ids.size).toBe(5);
  });
});
