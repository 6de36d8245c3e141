// RECORDING_MODE=connector: the connector itself starts recording each answered agent leg with
// `uuid_record` (over bgapi, so the event stream never waits), into RECORDINGS_DIR/<yyyy>/<mm>/<dd>/.
import { identifyAgentLeg, type ChannelEvent } from '@cc360/calls';
import type { EslClient } from '@cc360/esl';
import { Logger, type LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { RecordingClaims } from './recording-claims';

const LEG_ID = /^[0-9A-Za-z-]{8,64}$/;

export class ConnectorRecorder {
  private readonly started = new Set<string>();
  private readonly logger: LoggerService;

  constructor(
    private readonly esl: EslClient,
    private readonly recordingsDir: string,
    private readonly agentExtension: RegExp,
    logger?: LoggerService,
    /** Several instances on one FreeSWITCH: only the one that claims a leg records it. */
    private readonly claims?: RecordingClaims,
  ) {
    this.logger = logger ?? new Logger('Recordings');
  }

  /** Called for every event; acts on an agent leg's CHANNEL_ANSWER. */
  onEvent(event: ChannelEvent): void {
    if (event.name !== 'CHANNEL_ANSWER') return;
    const legId = event.headers['Unique-ID'];
    if (!legId || !LEG_ID.test(legId) || this.started.has(legId)) return;
    if (!identifyAgentLeg(event, this.agentExtension)) return;
    if (this.started.size > 50_000) this.started.clear();
    this.started.add(legId);
    if (!this.claims) return this.record(legId);
    this.claims.claim(legId).then(
      (mine) => {
        if (mine) this.record(legId);
      },
      (error: unknown) => {
        // Better a leg recorded by two instances than not at all.
        this.logger.warn(`Could not claim the recording of leg ${legId} in Redis, recording it anyway: ${error instanceof Error ? error.message : String(error)}`);
        this.record(legId);
      },
    );
  }

  private record(legId: string): void {
    const day = new Date().toISOString().slice(0, 10).split('-');
    const file = join(this.recordingsDir, ...day, `${legId}.wav`);
    this.esl.bgapi(`uuid_record ${legId} start ${file}`, randomUUID()).catch((error: unknown) => {
      this.logger.warn(`Could not start recording leg ${legId}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}
