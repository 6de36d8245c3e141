// Wires the libraries into the connector service; no logic of its own lives here.
import type { ConnectorConfig } from '@cc360/config';
import { CrmClient } from '@cc360/crm';
import { DeliveryModule, NOTIFICATION_SENDER } from '@cc360/delivery';
import { IngestModule } from '@cc360/ingest';
import { CallJournal, JournalModule } from '@cc360/journal';
import { MakecallModule } from '@cc360/makecall';
import { MetricsModule } from '@cc360/metrics';
import { DashboardModule } from '@cc360/admin';
import { laneQueueNames } from '@cc360/delivery';
import { ConnectorRecorder, DownloadBudget, RecordingClaims, RecordingLinks, RecordingsModule, recordingUrlsFor } from '@cc360/recordings';
import { EslClient } from '@cc360/esl';
import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';

export const CONNECTOR_CONFIG = Symbol('CONNECTOR_CONFIG');

@Injectable()
class CrmClientCloser implements OnApplicationShutdown {
  constructor(@Inject(CrmClient) private readonly crm: CrmClient) {}
  onApplicationShutdown(): void {
    this.crm.close();
  }
}

@Module({})
class CrmModule {
  static forRoot(config: ConnectorConfig): DynamicModule {
    return {
      module: CrmModule,
      providers: [
        {
          provide: CrmClient,
          useFactory: () =>
            new CrmClient({
              baseUrl: config.crm.baseUrl,
              pathPrefix: config.crm.pathPrefix,
              auth: config.crm.auth,
              token: config.crm.token,
              timeoutMs: config.crm.timeoutMs,
              logger: new Logger('CrmClient'),
            }),
        },
        { provide: NOTIFICATION_SENDER, useExisting: CrmClient },
        CrmClientCloser,
      ],
      exports: [CrmClient, NOTIFICATION_SENDER],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: ConnectorConfig): DynamicModule {
    const crmModule = CrmModule.forRoot(config);
    const journal =
      config.journalTtlMs > 0
        ? CallJournal.connect(config.redisUrl, { prefix: 'cc360', ttlMs: config.journalTtlMs, maxRedisMemoryBytes: config.journalMaxRedisBytes, logger: new Logger('CallJournal') })
        : undefined;
    const deliveryModule = DeliveryModule.forRoot({
      imports: [crmModule],
      redisUrl: config.redisUrl,
      prefix: 'cc360',
      laneCount: config.delivery.concurrency,
      retry: {
        initialDelayMs: config.delivery.retryInitialMs,
        maxDelayMs: config.delivery.retryMaxMs,
        maxAgeMs: config.delivery.maxAgeMs,
      },
      dedupWindowMs: config.delivery.dedupWindowMs,
      lockDurationMs: config.delivery.takeoverAfterMs,
      gatePollMs: 5_000,
      outboxMaxBuffered: config.delivery.bufferMax,
      keepCompleted: 200,
      keepFailedMs: 14 * 24 * 3_600_000,
      consume: true,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      attemptObserver: journal,
    });
    const links =
      config.recordings.mode === 'off' || config.recordings.publicBaseUrl === undefined
        ? undefined
        : new RecordingLinks({
            publicBaseUrl: config.recordings.publicBaseUrl,
            token: config.makecall.token,
            recordingsDir: config.recordings.dir,
            linkTtlMs: config.recordings.linkTtlMs,
          });
    const ingestModule = IngestModule.forRoot({
      recordingUrls: links ? recordingUrlsFor(links) : () => [],
      imports: [deliveryModule],
      redisUrl: config.redisUrl,
      // Each FreeSWITCH node's calls apart: a connector reconciles only the calls its own node can show.
      prefix: config.freeswitch.nodeId === undefined ? 'cc360' : `cc360:node:${config.freeswitch.nodeId}`,
      freeswitch: {
        host: config.freeswitch.host,
        port: config.freeswitch.port,
        password: config.freeswitch.password,
        reorderWindowMs: config.freeswitch.reorderWindowMs,
        heartbeatTimeoutMs: config.freeswitch.silenceTimeoutMs,
      },
      model: config.calls,
      observer: journal,
    });
    const makecallModule = MakecallModule.forRoot({
      imports: [ingestModule],
      token: config.makecall.token,
      ratePerSecond: config.makecall.ratePerSecond,
      agentExtension: config.calls.agentExtensionPattern,
      context: config.makecall.context,
      dialString: config.makecall.dialString,
    });
    const budget = new DownloadBudget({ maxDownloads: config.recordings.maxDownloads, bytesPerSecond: config.recordings.maxBytesPerSecond });
    const recordingModule = links ? RecordingsModule.forRoot({ links, token: config.makecall.token, budget }) : undefined;
    const journalModule = journal ? JournalModule.forRoot(journal) : undefined;
    return {
      module: AppModule,
      imports: [
        crmModule,
        deliveryModule,
        ingestModule,
        makecallModule,
        MetricsModule.forRoot([crmModule, deliveryModule, ingestModule, makecallModule, ...(recordingModule ? [recordingModule] : []), ...(journalModule ? [journalModule] : [])]),
        ...(recordingModule ? [recordingModule] : []),
        ...(journalModule ? [journalModule] : []),
        ...(config.admin
          ? [DashboardModule.forRoot({ ...config.admin, queueNames: laneQueueNames(config.delivery.concurrency) })]
          : []),
      ],
      providers: [
        { provide: CONNECTOR_CONFIG, useValue: config },
        ...(config.recordings.mode === 'connector'
          ? [
              { provide: RecordingClaims, useFactory: () => RecordingClaims.connect(config.redisUrl, 'cc360') },
              {
                provide: ConnectorRecorder,
                inject: [EslClient, RecordingClaims],
                useFactory: (esl: EslClient, claims: RecordingClaims) => {
                  const recorder = new ConnectorRecorder(esl, config.recordings.dir, config.calls.agentExtensionPattern, undefined, claims);
                  esl.on('event', (event) => recorder.onEvent(event));
                  return recorder;
                },
              },
            ]
          : []),
      ],
    };
  }
}
