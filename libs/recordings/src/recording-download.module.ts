// Nest wiring of recording downloads.
import { Module, type DynamicModule } from '@nestjs/common';
import { RecordingDownloadController, RecordingDownloads } from './recording-download.controller';
import { RecordingLinks } from './recording-links';

@Module({})
export class RecordingDownloadModule {
  static forRoot(links: RecordingLinks, token: string): DynamicModule {
    return {
      module: RecordingDownloadModule,
      controllers: [RecordingDownloadController],
      providers: [
        { provide: RecordingLinks, useValue: links },
        { provide: 'RECORDING_TOKEN', useValue: token },
        RecordingDownloads,
      ],
      exports: [RecordingDownloads],
    };
  }
}
