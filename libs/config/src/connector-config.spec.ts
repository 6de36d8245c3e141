import { describe, expect, it } from 'vitest';
import { ConfigError, connectorVariables, loadConnectorConfig, parseDuration } from './index';

const minimal = {
  CRM_BASE_URL: 'https://crm.example.com/',
  CRM_USERNAME: 'Supervisor',
  CRM_PASSWORD: 'pa55word-secret',
  CC360_TOKEN: 'tok-123',
  PUBLIC_BASE_URL: 'https://pbx.example.com/',
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConnectorConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('connector configuration', () => {
  it('applies the documented defaults', () => {
    const config = loadConnectorConfig(minimal);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.crm.baseUrl).toBe('https://crm.example.com');
    expect(config.crm.pathPrefix).toBe('/0');
    expect(config.crm.auth).toEqual({ mode: 'session', username: 'Supervisor', password: 'pa55word-secret' });
    expect(config.crm.timeoutMs).toBe(10_000);
    expect(config.delivery.concurrency).toBe(32);
    expect(config.delivery.maxAgeMs).toBe(24 * 3_600_000);
    expect(config.httpPort).toBe(3000);
    expect(config.logLevel).toBe('info');
  });

  it('keeps an explicitly empty CRM_PATH_PREFIX for Creatio on .NET Core', () => {
    expect(loadConnectorConfig({ ...minimal, CRM_PATH_PREFIX: '' }).crm.pathPrefix).toBe('');
  });

  it('needs no credentials in anonymous mode', () => {
    const config = loadConnectorConfig({ CRM_BASE_URL: 'http://crm', CC360_TOKEN: 't', CRM_AUTH: 'anonymous', RECORDING_MODE: 'off' });
    expect(config.crm.auth).toEqual({ mode: 'anonymous' });
  });

  it('names every bad variable and what is expected, without echoing secrets', () => {
    const problems = problemsOf({
      CRM_BASE_URL: 'ftp://crm',
      CRM_AUTH: 'oauth',
      CRM_PASSWORD: 'hunter2-secret',
      DELIVERY_CONCURRENCY: 'many',
      DELIVERY_MAX_AGE: 'forever',
      HTTP_PORT: '70000',
    });
    const text = problems.join('\n');
    expect(text).toMatch(/CRM_BASE_URL must be a URL/);
    expect(text).toMatch(/CRM_AUTH must be one of session, anonymous, got "oauth"/);
    expect(text).toMatch(/CC360_TOKEN is required/);
    expect(text).toMatch(/DELIVERY_CONCURRENCY must be a whole number from 1 to 1024/);
    expect(text).toMatch(/DELIVERY_MAX_AGE must be a duration/);
    expect(text).toMatch(/HTTP_PORT must be a whole number from 1 to 65535/);
    expect(text).not.toContain('hunter2-secret');
  });

  it('needs PUBLIC_BASE_URL while recordings are on, and not with RECORDING_MODE=off', () => {
    const { PUBLIC_BASE_URL: _unused, ...withoutBase } = minimal;
    expect(problemsOf(withoutBase)).toEqual([expect.stringMatching(/^PUBLIC_BASE_URL is required while recordings are on/)]);
    expect(loadConnectorConfig({ ...withoutBase, RECORDING_MODE: 'off' }).recordings.mode).toBe('off');
    expect(loadConnectorConfig(minimal).recordings).toEqual({
      mode: 'dialplan', dir: '/var/lib/freeswitch/recordings', publicBaseUrl: 'https://pbx.example.com', linkTtlMs: undefined,
      maxDownloads: 32, maxBytesPerSecond: 40_000_000,
    });
    expect(loadConnectorConfig({ ...minimal, RECORDING_MAX_DOWNLOADS: '5', RECORDING_MAX_MB_PER_S: '0' }).recordings).toMatchObject({ maxDownloads: 5, maxBytesPerSecond: 0 });
    expect(problemsOf({ ...minimal, RECORDING_MAX_DOWNLOADS: '0', RECORDING_MAX_MB_PER_S: 'fast' })).toEqual([
      expect.stringMatching(/^RECORDING_MAX_DOWNLOADS must be/),
      expect.stringMatching(/^RECORDING_MAX_MB_PER_S must be/),
    ]);
    expect(problemsOf({ ...minimal, RECORDINGS_DIR: '/var/rec;rm -rf /' })).toEqual([expect.stringMatching(/^RECORDINGS_DIR must be an absolute path/)]);
  });

  it('takes FS_NODE_ID as a plain name, unset by default (one FreeSWITCH node)', () => {
    expect(loadConnectorConfig(minimal).freeswitch.nodeId).toBeUndefined();
    expect(loadConnectorConfig({ ...minimal, FS_NODE_ID: 'pbx-1.dc2' }).freeswitch.nodeId).toBe('pbx-1.dc2');
    expect(problemsOf({ ...minimal, FS_NODE_ID: 'pbx:1' })).toEqual([expect.stringMatching(/^FS_NODE_ID must be 1 to 64 letters/)]);
  });

  it('requires credentials in session mode', () => {
    const problems = problemsOf({ CRM_BASE_URL: 'http://crm', CC360_TOKEN: 't', RECORDING_MODE: 'off' });
    expect(problems).toEqual([
      expect.stringMatching(/^CRM_USERNAME is required/),
      expect.stringMatching(/^CRM_PASSWORD is required/),
    ]);
  });

  it('writes JSON logs unless pretty ones are asked for, and refuses other formats', () => {
    expect(loadConnectorConfig(minimal).logFormat).toBe('json');
    expect(loadConnectorConfig({ ...minimal, LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(problemsOf({ ...minimal, LOG_FORMAT: 'text' })).toEqual(['LOG_FORMAT must be one of json, pretty, got "text"']);
  });

  it('lists the variables it reads and those it requires, which depend on the settings', () => {
    const session = connectorVariables(minimal);
    expect(session.all).toEqual(expect.arrayContaining(['REDIS_URL', 'FS_ESL_PASSWORD', 'LOG_FORMAT', 'ADMIN_USER', 'CRM_PATH_PREFIX']));
    expect([...session.required].sort()).toEqual(['CC360_TOKEN', 'CRM_BASE_URL', 'CRM_PASSWORD', 'CRM_USERNAME', 'PUBLIC_BASE_URL']);
    const anonymousNoRecordings = connectorVariables({ ...minimal, CRM_AUTH: 'anonymous', RECORDING_MODE: 'off' });
    expect([...anonymousNoRecordings.required].sort()).toEqual(['CC360_TOKEN', 'CRM_BASE_URL']);
    expect(anonymousNoRecordings.all).not.toContain('CRM_USERNAME');
  });

  it('keeps call journals 3 days unless JOURNAL_TTL says otherwise; 0 turns the journal off; its Redis memory is capped', () => {
    expect(loadConnectorConfig(minimal).journalTtlMs).toBe(3 * 86_400_000);
    expect(loadConnectorConfig(minimal).journalMaxRedisBytes).toBe(512_000_000);
    expect(loadConnectorConfig({ ...minimal, JOURNAL_MAX_REDIS_MB: '0' }).journalMaxRedisBytes).toBe(0);
    expect(problemsOf({ ...minimal, JOURNAL_MAX_REDIS_MB: '-1' })).toEqual([expect.stringMatching(/^JOURNAL_MAX_REDIS_MB must be/)]);
    expect(loadConnectorConfig({ ...minimal, JOURNAL_TTL: '36h' }).journalTtlMs).toBe(36 * 3_600_000);
    expect(loadConnectorConfig({ ...minimal, JOURNAL_TTL: '0' }).journalTtlMs).toBe(0);
    expect(problemsOf({ ...minimal, JOURNAL_TTL: 'a week' })).toEqual([expect.stringMatching(/^JOURNAL_TTL must be a duration/)]);
    expect(problemsOf({ ...minimal, JOURNAL_TTL: '10s' })).toEqual([expect.stringMatching(/^JOURNAL_TTL must be a duration .*at least 60000 ms/)]);
    expect(problemsOf({ ...minimal, JOURNAL_TTL: '400d' })).toEqual([expect.stringMatching(/^JOURNAL_TTL must be at most 365d/)]);
  });

  it('reads how long a silent event socket is trusted (FS_ESL_SILENCE_TIMEOUT)', () => {
    expect(loadConnectorConfig(minimal).freeswitch.silenceTimeoutMs).toBe(60_000);
    expect(loadConnectorConfig({ ...minimal, FS_ESL_SILENCE_TIMEOUT: '5s' }).freeswitch.silenceTimeoutMs).toBe(5_000);
    expect(problemsOf({ ...minimal, FS_ESL_SILENCE_TIMEOUT: '200ms' })).toEqual([expect.stringMatching(/^FS_ESL_SILENCE_TIMEOUT/)]);
    expect(problemsOf({ ...minimal, FS_ESL_SILENCE_TIMEOUT: 'soon' })).toEqual([expect.stringMatching(/^FS_ESL_SILENCE_TIMEOUT must be a duration/)]);
  });

  it('parses durations', () => {
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('250')).toBe(250);
    expect(parseDuration('5 minutes')).toBeUndefined();
  });
});
