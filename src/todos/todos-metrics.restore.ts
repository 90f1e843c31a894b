import type { DataSource } from 'typeorm';
import type { MetricsRestorer } from '../metrics/metrics-restore.service.js';
import type { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { ConflictTodoReader } from './conflict-todo.reader.js';

/** The to-do module's gauge from its table at start and every minute: overdue conflict to-dos per entity. */
export class TodosMetricsRestore implements MetricsRestorer {
  readonly name = 'conflictTodos';

  constructor(private readonly db: DataSource) {}

  async restore(metrics: SverkaMetrics): Promise<number> {
    const overdue = await new ConflictTodoReader(this.db).overdueAt(new Date());
    if (!overdue) return 0;
    for (const [entity, n] of Object.entries(overdue.byEntity)) metrics.conflictsOverdue.set({ entity }, n);
    return overdue.total;
  }
}
