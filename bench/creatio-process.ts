// The Creatio simulator in its own process for benchmarks, so the CRM's work does not share the
// connector's event loop. Reports every accepted request (call id, step, agent, arrival time) and the count
// of refused ones to the parent; the parent can switch a CRM outage (every CC360 request answered 503) on and off.
import { CreatioSimulator } from '../test/support/creatio-simulator';

type Arrival = [id: string, step: string, receivedAt: number, user: string];

async function main(): Promise<void> {
  const latencyMs = Number(process.env.SIM_LATENCY_MS ?? 0);
  const simulator = await CreatioSimulator.start({ latencyMs, token: 'bench-token' });
  let batch: Arrival[] = [];
  simulator.on('accepted', (request) => {
    const step = request.cc360Method === 'RingingEventHandler' ? request.query.eventName : 'summary';
    batch.push([request.query.id, step, request.receivedAt, request.query.user ?? '']);
    // Keep memory flat during long runs: the bench only needs the arrivals.
    simulator.accepted.length = 0;
  });
  let refused = 0;
  let reportedRefused = 0;
  simulator.on('refused', () => {
    refused++;
    simulator.refused.length = 0;
  });
  setInterval(() => {
    if (batch.length === 0 && refused === reportedRefused) return;
    process.send?.({ type: 'arrivals', arrivals: batch, refused });
    batch = [];
    reportedRefused = refused;
  }, 10);
  process.on('message', (message: { type: string; latencyMs?: number; on?: boolean }) => {
    if (message.type === 'configure') simulator.configure({ latencyMs: message.latencyMs ?? 0 });
    if (message.type === 'outage' && message.on) simulator.failAlways({ kind: 'status', status: 503, body: '{"error":"outage"}' });
    if (message.type === 'outage' && !message.on) simulator.clearFaults();
    if (message.type === 'stop') void simulator.stop().then(() => process.exit(0));
  });
  process.send?.({ type: 'ready', baseUrl: simulator.baseUrl, token: simulator.token });
}

void main();
