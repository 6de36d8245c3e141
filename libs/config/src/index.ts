export { connectorVariables, loadConnectorConfig, type ConnectorConfig, type CrmAuthMode, type LogFormat, type LogLevel } from './connector-config';
export { ConfigError, EnvReader, parseDuration, type VariablesRead } from './env-reader';
