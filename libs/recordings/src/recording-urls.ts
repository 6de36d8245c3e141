// The recording URLs a call summary carries: every file of the agent's part of the call that lies in
// RECORDINGS_DIR. A file elsewhere is not published (we could not serve it safely); that is logged once.
import { Logger, type LoggerService } from '@nestjs/common';
import type { RecordingLinks } from './recording-links';

export function recordingUrlsFor(links: RecordingLinks, logger: LoggerService = new Logger('Recordings')): (paths: readonly string[]) => string[] {
  let warned = false;
  return (paths) => {
    const urls: string[] = [];
    for (const path of paths) {
      const url = links.urlFor(path);
      if (url) urls.push(url);
      else if (!warned) {
        warned = true;
        logger.warn(`Recording ${path} is outside RECORDINGS_DIR (${links.recordingsDir}): not published. Record into RECORDINGS_DIR.`);
      }
    }
    return urls;
  };
}
