import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Mapping } from '../mapping/mapping.types.js';
import { MAPPING } from '../mapping/mapping.tokens.js';
import { SETTINGS, type Settings } from './settings.js';

/**
 * Global settings and mapping. The caller (main.ts, the demo, tests) validates both before the
 * application is built, so a wrong setting stops the start before anything connects anywhere.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(settings: Settings, mapping: Mapping): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: SETTINGS, useValue: settings },
        { provide: MAPPING, useValue: mapping },
      ],
      exports: [SETTINGS, MAPPING],
    };
  }
}
