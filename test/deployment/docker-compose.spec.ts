// No Docker engine runs here, so the compose file is checked as data: it parses, the connector's
// environment passes the real configuration check, and ports and service names line up.
import { loadConnectorConfig } from '@cc360/config';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, unknown>;
}

const compose = parse(readFileSync(join(__dirname, '../../docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
};

/** What an operator puts in .env for the required variables. */
const OPERATOR_ENV: Record<string, string> = {
  CRM_BASE_URL: 'https://mycompany.creatio.com',
  CC360_TOKEN: 'token-from-creatio',
  FS_ESL_HOST: 'pbx.example.com',
  FS_ESL_PASSWORD: 'a-long-random-password',
  CRM_USERNAME: 'Supervisor',
  CRM_PASSWORD: 'secret',
  PUBLIC_BASE_URL: 'https://pbx.example.com',
};

/** Compose interpolation: ${VAR:?message} must be set, ${VAR:-default} and ${VAR-default} fall back. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(:\?|:-|-)?([^}]*)\}/g, (_all, name: string, operator: string | undefined, rest: string) => {
    if (env[name] !== undefined) return env[name];
    if (operator === ':?') throw new Error(`${name} must be set: ${rest}`);
    return operator ? rest : '';
  });
}

describe('docker-compose.yml', () => {
  const connector = compose.services.connector;

  it('gives the connector an environment that passes the configuration check', () => {
    const env = Object.fromEntries(Object.entries(connector.environment ?? {}).map(([name, value]) => [name, interpolate(String(value), OPERATOR_ENV)]));
    const config = loadConnectorConfig(env);
    expect(config.redisUrl).toBe('redis://redis:6379');
    expect(config.crm.pathPrefix).toBe('/0');
    expect(config.calls.agentExtensionPattern.source).toBe('^\\d{2,6}$');
    expect(config.makecall.token).toBe('token-from-creatio');
  });

  it('refuses to start without the variables an operator must set', () => {
    for (const name of ['CRM_BASE_URL', 'CC360_TOKEN', 'FS_ESL_HOST', 'FS_ESL_PASSWORD', 'PUBLIC_BASE_URL']) {
      const partial = { ...OPERATOR_ENV };
      delete partial[name];
      expect(() => Object.values(connector.environment ?? {}).map((value) => interpolate(String(value), partial))).toThrow(name);
    }
  });

  it('runs Redis durable (AOF on, noeviction, a volume) and publishes the connector port it listens on', () => {
    const redis = compose.services.redis;
    expect(redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
    expect(redis.volumes?.[0]).toMatch(/^redis-data:\/data$/);
    expect(Object.keys(compose.volumes ?? {})).toContain('redis-data');
    expect(connector.ports).toEqual([`3000:${connector.environment?.HTTP_PORT}`]);
    expect(connector.depends_on).toHaveProperty('redis');
    expect(connector.build).toBe('.');
  });
});
