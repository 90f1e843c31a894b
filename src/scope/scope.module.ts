import { Module } from '@nestjs/common';
import { OneCModule } from '../onec/onec.module.js';
import { ScopeService } from './scope.service.js';

/**
 * The pilot scope (ScopeService) for sync and reconciliation; checks the scope's folders at start.
 * The enabled entities (SYNC_ENTITIES) come with the global config: inject ENABLED_ENTITIES
 * (src/scope/enabled-entities.ts).
 */
@Module({
  imports: [OneCModule],
  providers: [ScopeService],
  exports: [ScopeService],
})
export class ScopeModule {}
