// The running connector's own output: pretty lines when LOG_FORMAT=pretty, and HTTP request ids that
// come back in the X-Request-Id header (the JSON format and the id rules are unit-tested in apps/connector).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './connector-harness';

describe('connector logs', () => {
  let harness: Harness;
  let base: string;

  beforeAll(async () => {
    harness = await startHarness({ LOG_FORMAT: 'pretty', LOG_LEVEL: 'info' });
    base = `http://127.0.0.1:${harness.connector.httpPort}`;
  });
  afterAll(() => harness.close());

  it('writes readable lines, not JSON, with LOG_FORMAT=pretty', () => {
    const lines = harness.connector.logs.split('\n').filter((line) => line.trim() !== '');
    expect(lines.some((line) => /INFO.*Queue dashboard off/.test(line))).toBe(true);
    expect(lines.filter((line) => line.trimStart().startsWith('{'))).toEqual([]);
  });

  it('returns a plain X-Request-Id it was given, and its own otherwise, also on a refused request', async () => {
    const given = await fetch(`${base}/webapi/wrong-token/makecall?first=101&second=79991234567`, { headers: { 'X-Request-Id': 'crm-7f3a' } });
    expect(given.status).toBe(401);
    expect(given.headers.get('x-request-id')).toBe('crm-7f3a');
    const forged = await fetch(`${base}/health/live`, { headers: { 'X-Request-Id': 'a b' } });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    for (let i = 0; i < 40 && !harness.connector.logs.includes('crm-7f3a'); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    // Pretty output spreads the request over several lines: the id, then the masked URL.
    const fromId = harness.connector.logs.slice(harness.connector.logs.indexOf('"id": "crm-7f3a"'));
    expect(fromId).toMatch(/^"id": "crm-7f3a",\s+"method": "GET",\s+"url": "\/webapi\/\*\*\*\/makecall\?first=101/);
    expect(harness.connector.logs).not.toContain('wrong-token');
  });
});
