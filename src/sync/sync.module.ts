import { MatchesController } from './matches.controller.js';
import { Module } from '@nestjs/common';
import { OneCModule } from '../onec/onec.module.js';
import { ScopeModule } from '../scope/scope.module.js';
import { ScopeService } from '../scope/scope.service.js';
import { SCOPE_RESOLVER } from '../scope/scope.types.js';
import { ConflictsController } from './conflicts.controller.js';
import { ConflictsService } from './conflicts.service.js';
import { FeedPullService } from './feed-pull.service.js';
import { SyncController } from './sync.controller.js';
import { SyncQueryService } from './sync-query.service.js';
import { SyncQueueService } from './sync-queue.service.js';
import { SyncRunnerService } from './sync-runner.service.js';
import { SyncScheduler } from './sync.scheduler.js';

/**
 * Scheduled one-way sync 1C → CRM: runner, queue worker, scheduler, REST (sync runs, status, conflicts),
 * and the pull of the 1C change feed (FeedPullService, wired to the doorbell by src/feed/).
 * CRM_PORT comes from the global CrmModule (null when the CRM is not configured).
 */
@Module({
  imports: [OneCModule, ScopeModule],
  controllers: [SyncController, ConflictsController, MatchesController],
  providers: [
    SyncRunnerService,
    SyncQueueService,
    SyncQueryService,
    ConflictsService,
    SyncScheduler,
    FeedPullService,
    // The pilot scope of each run (README.md#going-live).
    { provide: SCOPE_RESOLVER, useExisting: ScopeService },
  ],
  exports: [SyncRunnerService, SyncQueryService, SyncQueueService, ConflictsService, FeedPullService],
})
export class SyncModule {}
