export { ConnectorMetrics, type MetricSources } from './connector-metrics';
export { MetricsModule } from './metrics.module';
