// Reads the deployment files as data for the deployment tests: docker-compose.yml (with Compose's
// variable interpolation) and the FreeSWITCH XML files under deploy/freeswitch.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const REPO_ROOT = join(__dirname, '../..');

export interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  networks?: string[];
  depends_on?: Record<string, unknown>;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, { ipam?: { config?: { subnet?: string }[] } }>;
}

export function readCompose(text = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')): ComposeFile {
  return parse(text) as ComposeFile;
}

const INTERPOLATION = /\$\{([A-Z0-9_]+)(:\?|:-|-)?([^}]*)\}/g;

/** Compose interpolation: ${VAR:?message} must be set, ${VAR:-default} and ${VAR-default} fall back. */
export function interpolate(value: string, env: Readonly<Record<string, string>>): string {
  return value.replace(INTERPOLATION, (_all, name: string, operator: string | undefined, rest: string) => {
    if (env[name] !== undefined) return env[name];
    if (operator === ':?') throw new Error(`${name} must be set: ${rest}`);
    return operator ? rest : '';
  });
}

/** The variables a compose value insists on (`${VAR:?message}`). */
export function mandatoryVariables(value: string): string[] {
  return [...value.matchAll(INTERPOLATION)].filter((match) => match[2] === ':?').map((match) => match[1]);
}

/** A volume entry `source:target[:mode]`. */
export interface VolumeMount {
  source: string;
  target: string;
  readOnly: boolean;
}

export function volumeMounts(service: ComposeService): VolumeMount[] {
  return (service.volumes ?? []).map((entry) => {
    const [source, target, mode] = entry.split(':');
    return { source, target, readOnly: mode === 'ro' };
  });
}

export type XmlElement = { [key: string]: string | XmlElement | XmlElement[] };

/** Elements that may repeat are always arrays, so a single <param> reads like several. */
const REPEATED = new Set(['param', 'list', 'node', 'extension', 'condition', 'action', 'anti-action', 'X-PRE-PROCESS']);

/** Parses one of our FreeSWITCH files; it must be well-formed XML (FreeSWITCH's parser is no kinder). */
export function readFreeswitchXml(relativePath: string): XmlElement {
  const text = readFileSync(join(REPO_ROOT, 'deploy/freeswitch', relativePath), 'utf8');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new Error(`${relativePath} is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => REPEATED.has(name) }).parse(text) as XmlElement;
}

/** `<param name=... value=...>` children of <settings>, as a map. */
export function settingsOf(configuration: XmlElement): Record<string, string> {
  const settings = configuration.settings as XmlElement;
  return Object.fromEntries((settings.param as XmlElement[]).map((param) => [param.name as string, param.value as string]));
}

/** Whether an IPv4 CIDR block lies inside another. */
export function cidrWithin(inner: string, outer: string): boolean {
  const [innerBase, innerBits] = parseCidr(inner);
  const [outerBase, outerBits] = parseCidr(outer);
  if (innerBits < outerBits) return false;
  const mask = outerBits === 0 ? 0 : (~0 << (32 - outerBits)) >>> 0;
  return ((innerBase & mask) >>> 0) === ((outerBase & mask) >>> 0);
}

function parseCidr(cidr: string): [number, number] {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!match) throw new Error(`not an IPv4 CIDR block: ${cidr}`);
  const [a, b, c, d, bits] = match.slice(1).map(Number);
  return [((a << 24) | (b << 16) | (c << 8) | d) >>> 0, bits];
}
