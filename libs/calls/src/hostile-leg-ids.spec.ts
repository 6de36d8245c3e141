// Leg ids come from FreeSWITCH headers and key the call state's plain objects: ids named like
// Object.prototype members (__proto__, constructor...) must not reach, or write to, Object.prototype.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CALL_MODEL_OPTIONS, MalformedChannelEventError, applyEvent, relatedLegIds, type ChannelEvent } from './index';
import { answeredIncomingCall } from './testing/call-scenarios';
import { play } from './testing/play-call';

const HOSTILE_IDS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

/** The call's events with its leg ids (`h-caller`, `h-101`) replaced in every header. */
function withLegIds(caller: string, agent: string): ChannelEvent[] {
  return answeredIncomingCall('h', '79991234567', '101', 7).map((event) => ({
    name: event.name,
    headers: Object.fromEntries(Object.entries(event.headers).map(([name, value]) => [name, value.split('h-caller').join(caller).split('h-101').join(agent)])),
  }));
}

describe('hostile leg ids', () => {
  it.each(HOSTILE_IDS.flatMap((caller) => HOSTILE_IDS.map((agent) => [caller, agent])))(
    'caller leg %s, agent leg %s: nothing lands on Object.prototype or Object',
    (caller, agent) => {
      const prototypeKeys = Object.getOwnPropertyNames(Object.prototype);
      const objectKeys = Object.getOwnPropertyNames(Object);
      try {
        play(withLegIds(caller, agent));
      } catch (error) {
        expect(error).toBeInstanceOf(MalformedChannelEventError);
      }
      expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(prototypeKeys);
      expect(Object.getOwnPropertyNames(Object)).toEqual(objectKeys);
    },
  );

  it('an event whose Unique-ID is __proto__ names no leg; hostile originators are not related legs', () => {
    const [create] = withLegIds('constructor', '__proto__').filter((event) => event.name === 'CHANNEL_CREATE' && event.headers['Unique-ID'] === '__proto__');
    expect(create).toBeDefined();
    expect(relatedLegIds(create as ChannelEvent)).toEqual([]);
    expect(() => applyEvent(undefined, create as ChannelEvent, DEFAULT_CALL_MODEL_OPTIONS)).toThrow(MalformedChannelEventError);
  });
});
