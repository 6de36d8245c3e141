// Nest wiring of metrics and readiness: it only reads the other modules' objects.
import { CrmClient } from '@cc360/crm';
import { Delivery } from '@cc360/delivery';
import { EslClient } from '@cc360/esl';
import { CallIngest } from '@cc360/ingest';
import { MakecallService } from '@cc360/makecall';
import { RecordingServer } from '@cc360/recordings';
import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { ConnectorMetrics } from './connector-metrics';
import { MetricsController } from './metrics.controller';

@Module({})
export class MetricsModule {
  /** `imports` must export Delivery, EslClient, CallIngest, CrmClient and MakecallService. */
  static forRoot(imports: NonNullable<ModuleMetadata['imports']>): DynamicModule {
    return {
      module: MetricsModule,
      imports,
      controllers: [MetricsController],
      providers: [
        {
          provide: ConnectorMetrics,
          inject: [EslClient, Delivery, CallIngest, CrmClient, MakecallService, { token: RecordingServer, optional: true }],
          useFactory: (esl: EslClient, delivery: Delivery, ingest: CallIngest, crm: CrmClient, makecall: MakecallService, recordings?: RecordingServer) =>
            new ConnectorMetrics({ esl, delivery, ingest, crm, makecall, recordings }),
        },
      ],
    };
  }
}
