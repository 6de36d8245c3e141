export { ConnectorRecorder } from './connector-recorder';
export { DownloadBudget, type DownloadBudgetOptions } from './download-budget';
export { RecordingClaims } from './recording-claims';
export { RecordingServer, RecordingController, type DownloadResult, type RecordingsOptions } from './recording.controller';
export { RecordingsModule } from './recordings.module';
export { parseRecordingPath, recordingContentType, resolveRecording } from './recording-files';
export { RecordingLinks, type LinkCheck, type RecordingLinkOptions } from './recording-links';
export { recordingUrlsFor } from './recording-urls';
