export { ConnectorMetrics, type MetricSources } from './connector-metrics';
export { MetricsModule } from './metrics.module';
export { HealthController } from './health.controller';
export { ConnectorHealthIndicators, REDIS_PING_TIMEOUT_MS } from './health-indicators';
