// Click-to-call latency: the CRM's HTTP request to /webapi/<token>/makecall → `bgapi originate` run by
// the FreeSWITCH simulator (the connector first asks user_exists and sofia_contact: two ESL round trips).
// Requests are sent at a steady rate (open loop); the per-client rate limit is lifted for the bench.
import { ms, now, sleep, summarize, type Percentiles } from '../bench-kit';
import { startRig, WEBAPI_TOKEN } from '../e2e-rig';
import type { BenchSettings } from '../settings';
import { defineSuite, fixed, progress, table } from '../suite';

export interface MakecallResult {
  requests: number;
  perSecond: number;
  toOriginate: Percentiles;
  toAnswer: Percentiles;
  failures: number;
}

export async function runMakecall(settings: BenchSettings): Promise<MakecallResult> {
  const rig = await startRig('ours', { MAKECALL_RATE_LIMIT: '100000' });
  const originatedAt = new Map<string, number>();
  const fs = rig.freeswitch;
  fs.handleApi('global_getvar', (args) => (args === 'domain' ? 'pbx.example.com' : undefined));
  fs.handleApi('user_exists', () => 'true');
  fs.handleApi('sofia_contact', (args) => `sofia/internal/sip:${args.slice(2, 5)}@10.0.0.5:5060`);
  fs.handleApi('originate', (args) => {
    const id = /origination_uuid=([0-9a-f-]+)/.exec(args)?.[1] ?? '';
    originatedAt.set(id, now());
    return `+OK ${id}\n`;
  });
  const toOriginate: number[] = [];
  const toAnswer: number[] = [];
  let failures = 0;
  const one = async (index: number) => {
    const sent = now();
    const answer = await fetch(`http://127.0.0.1:${rig.httpPort}/webapi/${WEBAPI_TOKEN}/makecall?first=${100 + (index % 900)}&second=79991234567`);
    const answeredAt = now();
    const body = (await answer.json()) as { success?: boolean; id?: string };
    if (!answer.ok || !body.id) {
      failures++;
      return;
    }
    toAnswer.push(answeredAt - sent);
    const id = body.id;
    const originated = await fs.waitUntil(() => originatedAt.get(id), 5_000, `originate of ${id}`).catch(() => undefined);
    if (originated === undefined) failures++;
    else toOriginate.push(originated - sent);
  };
  try {
    progress(`makecall: ${settings.makecallRequests} requests at ${settings.makecallPerSecond}/s`);
    const inFlight: Array<Promise<void>> = [];
    const started = now();
    for (let i = 0; i < settings.makecallRequests; i++) {
      const due = started + (i * 1000) / settings.makecallPerSecond;
      if (due > now()) await sleep(due - now());
      inFlight.push(one(i));
    }
    await Promise.all(inFlight);
    return {
      requests: settings.makecallRequests,
      perSecond: settings.makecallPerSecond,
      toOriginate: summarize(toOriginate),
      toAnswer: summarize(toAnswer),
      failures,
    };
  } finally {
    await rig.close();
  }
}

export const makecallSuite = defineSuite({
  name: 'makecall',
  title: 'Click-to-call latency',
  run: runMakecall,
  render: (r) =>
    [
      `${r.requests} \`GET /webapi/<token>/makecall\` requests at ${r.perSecond}/s to cc360-bridge (MAKECALL_RATE_LIMIT lifted). ` +
        'Each makes the connector ask FreeSWITCH `user_exists` and `sofia_contact` (api, one round trip each) before ' +
        '`bgapi originate`; the domain is asked once and kept.',
      '',
      table(['measured', 'p50', 'p95', 'p99', 'max', 'samples'], [
        ['request sent → `bgapi originate` run by the FreeSWITCH simulator', ms(r.toOriginate.p50), ms(r.toOriginate.p95), ms(r.toOriginate.p99), ms(r.toOriginate.max), String(r.toOriginate.count)],
        ['request sent → HTTP answer received', ms(r.toAnswer.p50), ms(r.toAnswer.p95), ms(r.toAnswer.p99), ms(r.toAnswer.max), String(r.toAnswer.count)],
      ]),
      '',
      `Failed requests: ${fixed(r.failures)}.`,
    ].join('\n'),
});
