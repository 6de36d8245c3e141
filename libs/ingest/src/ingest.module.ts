// Nest wiring of the FreeSWITCH ingest: started after bootstrap, stopped before delivery drains.
import type { CallModelOptions } from '@cc360/calls';
import { Delivery } from '@cc360/delivery';
import { EslClient } from '@cc360/esl';
import {
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type ModuleMetadata,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import Redis from 'ioredis';
import { CallIngest, type RecordingUrls } from './call-ingest';
import { CallStateStore } from './call-state-store';
import { FreeswitchIngest, type FreeswitchConnection } from './freeswitch-ingest';
import type { IngestObserver } from './ingest-observer';

export interface IngestModuleOptions {
  redisUrl: string;
  prefix: string;
  freeswitch: FreeswitchConnection;
  model: CallModelOptions;
  /** Modules that export Delivery. */
  imports: NonNullable<ModuleMetadata['imports']>;
  /** Recording paths → the URLs call summaries carry (none when recordings are off). */
  recordingUrls: RecordingUrls;
  /** Told about every event and notification of each call (the call journal); optional. */
  observer?: IngestObserver;
}

const STATE_REDIS = Symbol('INGEST_STATE_REDIS');

@Injectable()
class IngestLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    @Inject(FreeswitchIngest) private readonly freeswitch: FreeswitchIngest,
    @Inject(STATE_REDIS) private readonly redis: Redis,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.freeswitch.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.freeswitch.stop();
    this.redis.disconnect();
  }
}

@Module({})
export class IngestModule {
  static forRoot(options: IngestModuleOptions): DynamicModule {
    return {
      module: IngestModule,
      imports: options.imports,
      providers: [
        {
          provide: STATE_REDIS,
          useFactory: () => {
            const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 5_000 });
            redis.on('error', () => undefined); // CallIngest logs store trouble once per outage
            return redis;
          },
        },
        {
          provide: CallIngest,
          inject: [STATE_REDIS, Delivery],
          useFactory: (redis: Redis, delivery: Delivery) =>
            new CallIngest(
              new CallStateStore(redis, { prefix: options.prefix, openTtlMs: 12 * 3_600_000, closedTtlMs: 15 * 60_000 }),
              (notification) => delivery.publish(notification),
              options.model,
              new Logger('CallIngest'),
              options.recordingUrls,
              options.observer,
              (callId) => delivery.written(callId),
            ),
        },
        {
          provide: FreeswitchIngest,
          inject: [CallIngest],
          useFactory: (ingest: CallIngest) => new FreeswitchIngest(options.freeswitch, ingest, new Logger('FreeSWITCH')),
        },
        { provide: EslClient, inject: [FreeswitchIngest], useFactory: (freeswitch: FreeswitchIngest) => freeswitch.esl },
        IngestLifecycle,
      ],
      exports: [FreeswitchIngest, CallIngest, EslClient],
    };
  }
}
