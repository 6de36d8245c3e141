// RECORDING_MODE=connector: the connector itself starts recording each answered agent leg with
// `uuid_record` (over bgapi, so the event stream never waits), into RECORDINGS_DIR/<yyyy>/<mm>/<dd>/.
import { identifyAgentLeg, type ChannelEvent } from '@cc360/calls';
import type { EslClient } from '@cc360/esl';
import { Logger, type LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

const LEG_ID = /^[0-9A-Za-z-]{8,64}$/;

export class ConnectorRecorder {
  private readonly started = new Set<string>();
  private readonly logger: LoggerService;

  constructor(
    private readonly esl: EslClient,
    private readonly recordingsDir: string,
    private readonly agentExtension: RegExp,
    logger?: LoggerService,
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
    const day = new Date().toISOString().slice(0, 10).split('-');
    const file = join(this.recordingsDir, ...day, `${legId}.wav`);
    this.esl.bgapi(`uuid_record ${legId} start ${file}`, randomUUID()).catch((error: unknown) => {
      this.logger.warn(`Could not start recording leg ${legId}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}
