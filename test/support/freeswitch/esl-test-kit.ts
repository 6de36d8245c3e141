// Shared by the ESL specs: a logger that records its lines, and waiting for client events.
import type { LoggerService } from '@nestjs/common';
import type { EslClient, EslClientEvents } from '@cc360/esl';

export class RecordingLogger implements LoggerService {
  readonly lines: { level: string; message: string }[] = [];
  log(message: unknown): void {
    this.lines.push({ level: 'log', message: String(message) });
  }
  warn(message: unknown): void {
    this.lines.push({ level: 'warn', message: String(message) });
  }
  error(message: unknown): void {
    this.lines.push({ level: 'error', message: String(message) });
  }
  debug(message: unknown): void {
    this.lines.push({ level: 'debug', message: String(message) });
  }
  /** Lines at log/warn/error level (debug lines are for diagnosis and not counted). */
  get visible(): string[] {
    return this.lines.filter((line) => line.level !== 'debug').map((line) => line.message);
  }
}

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
