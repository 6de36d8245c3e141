/*
 * A fake FreeSWITCH event socket (inbound mode) on 127.0.0.1 that speaks the wire protocol byte for
 * byte like the 1.11.1 captures. Test support: no vitest imports, usable from plain node scripts.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { buildEvent } from './freeswitch/channel-events';
import {
  DISCONNECT_NOTICE_BODY,
  RUDE_REJECTION_BODY,
  apiResponseFrame,
  authRequestFrame,
  commandReplyFrame,
  jsonEventFrame,
  noticeFrame,
  plainEventFrame,
  seededRandom,
  splitAtRandom,
  type EventFields,
} from './freeswitch/wire';

export interface FreeswitchSimulatorOptions {
  /** Default 'ClueCon'. */
  password?: string;
  /** Answer every connection with text/rude-rejection and close (an ACL refusal). */
  rudeRejection?: boolean;
  /** HEARTBEAT every N ms to subscribed connections; off when absent (the default in tests). */
  heartbeatIntervalMs?: number;
  /** Cut every write at seeded random byte boundaries, each piece written on its own turn of the loop. */
  splitWrites?: { seed: number; maxChunkBytes?: number };
  coreUuid?: string;
}

/** Scripted api/bgapi answer: output text for `<name> <args>`; undefined falls through to the defaults. */
export type ApiHandler = (args: string, command: string) => string | undefined | Promise<string | undefined>;

export interface ApiHandlerOptions {
  /**
   * Runs like a slow `api` in FreeSWITCH (originate, ...): the command runs in the connection's own
   * thread, so that connection gets no events until the api/response is written; the events of that
   * time follow it, in order (see the api_originate capture). bgapi never holds events.
   */
  blocking?: boolean;
}

interface EventFilter {
  readonly header: string;
  readonly value: string;
}

interface SimulatedConnection {
  readonly socket: Socket;
  authenticated: boolean;
  format: 'json' | 'plain' | undefined;
  readonly subscriptions: Set<string>;
  /** `filter <header> <value>`: when any is set, only events matching one of them are sent (HEARTBEAT and BACKGROUND_JOB too). */
  readonly filters: EventFilter[];
  /** Event frames held back while a blocking api runs on this connection; undefined when none runs. */
  heldEvents: Buffer[] | undefined;
  silent: boolean;
  closing: boolean;
  pending: Buffer;
  /** Commands run one at a time, like FreeSWITCH's per-connection thread. */
  queue: Promise<void>;
  outbox: Buffer[];
  pumping: boolean;
}

export interface ChannelRow {
  readonly uuid: string;
  readonly direction: string;
  readonly name: string;
  readonly cid_num: string;
  readonly dest: string;
}

export class FreeswitchSimulator {
  readonly host = '127.0.0.1';
  /** Every command block received (first line plus its header lines, without the blank line), in order. */
  readonly commands: string[] = [];
  /** Every byte received, per connection, in order. */
  readonly rawReceived: Buffer[] = [];
  /** Total connections accepted so far. */
  acceptedConnections = 0;
  password: string;
  rudeRejection: boolean;
  private readonly server: Server;
  private readonly connections = new Set<SimulatedConnection>();
  private readonly apiHandlers = new Map<string, { handler: ApiHandler; blocking: boolean }>();
  private readonly channels = new Map<string, ChannelRow>();
  private readonly notifications = new EventEmitter();
  private readonly random: () => number;
  private currentCoreUuid: string;
  private sequence = 1;
  private heartbeat: NodeJS.Timeout | undefined;
  private listeningPort = 0;

  private constructor(private readonly options: FreeswitchSimulatorOptions) {
    this.password = options.password ?? 'ClueCon';
    this.rudeRejection = options.rudeRejection ?? false;
    this.currentCoreUuid = options.coreUuid ?? randomUUID();
    this.random = seededRandom(options.splitWrites?.seed ?? 1);
    this.server = createServer((socket) => this.accept(socket));
    this.notifications.setMaxListeners(0);
  }

  static async start(options: FreeswitchSimulatorOptions = {}): Promise<FreeswitchSimulator> {
    const simulator = new FreeswitchSimulator(options);
    await new Promise<void>((resolve, reject) => {
      simulator.server.once('error', reject);
      simulator.server.listen(0, '127.0.0.1', () => resolve());
    });
    simulator.listeningPort = (simulator.server.address() as AddressInfo).port;
    if (options.heartbeatIntervalMs) {
      simulator.heartbeat = setInterval(() => simulator.emit(buildEvent('HEARTBEAT')), options.heartbeatIntervalMs);
    }
    return simulator;
  }

  get port(): number {
    return this.listeningPort;
  }

  get coreUuid(): string {
    return this.currentCoreUuid;
  }

  /** Open, authenticated connections. */
  get authenticatedConnections(): number {
    return [...this.connections].filter((connection) => connection.authenticated).length;
  }

  /** Connections that get events right now: authenticated, subscribed and not silenced. */
  get subscribedConnections(): number {
    return [...this.connections].filter((connection) => connection.authenticated && connection.format && !connection.silent && !connection.socket.destroyed).length;
  }

  /** Channels alive per the CHANNEL_CREATE / CHANNEL_HANGUP_COMPLETE / CHANNEL_DESTROY events emitted. */
  get activeChannels(): readonly ChannelRow[] {
    return [...this.channels.values()];
  }

  /** Scripts `api <name> ...` and `bgapi <name> ...` (the bgapi output becomes the BACKGROUND_JOB body). */
  handleApi(name: string, handler: ApiHandler, options: ApiHandlerOptions = {}): void {
    this.apiHandlers.set(name, { handler, blocking: options.blocking ?? false });
  }

  /**
   * Sends an event to every subscribed connection, stamped like FreeSWITCH does: Core-UUID, dates,
   * an increasing Event-Sequence; a body becomes `Content-Length` + `_body`. Returns what was sent.
   */
  emit(event: EventFields, body?: string): Record<string, string | readonly string[]> {
    const stamped = this.stamp(event, body);
    this.trackChannel(stamped);
    const name = String(stamped['Event-Name']);
    const subclass = typeof stamped['Event-Subclass'] === 'string' ? stamped['Event-Subclass'] : undefined;
    for (const connection of this.connections) {
      if (!connection.authenticated || !connection.format || connection.silent) continue;
      const wanted = connection.subscriptions;
      if (!wanted.has('ALL') && !wanted.has(name) && !(subclass && wanted.has(subclass))) continue;
      if (!passesFilters(connection.filters, stamped)) continue;
      const frame = connection.format === 'json' ? jsonEventFrame(stamped) : plainEventFrame(stamped);
      if (connection.heldEvents) connection.heldEvents.push(frame);
      else this.write(connection, frame);
    }
    return stamped;
  }

  /** Writes raw bytes to every open connection (to inject malformed frames). */
  sendRaw(bytes: Buffer | string): void {
    for (const connection of this.connections) {
      if (!connection.silent) this.write(connection, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
    }
  }

  /** Closes every connection abruptly (no disconnect-notice), like a network failure. */
  dropConnections(): void {
    for (const connection of this.connections) connection.socket.destroy();
  }

  /** Closes one authenticated connection abruptly (by order of connecting): one client's network failure. */
  dropConnection(index: number): void {
    [...this.connections].filter((connection) => connection.authenticated)[index]?.socket.destroy();
  }

  /** A FreeSWITCH restart: new Core-UUID, sequence reset, channels gone, connections dropped. */
  restart(): void {
    this.currentCoreUuid = randomUUID();
    this.sequence = 1;
    this.channels.clear();
    this.dropConnections();
  }

  /** The current connections stop sending anything (sockets stay open): a hung FreeSWITCH or a dead link. */
  goSilent(): void {
    for (const connection of this.connections) connection.silent = true;
  }

  /** Resolves when a received command block matches (immediately if one already did). */
  waitForCommand(match: string | RegExp, timeoutMs = 5_000): Promise<string> {
    const test = (command: string) => (typeof match === 'string' ? command === match : match.test(command));
    return this.waitUntil(() => this.commands.find(test), timeoutMs, `command ${String(match)}`);
  }

  /** Resolves when at least `count` connections completed auth. */
  waitForAuthenticatedConnections(count: number, timeoutMs = 5_000): Promise<number> {
    const reached = () => (this.authenticatedConnections >= count ? this.authenticatedConnections : undefined);
    return this.waitUntil(reached, timeoutMs, `${count} authenticated connection(s)`);
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Resolves with the first defined value of `probe`, re-checked on every command/connection change and every 10 ms. */
  waitUntil<T>(probe: () => T | undefined, timeoutMs = 5_000, what = 'a condition'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = probe();
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`FreeSWITCH simulator: timed out waiting for ${what}`));
      }, timeoutMs);
      const poll = setInterval(check, 10);
      const cleanup = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.notifications.off('change', check);
      };
      this.notifications.on('change', check);
      check();
    });
  }

  private accept(socket: Socket): void {
    this.acceptedConnections++;
    const connection: SimulatedConnection = {
      socket,
      authenticated: false,
      format: undefined,
      subscriptions: new Set(),
      filters: [],
      heldEvents: undefined,
      silent: false,
      closing: false,
      pending: Buffer.alloc(0),
      queue: Promise.resolve(),
      outbox: [],
      pumping: false,
    };
    this.connections.add(connection);
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy()); // a client reset is routine here
    socket.on('close', () => {
      this.connections.delete(connection);
      this.notifications.emit('change');
    });
    if (this.rudeRejection) {
      this.write(connection, noticeFrame('text/rude-rejection', RUDE_REJECTION_BODY));
      this.closeAfterWrites(connection);
      return;
    }
    socket.on('data', (chunk: Buffer) => this.receive(connection, chunk));
    this.write(connection, authRequestFrame());
  }

  private receive(connection: SimulatedConnection, chunk: Buffer): void {
    this.rawReceived.push(chunk);
    connection.pending = Buffer.concat([connection.pending, chunk]);
    for (let end = connection.pending.indexOf('\n\n'); end !== -1; end = connection.pending.indexOf('\n\n')) {
      const block = connection.pending.subarray(0, end).toString('utf8');
      connection.pending = connection.pending.subarray(end + 2);
      if (block.trim() === '') continue;
      this.commands.push(block);
      this.notifications.emit('change');
      connection.queue = connection.queue.then(() => this.execute(connection, block));
    }
  }

  private async execute(connection: SimulatedConnection, block: string): Promise<void> {
    if (connection.closing) return;
    const [line = '', ...headerLines] = block.split('\n');
    const headers = new Map(headerLines.map((header) => [header.slice(0, header.indexOf(': ')), header.slice(header.indexOf(': ') + 2)]));
    const space = line.indexOf(' ');
    const verb = (space === -1 ? line : line.slice(0, space)).toLowerCase();
    const rest = space === -1 ? '' : line.slice(space + 1).trim();
    if (!connection.authenticated) {
      if (verb === 'auth' && rest === this.password) {
        connection.authenticated = true;
        this.write(connection, commandReplyFrame('+OK accepted'));
        this.notifications.emit('change');
      } else {
        this.write(connection, commandReplyFrame('-ERR invalid'));
        if (verb === 'auth') this.disconnect(connection);
      }
      return;
    }
    switch (verb) {
      case 'event': {
        const [format = '', ...names] = rest.split(/\s+/);
        if (format !== 'json' && format !== 'plain') return this.write(connection, commandReplyFrame('-ERR invalid format'));
        connection.format = format;
        names.forEach((name) => connection.subscriptions.add(name));
        return this.write(connection, commandReplyFrame(`+OK event listener enabled ${format}`));
      }
      case 'nixevent':
        rest.split(/\s+/).forEach((name) => connection.subscriptions.delete(name));
        return this.write(connection, commandReplyFrame('+OK events nixed'));
      case 'noevents':
        connection.subscriptions.clear();
        return this.write(connection, commandReplyFrame('+OK no longer listening for events'));
      case 'filter':
        return this.write(connection, commandReplyFrame(this.changeFilters(connection, rest)));
      case 'api':
        return this.runApiOn(connection, rest);
      case 'bgapi': {
        const jobUuid = headers.get('Job-UUID') ?? randomUUID();
        this.write(connection, commandReplyFrame(`+OK Job-UUID: ${jobUuid}`, { 'Job-UUID': jobUuid }));
        void this.runBackgroundJob(rest, jobUuid);
        return;
      }
      case 'exit':
        this.write(connection, commandReplyFrame('+OK bye'));
        return this.disconnect(connection);
      default:
        return this.write(connection, commandReplyFrame('-ERR command not found'));
    }
  }

  /** `filter <header> <value>` adds, `filter delete <header> [<value>]` removes (all of that header without a value). */
  private changeFilters(connection: SimulatedConnection, rest: string): string {
    const [first = '', ...others] = rest.split(' ');
    if (first === 'delete') {
      const [header = '', ...value] = others;
      const text = value.join(' ');
      const kept = connection.filters.filter((filter) => filter.header !== header || (text !== '' && filter.value !== text));
      connection.filters.splice(0, connection.filters.length, ...kept);
      return `+OK filter deleted. [${header}]=[${text}]`;
    }
    const value = others.join(' ');
    if (!first || !value) return '-ERR invalid syntax';
    connection.filters.push({ header: first, value });
    return `+OK filter added. [${first}]=[${value}]`;
  }

  private async runApiOn(connection: SimulatedConnection, command: string): Promise<void> {
    const name = command.split(' ', 1)[0] ?? '';
    if (!this.apiHandlers.get(name)?.blocking) return this.write(connection, apiResponseFrame(await this.runApi(command)));
    const held: Buffer[] = [];
    connection.heldEvents = held;
    try {
      this.write(connection, apiResponseFrame(await this.runApi(command)));
    } finally {
      connection.heldEvents = undefined;
      held.forEach((frame) => this.write(connection, frame));
    }
  }

  private async runBackgroundJob(command: string, jobUuid: string): Promise<void> {
    const output = await this.runApi(command);
    const space = command.indexOf(' ');
    this.emit(
      buildEvent('BACKGROUND_JOB', {
        'Job-UUID': jobUuid,
        'Job-Command': space === -1 ? command : command.slice(0, space),
        'Job-Command-Arg': space === -1 ? undefined : command.slice(space + 1),
        'Content-Length': undefined,
        _body: undefined,
      }),
      output,
    );
  }

  private async runApi(command: string): Promise<string> {
    const space = command.indexOf(' ');
    const name = space === -1 ? command : command.slice(0, space);
    const args = space === -1 ? '' : command.slice(space + 1);
    const scripted = await this.apiHandlers.get(name)?.handler(args, command);
    if (scripted !== undefined) return scripted;
    switch (name) {
      case 'global_getvar':
        return args === 'core_uuid' ? this.currentCoreUuid : '';
      case 'status':
        return 'UP 0 years, 0 days, 0 hours, 2 minutes, 8 seconds, 955 milliseconds, 551 microseconds\nFreeSWITCH (Version 1.11.1-release  64bit) is ready\n';
      case 'show':
        if (args === 'channels as json') {
          const rows = this.activeChannels;
          return rows.length === 0 ? '{"row_count": 0}\n' : JSON.stringify({ row_count: rows.length, rows });
        }
        return '-ERR unsupported show in simulator\n';
      case 'uuid_kill':
        return this.channels.has(args.split(' ')[0] ?? '') ? '+OK\n' : '-ERR No such channel!\n';
      default:
        return `-ERR ${name} Command not found!\n`;
    }
  }

  private stamp(event: EventFields, body: string | undefined): Record<string, string | readonly string[]> {
    const now = new Date();
    const pick = (name: string, fallback: string) => event[name] ?? fallback;
    const stamped: Record<string, string | readonly string[]> = {
      'Event-Name': pick('Event-Name', 'CUSTOM'),
      'Core-UUID': this.currentCoreUuid,
      'FreeSWITCH-Hostname': pick('FreeSWITCH-Hostname', 'pbx1'),
      'FreeSWITCH-Switchname': pick('FreeSWITCH-Switchname', 'fslab'),
      'FreeSWITCH-IPv4': pick('FreeSWITCH-IPv4', '192.0.2.2'),
      'FreeSWITCH-IPv6': pick('FreeSWITCH-IPv6', 'fd00::2'),
      'Event-Date-Local': now.toISOString().replace('T', ' ').slice(0, 19),
      'Event-Date-GMT': now.toUTCString(),
      'Event-Date-Timestamp': String(now.getTime() * 1000),
      'Event-Calling-File': pick('Event-Calling-File', 'switch_channel.c'),
      'Event-Calling-Function': pick('Event-Calling-Function', 'switch_channel_perform_set_running_state'),
      'Event-Calling-Line-Number': pick('Event-Calling-Line-Number', '1'),
      'Event-Sequence': String(this.sequence++),
    };
    for (const [name, value] of Object.entries(event)) if (!(name in stamped)) stamped[name] = value;
    if (body !== undefined) {
      stamped['Content-Length'] = String(Buffer.byteLength(body, 'utf8'));
      stamped['_body'] = body;
    }
    return stamped;
  }

  private trackChannel(event: EventFields): void {
    const uuid = event['Unique-ID'];
    if (typeof uuid !== 'string') return;
    const text = (name: string) => (typeof event[name] === 'string' ? (event[name] as string) : '');
    if (event['Event-Name'] === 'CHANNEL_CREATE') {
      this.channels.set(uuid, {
        uuid,
        direction: text('Call-Direction'),
        name: text('Channel-Name'),
        cid_num: text('Caller-Caller-ID-Number'),
        dest: text('Caller-Destination-Number'),
      });
    } else if (event['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE' || event['Event-Name'] === 'CHANNEL_DESTROY') {
      this.channels.delete(uuid);
    }
  }

  private disconnect(connection: SimulatedConnection): void {
    this.write(connection, noticeFrame('text/disconnect-notice', DISCONNECT_NOTICE_BODY));
    this.closeAfterWrites(connection);
  }

  private closeAfterWrites(connection: SimulatedConnection): void {
    connection.closing = true;
    this.flushThen(connection, () => connection.socket.end());
  }

  private write(connection: SimulatedConnection, bytes: Buffer): void {
    if (connection.silent || connection.socket.destroyed) return;
    const split = this.options.splitWrites;
    if (!split) {
      connection.socket.write(bytes);
      return;
    }
    connection.outbox.push(...splitAtRandom(bytes, this.random, split.maxChunkBytes ?? 64));
    this.pump(connection);
  }

  /** One piece per turn of the event loop, so the client really sees the splits as separate reads. */
  private pump(connection: SimulatedConnection): void {
    if (connection.pumping) return;
    connection.pumping = true;
    const next = () => {
      const piece = connection.outbox.shift();
      if (!piece || connection.socket.destroyed || connection.silent) {
        connection.pumping = false;
        connection.outbox = [];
        return;
      }
      connection.socket.write(piece);
      setImmediate(next);
    };
    setImmediate(next);
  }

  private flushThen(connection: SimulatedConnection, action: () => void): void {
    const wait = () => (connection.outbox.length === 0 && !connection.pumping ? action() : setImmediate(wait));
    wait();
  }
}

/** FreeSWITCH applies the filters with OR: an event passes when one filter's header has that value. */
function passesFilters(filters: readonly EventFilter[], event: Record<string, string | readonly string[]>): boolean {
  if (filters.length === 0) return true;
  return filters.some(({ header, value }) => {
    const actual = event[header];
    return typeof actual === 'string' ? actual === value : (actual?.includes(value) ?? false);
  });
}
