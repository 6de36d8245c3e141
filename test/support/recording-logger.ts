// A LoggerService that keeps every line, so tests can check what operators would read (and what they must not).
import type { LoggerService } from '@nestjs/common';

export class RecordingLogger implements LoggerService {
  readonly lines: Array<{ level: string; message: string }> = [];

  log(message: unknown): void {
    this.lines.push({ level: 'log', message: String(message) });
  }
  error(message: unknown): void {
    this.lines.push({ level: 'error', message: String(message) });
  }
  warn(message: unknown): void {
    this.lines.push({ level: 'warn', message: String(message) });
  }
  debug(message: unknown): void {
    this.lines.push({ level: 'debug', message: String(message) });
  }
  verbose(message: unknown): void {
    this.lines.push({ level: 'verbose', message: String(message) });
  }

  /** Lines at log/warn/error level (debug lines are for diagnosis and not counted). */
  get visible(): string[] {
    return this.lines.filter((line) => line.level !== 'debug' && line.level !== 'verbose').map((line) => line.message);
  }

  get text(): string {
    return this.lines.map((line) => `${line.level}: ${line.message}`).join('\n');
  }

  count(level: string, pattern: RegExp): number {
    return this.lines.filter((line) => line.level === level && pattern.test(line.message)).length;
  }
}
