// Reads environment variables one by one and collects every problem, so a bad configuration is
// reported completely at start, each line naming the variable and what is expected.

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `10s`, `5m`, `24h`, `30d`, or a bare number of milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? 'ms']);
}

/** The variables a configuration read, and those of them it could not do without. */
export interface VariablesRead {
  readonly all: readonly string[];
  readonly required: readonly string[];
}

export class EnvReader {
  private readonly problems: string[] = [];
  private readonly names = new Set<string>();
  private readonly requiredNames = new Set<string>();

  constructor(private readonly env: Env) {}

  /** Every variable read so far (deployment files are checked against this list). */
  get variablesRead(): VariablesRead {
    return { all: [...this.names], required: [...this.requiredNames] };
  }

  /** Unset and empty are the same: both take the default. */
  private raw(name: string): string | undefined {
    this.names.add(name);
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  /** Like string(), but an explicitly empty value is kept (CRM_PATH_PREFIX="" is meaningful). */
  stringAllowEmpty(name: string, fallback: string): string {
    this.names.add(name);
    const value = this.env[name];
    return value === undefined ? fallback : value.trim();
  }

  optional(name: string): string | undefined {
    return this.raw(name);
  }

  /** `when` says under which setting the variable is required, e.g. "while recordings are on". */
  required(name: string, expected: string, when?: string): string {
    this.requiredNames.add(name);
    const value = this.raw(name);
    if (value === undefined) {
      this.problems.push(`${name} is required${when ? ` ${when}` : ''}: ${expected}`);
      return '';
    }
    return value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max}, got "${value}"`);
      return fallback;
    }
    return parsed;
  }

  duration(name: string, fallback: string, minMs: number): number {
    const value = this.raw(name) ?? fallback;
    const parsed = parseDuration(value);
    if (parsed === undefined || parsed < minMs) {
      this.problems.push(`${name} must be a duration such as 500ms, 30s, 5m, 24h or 7d (at least ${minMs} ms), got "${value}"`);
      return parseDuration(fallback) ?? minMs;
    }
    return parsed;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name) ?? fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
      return fallback;
    }
    return value as T;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (/^(true|1|yes)$/i.test(value)) return true;
    if (/^(false|0|no)$/i.test(value)) return false;
    this.problems.push(`${name} must be true or false, got "${value}"`);
    return fallback;
  }

  url(name: string, expected: string, protocols: readonly string[]): string {
    const value = this.required(name, expected);
    if (value === '') return value;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return value.replace(/\/+$/, '');
    } catch {
      this.problems.push(`${name} must be a URL (${protocols.join(' or ')}), e.g. ${expected}; got an invalid value`);
      return value;
    }
  }

  /** Records a problem found by a cross-variable rule. */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws a ConfigError listing every problem found so far. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}
