import { Module } from '@nestjs/common';
import { SyncModule } from '../sync/sync.module.js';
import { ConflictTodosScheduler } from './conflict-todos.scheduler.js';
import { ConflictTodosService } from './conflict-todos.service.js';

/**
 * Conflict to-dos in the CRM (mapping `conflicts.todo`): the upkeep service and its scheduler. Uses sync's
 * ConflictsService and SyncRunnerService, the global CRM_PORT, SETTINGS, MAPPING and SverkaMetrics.
 * Others read its table through ConflictTodoReader (conflict-todo.reader.ts).
 */
@Module({
  imports: [SyncModule],
  providers: [ConflictTodosService, ConflictTodosScheduler],
  exports: [ConflictTodosService],
})
export class ConflictTodosModule {}
