export { CALL_EVENTS, CallIngest, type IngestStats, type PublishNotification, type RecordingUrls } from './call-ingest';
export { CallStateStore, type CallStateStoreOptions } from './call-state-store';
export { parseChannelList } from './channel-list';
export type { IngestObserver } from './ingest-observer';
export { FreeswitchIngest, type FreeswitchConnection } from './freeswitch-ingest';
export { IngestModule, type IngestModuleOptions } from './ingest.module';
export { OwedNotifications, type CallWritten } from './owed-notifications';
