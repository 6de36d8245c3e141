// Nest wiring of click-to-call: the controller, and the service on the connector's ESL connection.
import { EslClient } from '@cc360/esl';
import { Logger, Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { MAKECALL_SETTINGS, MakecallController, type MakecallSettings } from './makecall.controller';
import { MakecallService } from './makecall-service';

export interface MakecallModuleOptions extends MakecallSettings {
  agentExtension: RegExp;
  context: string;
  dialString?: string;
  /** Modules that export EslClient. */
  imports: NonNullable<ModuleMetadata['imports']>;
}

@Module({})
export class MakecallModule {
  static forRoot(options: MakecallModuleOptions): DynamicModule {
    return {
      module: MakecallModule,
      imports: options.imports,
      controllers: [MakecallController],
      providers: [
        { provide: MAKECALL_SETTINGS, useValue: { token: options.token, ratePerSecond: options.ratePerSecond } },
        {
          provide: MakecallService,
          inject: [EslClient],
          useFactory: (esl: EslClient) =>
            new MakecallService(esl, {
              agentExtension: options.agentExtension,
              context: options.context,
              dialString: options.dialString,
              logger: new Logger('Makecall'),
            }),
        },
      ],
      exports: [MakecallService],
    };
  }
}
