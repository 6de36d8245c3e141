// Click-to-call: checks the agent's extension with FreeSWITCH, then originates with bgapi (never api:
// that would hold back every event on our connection while the agent's phone rings) and answers at once
// with the call id we chose. The job's outcome arrives later as BACKGROUND_JOB and is logged.
import { EslCommandError, EslDisconnectedError, EslTimeoutError, type EslClient, type EslEvent } from '@cc360/esl';
import { Logger, type LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { originateCommand } from './dial-string';
import { parseMakecallRequest } from './makecall-request';

export interface MakecallOptions {
  agentExtension: RegExp;
  context: string;
  dialString?: string;
  logger?: LoggerService;
}

export type MakecallResult = 'originated' | 'invalid' | 'unknown-extension' | 'not-registered' | 'pbx-unavailable' | 'originate-refused';

export interface MakecallAnswer {
  status: number;
  result: MakecallResult;
  body: { success: true; id: string } | { success: false; error: string };
}

export interface BackgroundJobOutcome {
  callId: string;
  ok: boolean;
  detail: string;
}

/** How long we wait for a BACKGROUND_JOB before forgetting the job (an agent that never answers times out sooner). */
const JOB_MEMORY_MS = 10 * 60_000;

export class MakecallService {
  private readonly logger: LoggerService;
  private readonly pendingJobs = new Map<string, { callId: string; timer: NodeJS.Timeout }>();
  private domain: string | undefined;
  readonly outcomes: BackgroundJobOutcome[] = [];
  private readonly counters = new Map<MakecallResult | 'job-ok' | 'job-failed', number>();

  constructor(private readonly esl: EslClient, private readonly options: MakecallOptions) {
    this.logger = options.logger ?? new Logger('Makecall');
    esl.on('event', (event) => this.onEvent(event));
    esl.on('connected', () => {
      this.domain = undefined;
    });
  }

  /** Requests by result, and background job outcomes (for metrics). */
  stats(): Record<string, number> {
    return Object.fromEntries(this.counters);
  }

  async makecall(first: unknown, second: unknown): Promise<MakecallAnswer> {
    const request = parseMakecallRequest(first, second, this.options.agentExtension);
    if (!request.ok) return this.answer(400, 'invalid', request.message);
    if (this.esl.state !== 'connected') return this.answer(503, 'pbx-unavailable', 'FreeSWITCH is not connected; try again shortly');
    try {
      const domain = await this.pbxDomain();
      const exists = (await this.esl.api(`user_exists id ${request.extension} ${domain}`)).trim();
      if (exists !== 'true') return this.answer(404, 'unknown-extension', `Extension ${request.extension} does not exist on the PBX`);
      const contact = (await this.esl.api(`sofia_contact */${request.extension}@${domain}`)).trim();
      if (contact === '' || contact.startsWith('error/')) {
        return this.answer(409, 'not-registered', `Extension ${request.extension} has no registered phone`);
      }
      const callId = randomUUID();
      const jobUuid = randomUUID();
      const command = originateCommand({ callId, extension: request.extension, number: request.number, domain }, this.options.context, this.options.dialString);
      this.rememberJob(jobUuid, callId);
      const reply = await this.esl.bgapi(command, jobUuid);
      if (!reply.startsWith('+OK')) {
        this.forgetJob(jobUuid);
        return this.answer(502, 'originate-refused', `FreeSWITCH refused the call: ${reply}`);
      }
      this.logger.log(`Click-to-call ${callId}: ringing ${request.extension} for ${request.number}`);
      this.count('originated');
      return { status: 200, result: 'originated', body: { success: true, id: callId } };
    } catch (error) {
      if (error instanceof EslDisconnectedError || error instanceof EslTimeoutError) {
        return this.answer(503, 'pbx-unavailable', 'FreeSWITCH did not answer; try again shortly');
      }
      if (error instanceof EslCommandError) return this.answer(502, 'originate-refused', `FreeSWITCH refused: ${error.replyText}`);
      throw error;
    }
  }

  private async pbxDomain(): Promise<string> {
    if (!this.domain) {
      const domain = (await this.esl.api('global_getvar domain')).trim();
      if (!/^[0-9A-Za-z.-]+$/.test(domain)) throw new EslCommandError('api global_getvar', `unusable domain "${domain}"`);
      this.domain = domain;
    }
    return this.domain;
  }

  private onEvent(event: EslEvent): void {
    if (event.name !== 'BACKGROUND_JOB') return;
    const jobUuid = event.headers['Job-UUID'];
    const job = jobUuid ? this.pendingJobs.get(jobUuid) : undefined;
    if (!job || !jobUuid) return;
    this.forgetJob(jobUuid);
    const output = (event.body ?? '').trim();
    const ok = output.startsWith('+OK');
    this.outcomes.push({ callId: job.callId, ok, detail: output });
    if (this.outcomes.length > 100) this.outcomes.shift();
    this.count(ok ? 'job-ok' : 'job-failed');
    if (ok) this.logger.log(`Click-to-call ${job.callId}: the agent answered, dialling the client`);
    else this.logger.warn(`Click-to-call ${job.callId} failed: ${output}`);
  }

  private rememberJob(jobUuid: string, callId: string): void {
    const timer = setTimeout(() => this.pendingJobs.delete(jobUuid), JOB_MEMORY_MS);
    timer.unref();
    this.pendingJobs.set(jobUuid, { callId, timer });
  }

  private forgetJob(jobUuid: string): void {
    const job = this.pendingJobs.get(jobUuid);
    if (job) clearTimeout(job.timer);
    this.pendingJobs.delete(jobUuid);
  }

  private answer(status: number, result: MakecallResult, error: string): MakecallAnswer {
    this.count(result);
    return { status, result, body: { success: false, error } };
  }

  private count(key: MakecallResult | 'job-ok' | 'job-failed'): void {
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
  }
}
