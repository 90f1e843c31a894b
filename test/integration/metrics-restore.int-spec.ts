import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source.js';
import { MetricsRestoreService } from '../../src/metrics/metrics-restore.service.js';
import { ReconcileMetricsRestore } from '../../src/reconcile/reconcile-metrics.restore.js';
import { SyncMetricsRestore } from '../../src/sync/sync-metrics.restore.js';

/** The restore as the service wires it: each module's restorer over its own tables. */
function restoreOver(metrics: SverkaMetrics, db?: DataSource): MetricsRestoreService {
  const r = new MetricsRestoreService(metrics);
  if (db) {
    r.register(new ReconcileMetricsRestore(db));
    r.register(new SyncMetricsRestore(db));
  }
  return r;
}
import { SverkaMetrics } from '../../src/metrics/sverka-metrics.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** A line of the exposition, e.g. `sverka_open_debt_rub{system="onec"} 1520000`. */
async function exposition(m: SverkaMetrics): Promise<string> {
  return m.registry.metrics();
}

describe('metrics restored from the database at start (a restart does not blank the dashboards)', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('metrics_restore');
    ds = createDataSource(db.url, { poolSize: 2 });
    await ds.initialize();
    await ds.runMigrations();
    const summary = (n: number, dup: boolean) => ({
      counts: { counterparties: { onec: 1200 + n, crm: 1195, linked: 1190 } },
      discrepancies: { field_mismatch: n },
      discrepanciesByEntity: { counterparties: { field_mismatch: n } },
      debts: { onecTotal: '1520000.00', crmTotal: '1498000.25', mismatched: 7 },
      ...(dup ? { duplicates: { onec: 3, crm: 5, cross: 9 } } : {}),
    });
    // Oldest to newest: a scheduled run with dedupe, an API run without, a failed run, a running one.
    await ds.query(
      `INSERT INTO reconciliation_run (status, trigger, summary, started_at, finished_at) VALUES
        ('succeeded', 'schedule', $1, '2026-11-27T03:00:00Z', '2026-11-27T03:05:00Z'),
        ('partial',   'api',      $2, '2026-11-28T09:00:00Z', '2026-11-28T09:02:00Z'),
        ('failed',    'api',      NULL, '2026-11-28T10:00:00Z', '2026-11-28T10:00:05Z'),
        ('running',   'api',      NULL, '2026-11-28T11:00:00Z', NULL)`,
      [JSON.stringify(summary(12, true)), JSON.stringify(summary(4, false))],
    );
    const [run] = await ds.query(
      `INSERT INTO sync_run (status, trigger, entities, stats, started_at, finished_at) VALUES
        ('succeeded', 'schedule', '{counterparties,contacts}', '{"counterparties":{"failed":0},"contacts":{"failed":0}}', '2026-11-28T08:00:00Z', '2026-11-28T08:01:00Z'),
        ('partial',   'schedule', '{counterparties,contacts,deals}', '{"counterparties":{"failed":2},"contacts":{"failed":0}}', '2026-11-28T08:15:00Z', '2026-11-28T08:16:00Z'),
        ('failed',    'schedule', '{counterparties,contacts,deals}', '{}', '2026-11-28T08:30:00Z', '2026-11-28T08:30:01Z')
       RETURNING id`,
    );
    await ds.query(
      `INSERT INTO sync_item_failure (run_id, entity, onec_ref, last_error, dead) VALUES
        ($1, 'counterparties', 'ref-1', 'INVALID: bad INN', true),
        ($1, 'counterparties', 'ref-2', 'INVALID: bad INN', true),
        ($1, 'contacts', 'ref-3', 'TEMPORARY: timeout', false)`,
      [run.id],
    );
    await ds.query(
      `INSERT INTO sync_conflict (entity, onec_ref, crm_id, field, onec_value, crm_value, status, resolution, resolved_at) VALUES
        ('contacts', 'ref-4', '40', 'phones', '+74950000001', '+74950000002', 'open', NULL, NULL),
        ('contacts', 'ref-5', '41', 'emails', 'a@b.ru', 'c@d.ru', 'open', NULL, NULL),
        ('counterparties', 'ref-6', '42', 'title', 'A', 'B', 'resolved', 'crm', now())`,
    );
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('sets the gauges of the latest runs, replaying them oldest first, and the sync state', async () => {
    const metrics = new SverkaMetrics({ defaultMetrics: false });
    const restore = restoreOver(metrics, ds);
    expect(await restore.restore()).toEqual({ reconcileRuns: 2, sync: true });
    const text = await exposition(metrics);

    // The partial run of the 28th is the latest: its counts and discrepancies, its finish time.
    expect(text).toContain('sverka_reconcile_discrepancies{entity="counterparties",kind="field_mismatch"} 4');
    expect(text).toContain('sverka_reconcile_discrepancies{entity="contacts",kind="missing_in_crm"} 0');
    expect(text).toContain('sverka_reconcile_records{entity="counterparties",system="onec"} 1204');
    expect(text).toContain(
      `sverka_reconcile_last_success_timestamp_seconds ${Date.parse('2026-11-28T09:02:00Z') / 1000}`,
    );
    expect(text).toContain('sverka_open_debt_rub{system="crm"} 1498000.25');
    // It ran without dedupe: the clusters come from the scheduled run before it.
    expect(text).toContain('sverka_duplicate_clusters{scope="cross"} 9');

    // Sync: each entity's last step that ran without a failed record (as the live gauge); the failed run
    // does not count; dead letters only.
    expect(text).toContain(
      `sverka_sync_last_success_timestamp_seconds{entity="counterparties"} ${Date.parse('2026-11-28T08:01:00Z') / 1000}`,
    );
    expect(text).toContain(
      `sverka_sync_last_success_timestamp_seconds{entity="contacts"} ${Date.parse('2026-11-28T08:16:00Z') / 1000}`,
    );
    expect(text).not.toContain('sverka_sync_last_success_timestamp_seconds{entity="deals"}');
    expect(text).toContain('sverka_sync_dead_letters{entity="counterparties"} 2');
    expect(text).toContain('sverka_sync_dead_letters{entity="contacts"} 0');
    // Open field conflicts only (a resolved one is not counted); every entity has a value.
    expect(text).toContain('sverka_sync_conflicts_open{entity="contacts"} 2');
    expect(text).toContain('sverka_sync_conflicts_open{entity="counterparties"} 0');
    expect(text).toContain('sverka_sync_conflicts_open{entity="deals"} 0');
  });

  it('tolerates a database without the tables (migrations not run) and no module registered', async () => {
    const empty = await createTestDatabase('metrics_restore_empty');
    const eds = createDataSource(empty.url, { poolSize: 1 });
    await eds.initialize();
    try {
      const metrics = new SverkaMetrics({ defaultMetrics: false });
      // Each module's restore fails on its missing tables: logged, the application goes on.
      expect(await restoreOver(metrics, eds).restore()).toEqual({ reconcileRuns: false, sync: false });
      expect(await restoreOver(metrics).restore()).toEqual({});
      expect(await exposition(metrics)).not.toMatch(/^sverka_reconcile_discrepancies\{/m);
    } finally {
      await eds.destroy();
      await empty.drop();
    }
  });
});
