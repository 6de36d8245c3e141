/*
 * Inbound Event Socket client: one TCP connection to FreeSWITCH, kept alive forever (auth, JSON event
 * subscription, capped exponential backoff with jitter, heartbeat watchdog, Core-UUID tracking).
 *
 * modesl is used for the wire framing only (its Parser, guarded in esl-frame-parser.ts). Its
 * Connection (lib/esl/Connection.js, 1.2.1) is not used, because:
 * - no reconnect: on the socket's 'end' it emits 'esl::end' and sets its socket to null, and that is
 *   the end of that Connection; it does not even listen to 'close', so a reset socket (no FIN) never
 *   says 'esl::end' at all;
 * - callbacks that never fire: `api` and `sendRecv` push the callback on a FIFO (apiCallbackQueue,
 *   cmdCallbackQueue) that nothing flushes or fails when the socket drops, so a command in flight
 *   hangs forever; a command sent after 'end' throws inside `send` (null socket), is re-emitted as
 *   'error' (thrown by EventEmitter2 without a listener) and still leaves its callback queued;
 * - no timeouts: the only timer is in recvEventTimed; a reply that never comes is waited for forever,
 *   and with no timeout there is no way to keep a late reply from settling the next command;
 * - `api` gives no ordering guarantee on a disconnect: its callbacks (a FIFO kept apart from the
 *   command/reply one) are neither resolved nor rejected, so a caller gets no signal to order a retry
 *   after, and cannot tell "never sent" from "sent, answer lost";
 * - no types, raw command strings (a line break in an argument injects headers or commands), and
 *   socket errors re-emitted as 'error' on an EventEmitter2 (a crash without a listener).
 * So this adapter owns the connection lifecycle and the command FIFO (esl-command-queue.ts: a timeout
 * on every command, all pending commands rejected on disconnect). Nothing outside libs/esl imports modesl.
 */
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import type { LoggerService } from '@nestjs/common';
import { EslCommandQueue, type EslReply, type EslReplyType } from './esl-command-queue';
import { EslCommandInjectionError, EslDisconnectedError, assertSafeCommandArgument } from './esl-errors';
import { decodeJsonEvent, type EslEvent } from './esl-event';
import { EslFrameParser, type EslFrame } from './esl-frame-parser';

export type EslConnectionState = 'connecting' | 'authenticating' | 'connected' | 'disconnected' | 'auth-failed' | 'rejected';

export interface EslClientOptions {
  host: string;
  port: number;
  password: string;
  /** Subscribed with `event json <names...>`; HEARTBEAT and BACKGROUND_JOB are always added. */
  events: readonly string[];
  /** Default 10000. */
  commandTimeoutMs?: number;
  /** Default 60000 (three 20 s heartbeats): a socket silent that long is dead. */
  heartbeatTimeoutMs?: number;
  /** Capped exponential backoff with jitter; defaults 500 / 30000. */
  reconnect?: { initialDelayMs: number; maxDelayMs: number };
  logger?: LoggerService;
}

export interface EslConnectedInfo {
  /** FreeSWITCH's Core-UUID as of this connection (asked with `api global_getvar core_uuid`, else the last one seen). */
  readonly coreUuid?: string;
  readonly reconnect: boolean;
}

export interface EslCoreRestart {
  readonly previous: string;
  readonly current: string;
}

export interface EslClientEvents {
  event: [EslEvent];
  state: [EslConnectionState, string | undefined];
  connected: [EslConnectedInfo];
  'core-restart': [EslCoreRestart];
}

interface EslSession {
  readonly socket: Socket;
  readonly parser: EslFrameParser;
  readonly commands: EslCommandQueue;
  /** Why this session ended, for the one state log line. */
  closeReason: string | undefined;
}

const JOB_UUID_PATTERN = /[0-9A-Za-z][0-9A-Za-z-]{0,63}/;
const EVENT_NAME_PATTERN = /[A-Za-z0-9_:.]+/;
const CORE_UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const FAILURE_STATES: ReadonlySet<EslConnectionState> = new Set(['disconnected', 'auth-failed', 'rejected']);

export class EslClient extends EventEmitter<EslClientEvents> {
  private readonly commandTimeoutMs: number;
  private readonly heartbeatTimeoutMs: number;
  private readonly backoff: { initialDelayMs: number; maxDelayMs: number };
  private readonly subscribeLine: string;
  private currentState: EslConnectionState = 'disconnected';
  private currentCoreUuid: string | undefined;
  private session: EslSession | undefined;
  private running = false;
  private everConnected = false;
  private failedAttempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private closed: Promise<void> | undefined;
  private resolveClosed: (() => void) | undefined;

  /** The FreeSWITCH node this client follows, as host:port (for logs and metric labels; no secret in it). */
  get endpoint(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  constructor(private readonly options: EslClientOptions) {
    super();
    if (/[\r\n]/.test(options.password)) throw new EslCommandInjectionError('password');
    const names = [...new Set([...options.events, 'HEARTBEAT', 'BACKGROUND_JOB'])];
    names.forEach((name) => assertSafeCommandArgument(name, EVENT_NAME_PATTERN, 'event name'));
    this.subscribeLine = `event json ${names.join(' ')}`;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 10_000;
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 60_000;
    this.backoff = options.reconnect ?? { initialDelayMs: 500, maxDelayMs: 30_000 };
  }

  get state(): EslConnectionState {
    return this.currentState;
  }

  get coreUuid(): string | undefined {
    return this.currentCoreUuid;
  }

  /** Connects, and keeps reconnecting until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.setState('connecting', `${this.options.host}:${this.options.port}`, true);
    this.openSession();
  }

  /** Closes the connection, rejects pending commands, stops reconnecting. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.reconnectTimer);
    const session = this.session;
    if (!session) {
      this.setState('disconnected', 'stopped', true);
      return;
    }
    session.closeReason = 'stopped';
    session.commands.close('client stopped');
    session.socket.destroy();
    await this.closed;
  }

  /** `api <command>` → the api/response body. Rejects with EslCommandError when it starts with -ERR/-USAGE. */
  async api(command: string): Promise<string> {
    return (await this.send(`api ${command}`, verbOf('api', command))).text;
  }

  /** Any other command (`exit`, `filter ...`, `noevents`): answered by a command/reply, its Reply-Text. */
  async command(commandLine: string): Promise<string> {
    return (await this.send(commandLine, /^\S*/.exec(commandLine)?.[0] ?? 'command')).text;
  }

  /**
   * `bgapi <command>` with our Job-UUID header → the reply text (`+OK Job-UUID: <id>`).
   * The command's output comes later as a BACKGROUND_JOB 'event' carrying that Job-UUID.
   */
  async bgapi(command: string, jobUuid: string): Promise<string> {
    assertSafeCommandArgument(jobUuid, JOB_UUID_PATTERN, 'Job-UUID');
    return (await this.send(`bgapi ${command}`, verbOf('bgapi', command), `Job-UUID: ${jobUuid}`)).text;
  }

  private send(commandLine: string, verb: string, header?: string): Promise<EslReply> {
    // A line break would end the command early and smuggle in headers or a second command.
    if (/[\r\n]/.test(commandLine)) return Promise.reject(new EslCommandInjectionError(verb));
    const session = this.session;
    if (!session || this.currentState !== 'connected') {
      return Promise.reject(new EslDisconnectedError(verb, `connection is ${this.currentState}`));
    }
    return this.write(session, header ? `${commandLine}\n${header}` : commandLine, verb);
  }

  private write(session: EslSession, commandText: string, verb: string): Promise<EslReply> {
    const reply = session.commands.enqueue(verb, commandText.startsWith('api ') ? 'api/response' : 'command/reply');
    session.socket.write(`${commandText}\n\n`);
    return reply;
  }

  private openSession(): void {
    const socket = connect({ host: this.options.host, port: this.options.port });
    socket.setKeepAlive(true, 10_000);
    socket.setNoDelay(true);
    const session: EslSession = {
      socket,
      parser: new EslFrameParser(),
      commands: new EslCommandQueue(this.commandTimeoutMs),
      closeReason: undefined,
    };
    this.session = session;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.setState('connecting', `${this.options.host}:${this.options.port}`);
    this.handshakeTimer = setTimeout(() => this.drop(session, 'handshake timed out'), this.commandTimeoutMs);
    this.watchdog = setTimeout(() => this.drop(session, `no bytes for ${this.heartbeatTimeoutMs} ms`), this.heartbeatTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(session, chunk));
    socket.on('error', (error: Error) => (session.closeReason ??= error.message));
    socket.on('close', () => this.onClose(session));
  }

  private drop(session: EslSession, reason: string): void {
    session.closeReason ??= reason;
    session.socket.destroy();
  }

  private onData(session: EslSession, chunk: Buffer): void {
    this.watchdog?.refresh();
    for (const result of session.parser.push(chunk)) {
      // Dropped by an earlier frame of this chunk (a disconnect notice, a desync): the rest is not ours to act on.
      if (this.session !== session || session.socket.destroyed) return;
      if (result.kind === 'protocol-error') {
        this.options.logger?.warn(`ESL protocol error (${result.reason}); reconnecting`);
        this.drop(session, `protocol error: ${result.reason}`);
        return;
      }
      try {
        this.onFrame(session, result.frame);
      } catch (error) {
        // A throwing 'event' listener must not kill the connection's read loop (or the process).
        this.options.logger?.error(`ESL frame handling failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private onFrame(session: EslSession, frame: EslFrame): void {
    const contentType = frame.headers['Content-Type'];
    switch (contentType) {
      case 'auth/request':
        this.authenticate(session);
        return;
      case 'command/reply':
        this.settle(session, { text: frame.headers['Reply-Text'] ?? '', headers: frame.headers }, contentType);
        return;
      case 'api/response':
        this.settle(session, { text: frame.body ?? '', headers: frame.headers }, contentType);
        return;
      case 'text/event-json':
        this.onEventBody(frame.body ?? '');
        return;
      case 'text/rude-rejection':
        this.setState('rejected', 'refused by the event socket ACL (apply-inbound-acl)');
        this.drop(session, 'rude rejection');
        return;
      case 'text/disconnect-notice':
        this.drop(session, 'server sent disconnect-notice');
        return;
      default:
        // log/data, plain/xml events we never subscribe to, or a garbage frame: nothing to act on.
        this.options.logger?.debug?.(`ESL frame ignored (Content-Type ${contentType ?? 'missing'})`);
    }
  }

  private settle(session: EslSession, reply: EslReply, type: EslReplyType): void {
    if (!session.commands.settleOldest(reply, type)) {
      this.options.logger?.warn(`ESL ${type} without a command waiting for one; reconnecting to resynchronise`);
      this.drop(session, 'unexpected reply');
    }
  }

  private authenticate(session: EslSession): void {
    this.setState('authenticating', undefined);
    this.write(session, `auth ${this.options.password}`, 'auth').then(
      () => this.subscribe(session),
      (error: unknown) => {
        if (this.session !== session) return;
        if (error instanceof EslDisconnectedError) return; // the close handler reports it
        this.setState('auth-failed', 'FreeSWITCH refused the event socket password');
        this.drop(session, 'auth failed');
      },
    );
  }

  private subscribe(session: EslSession): void {
    this.write(session, this.subscribeLine, 'event').then(
      () => this.learnCoreUuid(session),
      (error: unknown) => {
        if (this.session !== session || error instanceof EslDisconnectedError) return;
        this.options.logger?.warn(`ESL event subscription failed: ${error instanceof Error ? error.message : String(error)}`);
        this.drop(session, 'subscription failed');
      },
    );
  }

  /**
   * Asks for the Core-UUID at once (FreeSWITCH sets the global `core_uuid` at startup) so a restart
   * is reported before 'connected', not at the next event (up to a 20 s heartbeat later). Best
   * effort: any failure but a disconnect leaves it to the events' Core-UUID header.
   */
  private learnCoreUuid(session: EslSession): void {
    const finish = (reply: string | undefined) => {
      if (this.session !== session) return;
      const coreUuid = reply?.trim();
      if (coreUuid && CORE_UUID_PATTERN.test(coreUuid)) this.noteCoreUuid(coreUuid);
      clearTimeout(this.handshakeTimer);
      this.failedAttempts = 0;
      const reconnect = this.everConnected;
      this.everConnected = true;
      this.setState('connected', undefined);
      this.emit('connected', this.currentCoreUuid === undefined ? { reconnect } : { coreUuid: this.currentCoreUuid, reconnect });
    };
    this.write(session, 'api global_getvar core_uuid', 'api global_getvar').then(
      (reply) => finish(reply.text),
      (error: unknown) => {
        if (error instanceof EslDisconnectedError) return;
        this.options.logger?.debug?.(`ESL Core-UUID query failed: ${error instanceof Error ? error.message : String(error)}`);
        finish(undefined);
      },
    );
  }

  private onEventBody(text: string): void {
    const decoded = decodeJsonEvent(text);
    if (!decoded.ok) {
      this.options.logger?.warn(`ESL event skipped: ${decoded.reason}`);
      return;
    }
    const coreUuid = decoded.event.headers['Core-UUID'];
    if (coreUuid) this.noteCoreUuid(coreUuid);
    this.emit('event', decoded.event);
  }

  private noteCoreUuid(current: string): void {
    const previous = this.currentCoreUuid;
    if (previous === current) return;
    this.currentCoreUuid = current;
    if (previous === undefined) return;
    this.options.logger?.warn(`FreeSWITCH restarted: Core-UUID ${previous} -> ${current}`);
    this.emit('core-restart', { previous, current });
  }

  private onClose(session: EslSession): void {
    if (this.session !== session) return;
    this.session = undefined;
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.watchdog);
    const reason = session.closeReason ?? 'connection closed by FreeSWITCH';
    session.commands.close(reason);
    this.resolveClosed?.();
    if (!this.running) {
      this.setState('disconnected', reason, true);
      return;
    }
    this.setState('disconnected', reason);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const ceiling = Math.min(this.backoff.maxDelayMs, this.backoff.initialDelayMs * 2 ** Math.min(this.failedAttempts, 30));
    this.failedAttempts++;
    // "Equal jitter": at least half the ceiling, so a fleet of bridges does not reconnect in lockstep.
    const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    this.reconnectTimer = setTimeout(() => {
      if (this.running) this.openSession();
    }, delay);
  }

  /**
   * One log line and one 'state' event per change of state. While retrying after a failure the
   * failure state is kept (no connecting/authenticating/disconnected churn per attempt), so a wrong
   * password or a dead server gives one line, not one per retry.
   */
  private setState(next: EslConnectionState, detail: string | undefined, force = false): void {
    const previous = this.currentState;
    if (previous === next) return;
    if (!force && FAILURE_STATES.has(previous) && next !== 'connected' && next !== 'auth-failed' && next !== 'rejected') return;
    this.currentState = next;
    const line = `ESL ${previous} -> ${next}${detail ? ` (${detail})` : ''}`;
    if (FAILURE_STATES.has(next)) this.options.logger?.warn(line);
    else this.options.logger?.log(line);
    this.emit('state', next, detail);
  }
}

/** The verb put in errors and logs: `api uuid_kill`, never the arguments (they may carry numbers or secrets). */
function verbOf(kind: 'api' | 'bgapi', command: string): string {
  const word = /^\S*/.exec(command)?.[0] ?? '';
  return word ? `${kind} ${word}` : kind;
}
