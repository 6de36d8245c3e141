export { ConnectorRecorder } from './connector-recorder';
export { RecordingDownloadController, RecordingDownloads } from './recording-download.controller';
export { RecordingDownloadModule } from './recording-download.module';
export { contentTypeOf, findRecording, parseRange, type RecordingFile } from './recording-file';
export { RecordingLinks, type LinkCheck, type RecordingLinkOptions } from './recording-links';
export { recordingUrlsFor } from './recording-urls';
