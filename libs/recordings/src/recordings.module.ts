// Nest wiring of recording downloads: RecordingsModule.forRoot({ links, token }).
import { Module, type DynamicModule } from '@nestjs/common';
import { RECORDINGS_OPTIONS, RecordingController, RecordingServer, type RecordingsOptions } from './recording.controller';

@Module({})
export class RecordingsModule {
  static forRoot(options: RecordingsOptions): DynamicModule {
    return {
      module: RecordingsModule,
      controllers: [RecordingController],
      providers: [{ provide: RECORDINGS_OPTIONS, useValue: options }, RecordingServer],
      exports: [RecordingServer],
    };
  }
}
