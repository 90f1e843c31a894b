import type { DataSource } from 'typeorm';
import { SYNC_ENTITIES, type SyncEntity } from '../common/vocabulary.js';
import { applySyncStateToMetrics, type SyncMetricsState } from '../metrics/apply-run-summary.js';
import type { MetricsRestorer } from '../metrics/metrics-restore.service.js';
import type { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { MatchStore } from './match-store.js';
import { SyncFindingsReader } from './sync-findings.reader.js';

const isSyncEntity = (v: string): v is SyncEntity => (SYNC_ENTITIES as readonly string[]).includes(v);

/** Sync's gauges from its tables at start: last success per entity, dead letters, open conflicts, open review items. */
export class SyncMetricsRestore implements MetricsRestorer {
  readonly name = 'sync';

  constructor(private readonly db: DataSource) {}

  async restore(metrics: SverkaMetrics): Promise<boolean> {
    const reader = new SyncFindingsReader(this.db);
    const state: SyncMetricsState = { lastSuccess: {}, deadLetters: {}, openConflicts: {} };
    for (const [entity, at] of await reader.lastSuccess())
      if (isSyncEntity(entity)) state.lastSuccess[entity] = at;
    for (const [entity, n] of await reader.deadLetterCounts())
      if (isSyncEntity(entity)) state.deadLetters[entity] = n;
    for (const [entity, n] of await reader.openConflictCounts())
      if (isSyncEntity(entity)) state.openConflicts![entity] = n;
    state.openMatches = await new MatchStore(this.db).openCounts();
    applySyncStateToMetrics(metrics, state);
    return true;
  }
}
