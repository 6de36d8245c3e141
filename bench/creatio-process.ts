// The Creatio simulator in its own process for benchmarks, so the CRM's work does not share the
// connector's event loop. Reports every accepted request (call id, step, arrival time) to the parent.
import { CreatioSimulator } from '../test/support/creatio-simulator';

type Arrival = [id: string, step: string, receivedAt: number];

async function main(): Promise<void> {
  const latencyMs = Number(process.env.SIM_LATENCY_MS ?? 0);
  const simulator = await CreatioSimulator.start({ latencyMs, token: 'bench-token' });
  let batch: Arrival[] = [];
  simulator.on('accepted', (request) => {
    const step = request.cc360Method === 'RingingEventHandler' ? request.query.eventName : 'summary';
    batch.push([request.query.id, step, request.receivedAt]);
    // Keep memory flat during long runs: the bench only needs the arrivals.
    simulator.accepted.length = 0;
  });
  setInterval(() => {
    if (batch.length === 0) return;
    process.send?.({ type: 'arrivals', arrivals: batch });
    batch = [];
  }, 10);
  process.on('message', (message: { type: string; latencyMs?: number }) => {
    if (message.type === 'configure') simulator.configure({ latencyMs: message.latencyMs ?? 0 });
    if (message.type === 'stop') void simulator.stop().then(() => process.exit(0));
  });
  process.send?.({ type: 'ready', baseUrl: simulator.baseUrl, token: simulator.token });
}

void main();
