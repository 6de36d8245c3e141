// Connects the ESL client to the call ingest: subscribes to the call events, reconciles after every
// (re)connect with `show channels as json`, and closes out the calls of a FreeSWITCH that restarted.
import { EslClient, type EslClientOptions } from '@cc360/esl';
import { Logger, type LoggerService } from '@nestjs/common';
import { CALL_EVENTS, type CallIngest } from './call-ingest';
import { parseChannelList } from './channel-list';
import { SequenceReorder } from './sequence-reorder';

export type FreeswitchConnection = Omit<EslClientOptions, 'events' | 'logger'> & {
  /** How long an event may wait for one with a lower Event-Sequence (0: no reordering). */
  reorderWindowMs?: number;
};

const RECONCILE_SETTLE_MS = 1_000;

export class FreeswitchIngest {
  readonly esl: EslClient;
  private readonly logger: LoggerService;
  private readonly reorder: SequenceReorder;

  constructor(connection: FreeswitchConnection, private readonly ingest: CallIngest, logger?: LoggerService) {
    this.logger = logger ?? new Logger('FreeswitchIngest');
    const { reorderWindowMs = 5, ...eslOptions } = connection;
    this.esl = new EslClient({ ...eslOptions, events: CALL_EVENTS, logger: this.logger });
    this.reorder = new SequenceReorder(reorderWindowMs, (event) => this.ingest.handle(event));
    this.esl.on('event', (event) => this.reorder.push(event));
    // Sequence numbers belong to one connection to one core: release what is held before anything new.
    this.esl.on('state', (state) => {
      if (state !== 'connected') this.reorder.flush();
    });
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

  /** Stops taking events, then lets the ones already received finish and their call states be written. */
  async stop(): Promise<void> {
    await this.esl.stop();
    this.reorder.flush();
    await this.ingest.whenIdle();
    await this.ingest.saved();
  }

  /**
   * A call missing from the snapshot may still have its last events on the way (sent just before the
   * answer, or held for reordering): let them be handled first, so such a call ends with its real hangup
   * and talk time instead of being closed out with what was known.
   */
  private async reconcile(): Promise<void> {
    try {
      // A call that starts after this moment is not in `known` and is never judged by this snapshot.
      const known = this.ingest.openCallIds();
      const knownLegs = this.ingest.openLegIds();
      const active = parseChannelList(await this.esl.api('show channels as json'));
      this.reorder.flush();
      await new Promise((resolve) => setTimeout(resolve, RECONCILE_SETTLE_MS));
      this.reorder.flush();
      await this.ingest.reconcile(active, known, knownLegs);
    } catch (error) {
      this.logger.warn(`Could not reconcile calls with FreeSWITCH after connecting: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
