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
import Redis from 'ioredis';
import { Delivery, type DeliveryOptions } from './delivery';
import { laneQueueNames } from './lanes';
import type { NotificationSender } from './lane-workers';
import { producerRedisOptions } from './redis-connection';

/** Provide this token (e.g. with the CRM client) in a module passed as `imports`. */
export const NOTIFICATION_SENDER = Symbol('NOTIFICATION_SENDER');
const SHUTDOWN_TIMEOUT = Symbol('DELIVERY_SHUTDOWN_TIMEOUT');
const PRODUCER_CONNECTION = Symbol('DELIVERY_PRODUCER_CONNECTION');

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
    @Inject(PRODUCER_CONNECTION) private readonly producerConnection: Redis,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.delivery.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.delivery.stop(this.shutdownTimeoutMs);
    await Promise.all(this.delivery.queues.map((queue) => queue.close()));
    this.producerConnection.disconnect();
  }
}

@Module({})
export class DeliveryModule {
  static forRoot(options: DeliveryModuleOptions): DynamicModule {
    const { imports, shutdownTimeoutMs, ...deliveryOptions } = options;
    const names = laneQueueNames(options.laneCount);
    // All lane queues share one producer connection (see LaneWorkers for why sockets matter).
    const producerConnection = new Redis(producerRedisOptions(options.redisUrl));
    producerConnection.on('error', () => undefined); // the outbox reports outages, once each
    return {
      module: DeliveryModule,
      imports: [
        ...imports,
        BullModule.forRoot({ connection: producerConnection, prefix: options.prefix }),
        BullModule.registerQueue(...names.map((name) => ({ name }))),
      ],
      providers: [
        { provide: SHUTDOWN_TIMEOUT, useValue: shutdownTimeoutMs },
        { provide: PRODUCER_CONNECTION, useValue: producerConnection },
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
