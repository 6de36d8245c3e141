import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChannelEvent } from '@cc360/calls';
import { SequenceReorder } from './sequence-reorder';

const event = (sequence: number): ChannelEvent => ({ name: 'CHANNEL_CREATE', headers: { 'Event-Sequence': String(sequence) } });
const sequences = (events: ChannelEvent[]) => events.map((e) => Number(e.headers['Event-Sequence']));

describe('reordering by Event-Sequence', () => {
  it('releases events that arrived out of order within the window in sequence order', async () => {
    const released: ChannelEvent[] = [];
    const reorder = new SequenceReorder(20, (e) => released.push(e));
    for (const sequence of [3, 1, 2, 5, 4]) reorder.push(event(sequence));
    expect(released).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(sequences(released)).toEqual([1, 2, 3, 4, 5]);
  });

  it('never loses or duplicates an event, whatever the arrival order (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), { maxLength: 60 }), fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 60 }), (order, gaps) => {
        let clock = 0;
        const released: ChannelEvent[] = [];
        const reorder = new SequenceReorder(10, (e) => released.push(e), () => clock);
        order.forEach((sequence, i) => {
          clock += gaps[i] ?? 1;
          reorder.push(event(sequence));
        });
        reorder.flush();
        expect([...sequences(released)].sort((a, b) => a - b)).toEqual([...order].sort((a, b) => a - b));
      }),
    );
  });

  it('passes events straight through with a window of 0', () => {
    const released: ChannelEvent[] = [];
    const reorder = new SequenceReorder(0, (e) => released.push(e));
    for (const sequence of [3, 1, 2]) reorder.push(event(sequence));
    expect(sequences(released)).toEqual([3, 1, 2]);
  });
});
