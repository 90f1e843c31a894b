import { Module } from '@nestjs/common';
import { DedupeModule } from '../dedupe/dedupe.module.js';
import { OneCModule } from '../onec/onec.module.js';
import { ScopeModule } from '../scope/scope.module.js';
import { ReconcileController } from './reconcile.controller.js';
import { ReconcileQueryService } from './reconcile-query.service.js';
import { ReconcileQueueService } from './reconcile-queue.service.js';
import { ReconcileRunnerService } from './reconcile-runner.service.js';
import { ReconcileScheduler } from './reconcile.scheduler.js';

/**
 * Daily reconciliation: runner (snapshot → SQL compare → results), queue worker, scheduler, REST.
 * The CRM port (CRM_PORT) is injected when the CRM module provides it globally or is imported here.
 */
@Module({
  imports: [OneCModule, DedupeModule, ScopeModule],
  controllers: [ReconcileController],
  providers: [ReconcileRunnerService, ReconcileQueryService, ReconcileQueueService, ReconcileScheduler],
  exports: [ReconcileRunnerService, ReconcileQueryService],
})
export class ReconcileModule {}
