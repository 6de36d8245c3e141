export { ConnectorRecorder } from './connector-recorder';
export { RecordingLinks, type LinkCheck, type RecordingLinkOptions } from './recording-links';
export { recordingUrlsFor } from './recording-urls';
