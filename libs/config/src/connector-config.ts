// The connector's configuration: every environment variable, its default and its check, in one place.
import { EnvReader, type VariablesRead } from './env-reader';

export type CrmAuthMode = 'session' | 'anonymous';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
/** `json`: one JSON object a line, for log shippers; `pretty`: colored lines for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';

export interface ConnectorConfig {
  readonly redisUrl: string;
  readonly crm: {
    readonly baseUrl: string;
    readonly pathPrefix: string;
    readonly auth: { readonly mode: 'session'; readonly username: string; readonly password: string } | { readonly mode: 'anonymous' };
    readonly token: string;
    readonly timeoutMs: number;
  };
  readonly delivery: {
    readonly concurrency: number;
    readonly maxAgeMs: number;
    readonly retryInitialMs: number;
    readonly retryMaxMs: number;
    readonly dedupWindowMs: number;
    readonly takeoverAfterMs: number;
    readonly bufferMax: number;
  };
  readonly freeswitch: {
    readonly host: string;
    readonly port: number;
    readonly password: string;
    readonly passwordIsDefault: boolean;
    readonly reorderWindowMs: number;
    /** Names the FreeSWITCH node when several share one Redis: its calls' state is kept apart. */
    readonly nodeId: string | undefined;
    /** A socket that sends nothing (no event, no HEARTBEAT) this long is treated as dead. */
    readonly silenceTimeoutMs: number;
  };
  readonly calls: {
    readonly agentExtensionPattern: RegExp;
    readonly notifyOutgoingStates: boolean;
    readonly internalCalls: 'report' | 'ignore';
  };
  readonly makecall: {
    readonly token: string;
    readonly context: string;
    readonly dialString: string | undefined;
    readonly ratePerSecond: number;
  };
  readonly recordings: {
    readonly mode: 'dialplan' | 'connector' | 'off';
    readonly dir: string;
    readonly publicBaseUrl: string | undefined;
    readonly linkTtlMs: number | undefined;
    /** Downloads streaming at once (more get 503) and their total bandwidth (0: unlimited). */
    readonly maxDownloads: number;
    readonly maxBytesPerSecond: number;
  };
  /** How long each call's journal (the admin CLI's timeline) is kept; 0: no journal. */
  readonly journalTtlMs: number;
  /** The journal pauses while Redis uses more than this (0: only half of Redis maxmemory applies). */
  readonly journalMaxRedisBytes: number;
  /** Queue dashboard credentials; the dashboard is off without them. */
  readonly admin: { readonly user: string; readonly password: string } | undefined;
  readonly httpPort: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly shutdownTimeoutMs: number;
}

type Env = Readonly<Record<string, string | undefined>>;

export function loadConnectorConfig(env: Env = process.env): ConnectorConfig {
  const read = new EnvReader(env);
  const config = readConnectorConfig(read);
  read.done();
  return config;
}

/**
 * The variables the connector reads given `env` (which ones depends on settings such as CRM_AUTH and
 * RECORDING_MODE), and those it cannot start without; deployment files are checked against them.
 */
export function connectorVariables(env: Env): VariablesRead {
  const read = new EnvReader(env);
  readConnectorConfig(read);
  return read.variablesRead;
}

/** Reads and checks every variable; problems are collected in `read`, thrown by its done(). */
function readConnectorConfig(read: EnvReader): ConnectorConfig {
  const redisUrl = read.string('REDIS_URL', 'redis://127.0.0.1:6379');
  if (!/^rediss?:\/\/[^\s]+$/.test(redisUrl)) read.problem('REDIS_URL must be a redis:// or rediss:// URL');

  const baseUrl = read.url('CRM_BASE_URL', 'https://mycompany.creatio.com', ['http:', 'https:']);
  const pathPrefix = read.stringAllowEmpty('CRM_PATH_PREFIX', '/0');
  if (pathPrefix !== '' && !/^\/[A-Za-z0-9_-]+$/.test(pathPrefix)) {
    read.problem(`CRM_PATH_PREFIX must be "" or a path segment such as /0, got "${pathPrefix}"`);
  }
  const authMode = read.oneOf<CrmAuthMode>('CRM_AUTH', ['session', 'anonymous'], 'session');
  const auth =
    authMode === 'session'
      ? {
          mode: 'session' as const,
          username: read.required('CRM_USERNAME', 'the Creatio user the connector logs in as (CRM_AUTH=session)'),
          password: read.required('CRM_PASSWORD', 'that user\'s password (CRM_AUTH=session)'),
        }
      : { mode: 'anonymous' as const };
  const token = read.required('CC360_TOKEN', 'the "Who Calls Token" (Creatio system setting OmniWhoCallsToken)');
  if (token !== '' && !/^[\x21-\x7e]{1,256}$/.test(token)) {
    read.problem('CC360_TOKEN must be 1 to 256 printable ASCII characters without spaces');
  }
  const recordingMode = read.oneOf('RECORDING_MODE', ['dialplan', 'connector', 'off'] as const, 'dialplan');

  const config: ConnectorConfig = {
    redisUrl,
    crm: {
      baseUrl,
      pathPrefix,
      auth,
      token,
      timeoutMs: read.integer('CRM_TIMEOUT_MS', 10_000, 100, 300_000),
    },
    delivery: {
      concurrency: read.integer('DELIVERY_CONCURRENCY', 32, 1, 1024),
      maxAgeMs: read.duration('DELIVERY_MAX_AGE', '24h', 1_000),
      retryInitialMs: read.duration('DELIVERY_RETRY_INITIAL', '1s', 10),
      retryMaxMs: read.duration('DELIVERY_RETRY_MAX', '5m', 10),
      dedupWindowMs: read.duration('DELIVERY_DEDUP_WINDOW', '6h', 1_000),
      takeoverAfterMs: read.duration('DELIVERY_TAKEOVER_AFTER', '30s', 1_000),
      bufferMax: read.integer('DELIVERY_BUFFER_MAX', 100_000, 100, 10_000_000),
    },
    freeswitch: {
      host: read.string('FS_ESL_HOST', '127.0.0.1'),
      port: read.integer('FS_ESL_PORT', 8021, 1, 65535),
      password: read.string('FS_ESL_PASSWORD', 'ClueCon'),
      passwordIsDefault: read.string('FS_ESL_PASSWORD', 'ClueCon') === 'ClueCon',
      reorderWindowMs: read.integer('FS_EVENT_REORDER_MS', 5, 0, 1_000),
      nodeId: read.optional('FS_NODE_ID'),
      silenceTimeoutMs: read.duration('FS_ESL_SILENCE_TIMEOUT', '60s', 1_000),
    },
    calls: {
      agentExtensionPattern: agentPattern(read),
      notifyOutgoingStates: read.boolean('NOTIFY_OUTGOING_STATES', false),
      internalCalls: read.oneOf('INTERNAL_CALLS', ['report', 'ignore'] as const, 'report'),
    },
    makecall: {
      token: read.optional('WEBAPI_TOKEN') ?? token,
      context: read.string('MAKECALL_CONTEXT', 'default'),
      dialString: read.optional('MAKECALL_DIAL_STRING'),
      ratePerSecond: read.integer('MAKECALL_RATE_LIMIT', 10, 1, 100_000),
    },
    recordings: {
      mode: recordingMode,
      dir: read.string('RECORDINGS_DIR', '/var/lib/freeswitch/recordings'),
      publicBaseUrl: publicBaseUrl(read, recordingMode !== 'off'),
      linkTtlMs: read.optional('RECORDING_LINK_TTL') === undefined ? undefined : read.duration('RECORDING_LINK_TTL', '30d', 60_000),
      maxDownloads: read.integer('RECORDING_MAX_DOWNLOADS', 32, 1, 10_000),
      maxBytesPerSecond: read.integer('RECORDING_MAX_MB_PER_S', 40, 0, 100_000) * 1_000_000,
    },
    journalTtlMs: journalTtl(read),
    journalMaxRedisBytes: read.integer('JOURNAL_MAX_REDIS_MB', 512, 0, 1_000_000) * 1_000_000,
    admin: adminCredentials(read),
    httpPort: read.integer('HTTP_PORT', 3000, 1, 65535),
    logLevel: read.oneOf<LogLevel>('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace'], 'info'),
    logFormat: read.oneOf<LogFormat>('LOG_FORMAT', ['json', 'pretty'], 'json'),
    shutdownTimeoutMs: read.integer('SHUTDOWN_TIMEOUT_MS', 15_000, 0, 600_000),
  };
  if (/[\s\r\n]/.test(config.freeswitch.password)) read.problem('FS_ESL_PASSWORD must not contain spaces or line breaks');
  if (!/^[A-Za-z0-9.-]+$/.test(config.freeswitch.host)) read.problem(`FS_ESL_HOST must be a host name or IP address, got "${config.freeswitch.host}"`);
  if (config.freeswitch.nodeId !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(config.freeswitch.nodeId)) {
    read.problem('FS_NODE_ID must be 1 to 64 letters, digits, _ . - (the same on every connector of one FreeSWITCH node)');
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(config.makecall.context)) read.problem('MAKECALL_CONTEXT must be a dialplan context name (letters, digits, _ . -)');
  if (config.makecall.dialString !== undefined) {
    const template = config.makecall.dialString;
    if (/[\r\n]/.test(template)) read.problem('MAKECALL_DIAL_STRING must be one line');
    else if (!template.includes('{extension}') || !template.includes('{number}')) {
      read.problem('MAKECALL_DIAL_STRING must contain {extension} and {number} (also available: {vars} {callId} {domain})');
    }
  }
  if (config.recordings.publicBaseUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(config.recordings.publicBaseUrl)) {
    read.problem('PUBLIC_BASE_URL must be an http:// or https:// URL, e.g. https://pbx.example.com');
  }
  if (!/^\/[A-Za-z0-9_.\/-]*$/.test(config.recordings.dir) || config.recordings.dir.includes('..')) {
    read.problem('RECORDINGS_DIR must be an absolute path of letters, digits, _ . - and /');
  }
  if (config.delivery.retryMaxMs < config.delivery.retryInitialMs) {
    read.problem('DELIVERY_RETRY_MAX must not be shorter than DELIVERY_RETRY_INITIAL');
  }
  return config;
}

/** Required while recordings are on: the CRM fetches them through this address. */
function publicBaseUrl(read: EnvReader, recordingsOn: boolean): string | undefined {
  const value = recordingsOn
    ? read.required(
        'PUBLIC_BASE_URL',
        'how the CRM reaches this service, e.g. https://pbx.example.com; or set RECORDING_MODE=off',
        'while recordings are on (RECORDING_MODE dialplan or connector)',
      ) || undefined
    : read.optional('PUBLIC_BASE_URL');
  return value?.replace(/\/+$/, '');
}

/** AGENT_EXTENSION_PATTERN must compile, and should only ever match digits (CC360 maps digit extensions). */
function agentPattern(read: EnvReader): RegExp {
  const source = read.string('AGENT_EXTENSION_PATTERN', '^\\d{2,6}$');
  try {
    return new RegExp(source);
  } catch {
    read.problem(`AGENT_EXTENSION_PATTERN must be a regular expression such as ^\\d{2,6}$, got "${source}"`);
    return /^\d{2,6}$/;
  }
}

/** JOURNAL_TTL: a duration from a minute to a year, or 0 for no journal at all. */
function journalTtl(read: EnvReader): number {
  if (read.optional('JOURNAL_TTL') === '0') return 0;
  const ttlMs = read.duration('JOURNAL_TTL', '3d', 60_000);
  if (ttlMs > 365 * 86_400_000) read.problem('JOURNAL_TTL must be at most 365d (or 0 to turn the call journal off)');
  return ttlMs;
}

/** ADMIN_USER and ADMIN_PASSWORD go together; neither set turns the dashboard off. */
function adminCredentials(read: EnvReader): { user: string; password: string } | undefined {
  const user = read.optional('ADMIN_USER');
  const password = read.optional('ADMIN_PASSWORD');
  if (user === undefined && password === undefined) return undefined;
  if (user === undefined || password === undefined) {
    read.problem('ADMIN_USER and ADMIN_PASSWORD must be set together (or neither, which turns the queue dashboard off)');
    return undefined;
  }
  if (password.length < 8) read.problem('ADMIN_PASSWORD must be at least 8 characters');
  return { user, password };
}
