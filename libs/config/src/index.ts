export { loadConnectorConfig, type ConnectorConfig, type CrmAuthMode, type LogLevel } from './connector-config';
export { ConfigError, EnvReader, parseDuration } from './env-reader';
