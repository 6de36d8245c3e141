// `npm run admin -- <command>`: the operator's view of the delivery queues from a shell, on the same
// REDIS_URL and DELIVERY_CONCURRENCY as the connector.
//   stats                 jobs per state, all lanes together and per lane
//   failed [limit]        notifications that failed for good, newest first, with their reason
//   retry [callId]        put failed notifications back in line (all, or those of one call)
//   timeline <callId> [--json]  one call's journal: ESL events, notifications, CRM requests, in time order
import { createLaneQueues, type DeliveryJobData } from '@cc360/delivery';
import { CALL_ID_PATTERN, formatTimeline, readTimeline, timelineJson } from '@cc360/journal';
import type { Job } from 'bullmq';
import Redis from 'ioredis';

const USAGE = 'usage: npm run admin -- stats | failed [limit] | retry [callId] | timeline <callId> [--json]';

function env(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

function describeJob(job: Job<DeliveryJobData>): string {
  const n = job.data.notification;
  const what = n.type === 'ringing' ? n.eventName : `summary ${n.direction}`;
  const when = new Date(job.finishedOn ?? job.timestamp).toISOString();
  return `${when}  call ${n.callId}  user ${n.user}  ${what.padEnd(16)}  attempts ${job.attemptsMade}  ${job.failedReason ?? ''}`;
}

async function failedJobs(queues: ReturnType<typeof createLaneQueues>['queues']): Promise<Job<DeliveryJobData>[]> {
  const all = await Promise.all(queues.map((queue) => queue.getFailed(0, -1) as Promise<Job<DeliveryJobData>[]>));
  return all.flat().sort((a, b) => (b.finishedOn ?? 0) - (a.finishedOn ?? 0));
}

/** Exit code 1 when the journal has nothing on the call (unknown, expired after JOURNAL_TTL, or the journal is off). */
async function timeline(redisUrl: string, args: readonly string[]): Promise<number> {
  const json = args.includes('--json');
  const [callId, ...rest] = args.filter((arg) => arg !== '--json');
  if (!callId || rest.length > 0 || !CALL_ID_PATTERN.test(callId)) {
    process.stderr.write(`timeline needs one call id (letters, digits, _ . @ -)\n${USAGE}\n`);
    return 2;
  }
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    const found = await readTimeline(redis, 'cc360', callId);
    process.stdout.write(json ? timelineJson(found) : formatTimeline(found));
    if (found.entries.length === 0 && !json) {
      process.stderr.write(`nothing journaled for call ${callId}: unknown call, older than JOURNAL_TTL, or JOURNAL_TTL=0\n`);
    }
    return found.entries.length > 0 ? 0 : 1;
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<number> {
  const [command, argument] = process.argv.slice(2);
  if (command === 'timeline') return timeline(env('REDIS_URL', 'redis://127.0.0.1:6379'), process.argv.slice(3));
  const laneCount = Number(env('DELIVERY_CONCURRENCY', '32'));
  if (!command || !Number.isInteger(laneCount) || laneCount < 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const lanes = createLaneQueues(env('REDIS_URL', 'redis://127.0.0.1:6379'), 'cc360', laneCount);
  try {
    if (command === 'stats') {
      const counts = await Promise.all(lanes.queues.map((queue) => queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed')));
      const total: Record<string, number> = {};
      for (const count of counts) for (const [state, value] of Object.entries(count)) total[state] = (total[state] ?? 0) + value;
      process.stdout.write(`all ${laneCount} lanes: ${JSON.stringify(total)}\n`);
      counts.forEach((count, lane) => {
        if (Object.values(count).some((value) => value > 0)) process.stdout.write(`  ${lanes.queues[lane].name}: ${JSON.stringify(count)}\n`);
      });
      return 0;
    }
    if (command === 'failed') {
      const limit = argument ? Number(argument) : 50;
      const jobs = await failedJobs(lanes.queues);
      for (const job of jobs.slice(0, limit)) process.stdout.write(`${describeJob(job)}\n`);
      process.stdout.write(`${jobs.length} failed notifications${jobs.length > limit ? ` (showing ${limit})` : ''}\n`);
      return 0;
    }
    if (command === 'retry') {
      const jobs = (await failedJobs(lanes.queues)).filter((job) => !argument || job.data.notification.callId === argument);
      // Oldest first, so a call's notifications go back in the order they were produced.
      for (const job of jobs.reverse()) await job.retry('failed');
      process.stdout.write(`${jobs.length} notifications put back in line${argument ? ` for call ${argument}` : ''}\n`);
      return 0;
    }
    process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
    return 2;
  } finally {
    await lanes.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`admin: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
