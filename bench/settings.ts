// How long and how big each benchmark runs: full figures by default, BENCH_QUICK=1 for short development
// runs, BENCH_OUTAGE_MIN for the CRM outage length. Read once, validated like the connector's config.

export interface BenchSettings {
  quick: boolean;
  /** Seconds per rate of the end-to-end latency runs (50 and 200 calls/s). */
  latencySeconds: number;
  /** Seconds each step of the throughput ramp is held. */
  rampStepSeconds: number;
  rampRates: number[];
  /** A ramp step fails when its p99 passes this. */
  rampP99LimitMs: number;
  /** Minutes the CRM is down in the backlog benchmark. */
  outageMinutes: number;
  outageRate: number;
  makecallRequests: number;
  makecallPerSecond: number;
  parkedCalls: number;
  downloadSeconds: number;
  downloaders: number;
  recordingMb: number;
  deliveryLatencySeconds: number;
  deliveryThroughputCalls: number;
}

function positive(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${text}"`);
  return value;
}

export function loadSettings(): BenchSettings {
  const quick = process.env.BENCH_QUICK === '1';
  return {
    quick,
    latencySeconds: quick ? 5 : 30,
    rampStepSeconds: quick ? 4 : 20,
    rampRates: [50, 100, 150, 200, 300, 400, 500, 600, 800, 1000],
    rampP99LimitMs: 100,
    outageMinutes: positive('BENCH_OUTAGE_MIN', quick ? 0.5 : 10),
    outageRate: 50,
    makecallRequests: quick ? 100 : 500,
    makecallPerSecond: 50,
    parkedCalls: quick ? 2_000 : 10_000,
    downloadSeconds: quick ? 5 : 20,
    downloaders: 50,
    recordingMb: 20,
    deliveryLatencySeconds: quick ? 3 : 10,
    deliveryThroughputCalls: quick ? 300 : 1_000,
  };
}
