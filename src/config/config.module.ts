import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Mapping } from '../mapping/mapping.types.js';
import { MAPPING } from '../mapping/mapping.tokens.js';
import { ENABLED_ENTITIES, enabledEntitiesOf } from '../scope/enabled-entities.js';
import { SETTINGS, type Settings } from './settings.js';

/**
 * Global settings, mapping and the enabled entities (SYNC_ENTITIES). The caller (main.ts, the demo, tests) validates both before the
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
        // SYNC_ENTITIES as an EnabledEntities (src/scope/scope.types.ts), for sync and reconciliation.
        { provide: ENABLED_ENTITIES, useValue: enabledEntitiesOf(settings) },
      ],
      exports: [SETTINGS, MAPPING, ENABLED_ENTITIES],
    };
  }
}
