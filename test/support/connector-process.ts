// Runs the built connector (dist/) as a real child process, as operators run it: for kill -9,
// SIGTERM and restart tests. `npm test` builds before it tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from './free-port';

const MAIN = resolve(__dirname, '../../dist/apps/connector/src/main.js');

export class ConnectorProcess {
  private child: ChildProcess | undefined;
  private output = '';
  readonly exits: Array<{ code: number | null; signal: NodeJS.Signals | null }> = [];

  private constructor(
    readonly env: Record<string, string>,
    readonly httpPort: number,
    private readonly nodeArgs: readonly string[],
  ) {}

  /** `nodeArgs` go to node itself (e.g. --cpu-prof for a benchmark). */
  static async start(env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<ConnectorProcess> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does)`);
    const httpPort = Number(env.HTTP_PORT ?? (await freePort()));
    const connector = new ConnectorProcess({ ...env, HTTP_PORT: String(httpPort) }, httpPort, nodeArgs);
    await connector.spawn();
    return connector;
  }

  /** Everything the process wrote to stdout and stderr so far. */
  get logs(): string {
    return this.output;
  }

  /** The operating system's process id of the running connector. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async spawn(): Promise<void> {
    const child = spawn(process.execPath, [...this.nodeArgs, MAIN], {
      env: { PATH: process.env.PATH ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.once('exit', (code, signal) => this.exits.push({ code, signal }));
    await this.waitUntilLive(child);
  }

  /** SIGKILL: no shutdown hook runs, in-flight jobs are left locked in Redis. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM: the graceful shutdown path; resolves with the exit code. */
  async terminate(): Promise<number | null> {
    await this.signal('SIGTERM');
    return this.exits[this.exits.length - 1]?.code ?? null;
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    await new Promise<void>((resolveExit) => {
      child.once('exit', () => resolveExit());
      child.kill(signal);
    });
    this.child = undefined;
  }

  private async waitUntilLive(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`connector exited with ${child.exitCode}:\n${this.output}`);
      try {
        const answer = await fetch(`http://127.0.0.1:${this.httpPort}/health/live`);
        if (answer.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`connector did not become live within 20 s:\n${this.output}`);
  }
}
