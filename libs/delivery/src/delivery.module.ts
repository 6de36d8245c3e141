// Nest wiring of the delivery pipeline: lanes registered with @nestjs/bullmq (so dashboards find them),
// the Delivery object built from them, started at bootstrap and drained before the queues close.
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import {
  Inject,
  Injectable,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type ModuleMetadata,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Delivery, type DeliveryOptions } from './delivery';
import { laneQueueNames } from './lanes';
import type { NotificationSender } from './lane-workers';
import { producerRedisOptions } from './redis-connection';

/** Provide this token (e.g. with the CRM client) in a module passed as `imports`. */
export const NOTIFICATION_SENDER = Symbol('NOTIFICATION_SENDER');
const SHUTDOWN_TIMEOUT = Symbol('DELIVERY_SHUTDOWN_TIMEOUT');

export interface DeliveryModuleOptions extends Omit<DeliveryOptions, 'logger'> {
  shutdownTimeoutMs: number;
  /** Modules that export NOTIFICATION_SENDER. */
  imports: NonNullable<ModuleMetadata['imports']>;
}

@Injectable()
class DeliveryLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly delivery: Delivery,
    @Inject(SHUTDOWN_TIMEOUT) private readonly shutdownTimeoutMs: number,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.delivery.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.delivery.stop(this.shutdownTimeoutMs);
  }
}

@Module({})
export class DeliveryModule {
  static forRoot(options: DeliveryModuleOptions): DynamicModule {
    const { imports, shutdownTimeoutMs, ...deliveryOptions } = options;
    const names = laneQueueNames(options.laneCount);
    return {
      module: DeliveryModule,
      imports: [
        ...imports,
        BullModule.forRoot({ connection: producerRedisOptions(options.redisUrl), prefix: options.prefix }),
        BullModule.registerQueue(...names.map((name) => ({ name }))),
      ],
      providers: [
        { provide: SHUTDOWN_TIMEOUT, useValue: shutdownTimeoutMs },
        {
          provide: Delivery,
          inject: [NOTIFICATION_SENDER, ...names.map((name) => getQueueToken(name))],
          useFactory: (sender: NotificationSender, ...queues: Queue[]) =>
            new Delivery({ ...deliveryOptions, logger: new Logger('Delivery') }, queues, sender),
        },
        DeliveryLifecycle,
      ],
      exports: [Delivery, BullModule],
    };
  }
}
