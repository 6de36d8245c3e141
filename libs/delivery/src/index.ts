export { Delivery, DELIVERY_DEFAULTS, createLaneQueues, type DeliveryOptions, type LaneQueues } from './delivery';
export type { DeliveredEvent, DeliveryEvents, FailedEvent, RetryingEvent } from './delivery-events';
export { deliveryJobId, notificationKind, type DeliveryJobData } from './delivery-job';
export { laneOf, laneQueueName, laneQueueNames, QUEUE_NAME_PREFIX } from './lanes';
export type { NotificationSender } from './lane-workers';
export type { OutboxStats, PublishResult } from './notification-outbox';
export { producerRedisOptions, redisOptionsFromUrl } from './redis-connection';
export { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './retry-policy';
export { DeliveryModule, NOTIFICATION_SENDER, type DeliveryModuleOptions } from './delivery.module';
