// Connects the ESL client to the call ingest: subscribes to the call events, reconciles after every
// (re)connect with `show channels as json`, and closes out the calls of a FreeSWITCH that restarted.
import { EslClient, type EslClientOptions } from '@cc360/esl';
import { Logger, type LoggerService } from '@nestjs/common';
import { CALL_EVENTS, type CallIngest } from './call-ingest';
import { parseChannelList } from './channel-list';

export type FreeswitchConnection = Omit<EslClientOptions, 'events' | 'logger'>;

export class FreeswitchIngest {
  readonly esl: EslClient;
  private readonly logger: LoggerService;

  constructor(connection: FreeswitchConnection, private readonly ingest: CallIngest, logger?: LoggerService) {
    this.logger = logger ?? new Logger('FreeswitchIngest');
    this.esl = new EslClient({ ...connection, events: CALL_EVENTS, logger: this.logger });
    this.esl.on('event', (event) => this.ingest.handle(event));
    this.esl.on('core-restart', ({ previous }) => {
      this.logger.warn(`FreeSWITCH restarted (new Core-UUID): closing out the calls it had`);
      void this.ingest.closeOutCore(previous);
    });
    this.esl.on('connected', () => void this.reconcile());
  }

  /** Restores open calls from Redis first, so no event is handled before its call is known. */
  async start(): Promise<void> {
    await this.ingest.restore();
    this.esl.start();
  }

  /** Stops taking events, then lets the ones already received finish. */
  async stop(): Promise<void> {
    await this.esl.stop();
    await this.ingest.whenIdle();
  }

  private async reconcile(): Promise<void> {
    try {
      const active = parseChannelList(await this.esl.api('show channels as json'));
      await this.ingest.reconcile(active);
    } catch (error) {
      this.logger.warn(`Could not reconcile calls with FreeSWITCH after connecting: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
