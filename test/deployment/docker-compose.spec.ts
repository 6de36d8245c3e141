// No Docker engine runs here, so the deployment is checked as data: docker-compose.yml parses, the
// connector's environment passes the real configuration check, and compose, the FreeSWITCH files under
// deploy/freeswitch (parsed as XML) and the connector agree on ports, password, ACL and recordings.
import { connectorVariables, loadConnectorConfig } from '@cc360/config';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  cidrWithin,
  interpolate,
  mandatoryVariables,
  readCompose,
  readFreeswitchXml,
  settingsOf,
  volumeMounts,
  type XmlElement,
} from './deployment-files';

const compose = readCompose();
const connector = compose.services.connector;
const freeswitch = compose.services.freeswitch;
const connectorEnvironment = connector.environment ?? {};

/** What an operator puts in .env: exactly the variables compose insists on, nothing else. */
const OPERATOR_ENV: Record<string, string> = Object.fromEntries(
  Object.values(connectorEnvironment)
    .flatMap((value) => mandatoryVariables(String(value)))
    .map((name) => [name, name === 'CRM_BASE_URL' || name === 'PUBLIC_BASE_URL' ? 'https://pbx.example.com' : `${name.toLowerCase()}-value`]),
);

function environmentWith(operatorEnv: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(connectorEnvironment).map(([name, value]) => [name, interpolate(String(value), operatorEnv)]));
}

const eventSocket = readFreeswitchXml('autoload_configs/event_socket.conf.xml').configuration as XmlElement;
const eslSettings = settingsOf(eventSocket);

describe('docker-compose.yml: the connector', () => {
  it('passes the configuration check with only the variables compose insists on', () => {
    const config = loadConnectorConfig(environmentWith(OPERATOR_ENV));
    expect(config.redisUrl).toBe('redis://redis:6379');
    expect(config.crm.pathPrefix).toBe('/0');
    expect(config.calls.agentExtensionPattern.source).toBe('^\\d{2,6}$');
    expect(config.makecall.token).toBe('cc360_token-value');
    expect(config.freeswitch.host).toBe('freeswitch');
    expect(config.logFormat).toBe('json');
  });

  it('lists every variable the connector reads, and sets or insists on every one it requires', () => {
    const variables = connectorVariables(environmentWith(OPERATOR_ENV));
    expect(Object.keys(connectorEnvironment).sort()).toEqual(expect.arrayContaining([...variables.all].sort()));
    for (const name of variables.required) {
      const value = String(connectorEnvironment[name] ?? '');
      const fixed = value !== '' && !value.includes('${');
      expect(fixed || mandatoryVariables(value).includes(name), `${name}: ${value}`).toBe(true);
    }
  });

  it('refuses to start without the variables an operator must set', () => {
    expect(Object.keys(OPERATOR_ENV).sort()).toEqual(['CC360_TOKEN', 'CRM_BASE_URL', 'CRM_PASSWORD', 'CRM_USERNAME', 'FS_ESL_PASSWORD', 'PUBLIC_BASE_URL']);
    for (const name of Object.keys(OPERATOR_ENV)) {
      const partial = { ...OPERATOR_ENV };
      delete partial[name];
      expect(() => environmentWith(partial)).toThrow(name);
    }
  });

  it('publishes the HTTP port it listens on and waits for a healthy Redis', () => {
    expect(connector.ports).toEqual([`3000:${connectorEnvironment.HTTP_PORT}`]);
    expect(connector.depends_on).toHaveProperty('redis');
    expect(connector.build).toBe('.');
  });
});

describe('docker-compose.yml: Redis', () => {
  it('runs durable: AOF on, noeviction, a named volume', () => {
    const redis = compose.services.redis;
    expect(redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
    expect(redis.command?.[redis.command.indexOf('--appendonly') + 1]).toBe('yes');
    expect(redis.command?.[redis.command.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
    expect(volumeMounts(redis)).toEqual([{ source: 'redis-data', target: '/data', readOnly: false }]);
    expect(Object.keys(compose.volumes ?? {})).toContain('redis-data');
  });
});

describe('docker-compose.yml: FreeSWITCH and the connector agree', () => {
  it('on the event socket: host, port and password', () => {
    const env = environmentWith(OPERATOR_ENV);
    expect(env.FS_ESL_HOST).toBe('freeswitch');
    expect(compose.services).toHaveProperty(env.FS_ESL_HOST);
    expect(eslSettings['listen-ip']).toBe('0.0.0.0');
    expect(eslSettings['listen-port']).toBe(env.FS_ESL_PORT);

    // The password param is a preprocessor variable that env-set fills from FS_ESL_PASSWORD, and the
    // freeswitch service gets the very value the connector gets.
    const variable = /^\$\$\{([a-z0-9_]+)\}$/.exec(eslSettings.password)?.[1];
    expect(variable, 'password must be a $${variable}').toBeDefined();
    const envSet = (eventSocket['X-PRE-PROCESS'] as XmlElement[]).find((directive) => directive.cmd === 'env-set');
    expect(envSet?.data).toBe(`${variable}=$FS_ESL_PASSWORD`);
    expect(freeswitch.environment?.FS_ESL_PASSWORD).toBe(connectorEnvironment.FS_ESL_PASSWORD);
  });

  it('keeps the event socket off the host: only the compose network reaches it', () => {
    expect((freeswitch.ports ?? []).some((port) => port.split(':').some((part) => part.startsWith(eslSettings['listen-port'])))).toBe(false);
  });

  it('on the ACL: the list the event socket applies allows the compose network and nothing else', () => {
    const lists = ((readFreeswitchXml('autoload_configs/acl.conf.xml').configuration as XmlElement)['network-lists'] as XmlElement).list as XmlElement[];
    const applied = lists.find((list) => list.name === eslSettings['apply-inbound-acl']);
    expect(applied, `acl.conf.xml has no list "${eslSettings['apply-inbound-acl']}"`).toBeDefined();
    expect(applied?.default).toBe('deny');
    const allowed = (applied?.node as XmlElement[]).filter((node) => node.type === 'allow').map((node) => node.cidr as string);
    const subnets = compose.networks?.cc360?.ipam?.config?.map((entry) => entry.subnet ?? '') ?? [];
    expect(subnets).toHaveLength(1);
    expect(allowed.length).toBeGreaterThan(0);
    for (const cidr of allowed) expect(cidrWithin(cidr, subnets[0]), `${cidr} outside ${subnets[0]}`).toBe(true);
    for (const service of [connector, freeswitch]) expect(service.networks).toContain('cc360');
    // The stock SIP profiles refer to "domains": replacing acl.conf.xml must not lose it.
    expect(lists.map((list) => list.name)).toContain('domains');
  });

  it('on recordings: one volume, written by FreeSWITCH where the dialplan records, read-only at RECORDINGS_DIR', () => {
    const recordingsDir = environmentWith(OPERATOR_ENV).RECORDINGS_DIR;
    const written = volumeMounts(freeswitch).find((mount) => mount.target === recordingsDir);
    const read = volumeMounts(connector).find((mount) => mount.target === recordingsDir);
    expect(written).toMatchObject({ readOnly: false });
    expect(read).toMatchObject({ readOnly: true, source: written?.source });
    expect(Object.keys(compose.volumes ?? {})).toContain(written?.source);

    const record = dialplanActions().find((action) => action.application === 'record_session');
    expect(record?.data).toMatch(new RegExp(`^${recordingsDir}/\\$\\{strftime\\(%Y/%m/%d\\)\\}/\\$\\{cc360_call_id\\}\\.`));
  });

  it('mounts our FreeSWITCH files over the stock ones, read-only, the call id and recording in both contexts', () => {
    expect(volumeMounts(freeswitch).filter((mount) => mount.source.startsWith('./deploy/freeswitch/'))).toEqual(
      [
        ['autoload_configs/event_socket.conf.xml', 'autoload_configs/event_socket.conf.xml'],
        ['autoload_configs/acl.conf.xml', 'autoload_configs/acl.conf.xml'],
        ['dialplan/default.xml', 'dialplan/default.xml'],
        ['dialplan/00_cc360.xml', 'dialplan/default/00_cc360.xml'],
        ['dialplan/00_cc360.xml', 'dialplan/public/00_cc360.xml'],
      ].map(([file, target]) => ({ source: `./deploy/freeswitch/${file}`, target: `/etc/freeswitch/${target}`, readOnly: true })),
    );
  });
});

describe('deploy/freeswitch dialplan', () => {
  it('exports one call id before recording, and records both sides in stereo', () => {
    const actions = dialplanActions();
    const exported = actions.findIndex((action) => action.application === 'export' && action.data === 'cc360_call_id=${uuid}');
    const stereo = actions.findIndex((action) => action.application === 'set' && action.data === 'RECORD_STEREO=true');
    const record = actions.findIndex((action) => action.application === 'record_session');
    expect(exported).toBeGreaterThanOrEqual(0);
    expect(stereo).toBeGreaterThan(exported);
    expect(record).toBeGreaterThan(stereo);
  });

  it('lets routing go on after its extensions', () => {
    const extensions = (readFreeswitchXml('dialplan/00_cc360.xml').include as XmlElement).extension as XmlElement[];
    expect(extensions.map((extension) => extension.continue)).toEqual(extensions.map(() => 'true'));
  });

  it('runs the files of default/ (00_cc360.xml among them) before any extension of the default context', () => {
    const text = readFileSync(join(REPO_ROOT, 'deploy/freeswitch/dialplan/default.xml'), 'utf8');
    const include = text.indexOf('<X-PRE-PROCESS cmd="include" data="default/*.xml"/>');
    expect(include).toBeGreaterThan(0);
    expect(text.indexOf('<extension')).toBeGreaterThan(include);
    const context = (readFreeswitchXml('dialplan/default.xml').include as XmlElement).context as XmlElement;
    expect(context.name).toBe('default');
    const bridge = ((context.extension as XmlElement[])[0].condition as XmlElement[])[0].action as XmlElement[];
    expect(bridge.map((action) => action.application)).toContain('bridge');
  });

  it('never names the preprocessor in an XML comment, where FreeSWITCH would still run it', () => {
    for (const file of ['autoload_configs/event_socket.conf.xml', 'autoload_configs/acl.conf.xml', 'dialplan/default.xml', 'dialplan/00_cc360.xml']) {
      const comments = readFileSync(join(REPO_ROOT, 'deploy/freeswitch', file), 'utf8').match(/<!--[\s\S]*?-->/g) ?? [];
      expect(comments.filter((comment) => /x-pre-process/i.test(comment)), file).toEqual([]);
    }
  });
});

function dialplanActions(): XmlElement[] {
  const extensions = (readFreeswitchXml('dialplan/00_cc360.xml').include as XmlElement).extension as XmlElement[];
  return extensions.flatMap((extension) => (extension.condition as XmlElement[]).flatMap((condition) => (condition.action as XmlElement[] | undefined) ?? []));
}
