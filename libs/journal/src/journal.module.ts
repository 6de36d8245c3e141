// Nest wiring of the call journal: the app builds the journal (ingest and delivery take it as their
// observer) and this module writes what is left and closes its connection after delivery has drained.
import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CallJournal } from './call-journal';

@Injectable()
class JournalLifecycle implements OnApplicationShutdown {
  constructor(@Inject(CallJournal) private readonly journal: CallJournal) {}

  onApplicationShutdown(): Promise<void> {
    return this.journal.close();
  }
}

@Module({})
export class JournalModule {
  static forRoot(journal: CallJournal): DynamicModule {
    return {
      module: JournalModule,
      providers: [{ provide: CallJournal, useValue: journal }, JournalLifecycle],
      exports: [CallJournal],
    };
  }
}
