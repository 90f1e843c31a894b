import { loadSettings } from '../config/settings.js';
import { resolveMapping } from '../config/resolve-mapping.js';
import { createCrmPort } from '../crm/crm.module.js';
import { createDataSource } from '../database/data-source.js';
import { describeError } from '../common/describe-error.js';
import { createOneCPort } from '../onec/onec.module.js';
import { ActiveRunError } from '../runs/run.types.js';
import { crashHook } from '../sync/crash-hook.js';
import { parseSyncOnceArgs } from './sync-once-args.js';
import { SyncRunnerService } from '../sync/sync-runner.service.js';
import { ScopeService } from '../scope/scope.service.js';
import { enabledEntitiesOf } from '../scope/enabled-entities.js';
import type { SyncRunRow } from '../sync/sync-store.js';

/**
 * Runs one sync from settings (DATABASE_URL, ONEC_*, the CRM's) and exits: 0 succeeded, 2 partial, 1 failed,
 * 3 refused (another sync stayed active). Flags: `--full`, `--entities counterparties,contacts`,
 * `--wait <seconds>` (default 30): how long to wait for an active sync to end before refusing.
 * Same rules as the service (src/runs/): a live instance's run is never taken over, a dead one is recovered.
 * Crash tests: SYNC_CRASH_AT=<point>:<n> kills the process (SIGKILL) at the n-th time it reaches the
 * point (SYNC_HOOK_POINTS in src/sync/plan-applier.ts; an unknown point is refused).
 */
async function main(): Promise<number> {
  const args = parseSyncOnceArgs(process.argv.slice(2));
  const settings = await loadSettings({ mode: 'embedded' });
  if (!settings.DATABASE_URL) throw new Error('DATABASE_URL is not set');
  const mapping = await resolveMapping(settings);
  const ds = createDataSource(settings.DATABASE_URL, { poolSize: 2, applicationName: 'sverka-sync-once' });
  await ds.initialize();
  try {
    if (settings.DB_MIGRATE) await ds.runMigrations({ transaction: 'each' });
    const crm = createCrmPort(settings, mapping);
    const onec = createOneCPort(settings, mapping);
    // The same pilot scope and switched-on entities as the service (README.md#going-live).
    const enabled = enabledEntitiesOf(settings);
    const off = (args.entities ?? []).filter((e) => !enabled.includes(e));
    if (off.length)
      throw new Error(`--entities: ${off.join(', ')} switched off by SYNC_ENTITIES (${enabled.join(',')})`);
    const scope = new ScopeService(mapping, onec);
    const runner = new SyncRunnerService(ds, mapping, onec, crm, null, null, null, null, scope, enabled);
    if (settings.SYNC_CRASH_AT) runner.hook = crashHook(settings.SYNC_CRASH_AT);
    const req = { trigger: 'cli' as const, entities: args.entities, full: args.full, dryRun: args.dryRun };
    const waitMs = args.waitMs;
    const deadline = Date.now() + waitMs;
    let created: SyncRunRow | null = null;
    for (;;) {
      try {
        // A dead run (its instance's lock is gone) is recovered inside create; a live one is waited for.
        created = (await runner.create(req)).run;
        break;
      } catch (e) {
        if (!(e instanceof ActiveRunError)) throw e;
        if (Date.now() >= deadline) {
          process.stderr.write(
            `sync not started: sync run ${e.activeRunId} is active on a live instance (waited ${waitMs / 1000} s); not starting a second writer\n`,
          );
          return 3;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    await runner.execute(created.id);
    const run = (await runner.store.getRun(created.id))!;
    process.stdout.write(
      `${JSON.stringify({ id: run.id, status: run.status, stats: run.stats, ...(run.dry_run ? { dryRun: true, plan: run.plan } : {}), error: run.error })}\n`,
    );
    return run.status === 'succeeded' ? 0 : run.status === 'partial' ? 2 : 1;
  } finally {
    await ds.destroy();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`sync failed: ${describeError(e)}\n`);
    process.exitCode = 1;
  },
);
