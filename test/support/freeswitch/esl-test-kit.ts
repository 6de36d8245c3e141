// Shared by the ESL specs: a logger that records its lines, and waiting for client events.
import type { EslClient, EslClientEvents } from '@cc360/esl';

export { RecordingLogger } from '../recording-logger';

/** The next emission of `name` whose arguments pass `accept`. */
export function nextEmission<K extends keyof EslClientEvents>(
  client: EslClient,
  name: K,
  accept: (...args: EslClientEvents[K]) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<EslClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off(name, listener as never);
      reject(new Error(`timed out waiting for '${String(name)}'`));
    }, timeoutMs);
    const listener = (...args: EslClientEvents[K]) => {
      if (!accept(...args)) return;
      clearTimeout(timer);
      client.off(name, listener as never);
      resolve(args);
    };
    client.on(name, listener as never);
  });
}
