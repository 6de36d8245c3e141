// Nest wiring of metrics and health (Terminus): it only reads the other modules' objects.
import { CrmClient } from '@cc360/crm';
import { Delivery } from '@cc360/delivery';
import { EslClient } from '@cc360/esl';
import { CallIngest } from '@cc360/ingest';
import { CallJournal } from '@cc360/journal';
import { MakecallService } from '@cc360/makecall';
import { RecordingServer } from '@cc360/recordings';
import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ConnectorMetrics } from './connector-metrics';
import { HealthController } from './health.controller';
import { ConnectorHealthIndicators } from './health-indicators';
import { MetricsController } from './metrics.controller';

@Module({})
export class MetricsModule {
  /** `imports` must export Delivery, EslClient, CallIngest, CrmClient and MakecallService. */
  static forRoot(imports: NonNullable<ModuleMetadata['imports']>): DynamicModule {
    return {
      module: MetricsModule,
      // Terminus would log every failed check: probes every few seconds would flood the log while
      // FreeSWITCH is away. The parts log their own state changes instead, once each.
      imports: [...imports, TerminusModule.forRoot({ logger: false })],
      controllers: [MetricsController, HealthController],
      providers: [
        ConnectorHealthIndicators,
        {
          provide: ConnectorMetrics,
          inject: [EslClient, Delivery, CallIngest, CrmClient, MakecallService, { token: RecordingServer, optional: true }, { token: CallJournal, optional: true }],
          useFactory: (esl: EslClient, delivery: Delivery, ingest: CallIngest, crm: CrmClient, makecall: MakecallService, recordings?: RecordingServer, journal?: CallJournal) =>
            new ConnectorMetrics({ esl, delivery, ingest, crm, makecall, recordings, journal }),
        },
      ],
    };
  }
}
