import { loadSettings } from '../config/settings.js';
import { resolveMapping } from '../config/resolve-mapping.js';
import { createCrmPort } from '../crm/crm.module.js';
import { createDataSource } from '../database/data-source.js';
import { describeError } from '../common/describe-error.js';
import { SYNC_ENTITIES, type SyncEntity } from '../common/vocabulary.js';
import { createOneCPort } from '../onec/onec.module.js';
import { SyncRunnerService, type SyncHook } from '../sync/sync-runner.service.js';

/**
 * Runs one sync from settings (DATABASE_URL, ONEC_*, BITRIX24_*) and exits: 0 succeeded, 2 partial, 1 failed.
 * Flags: `--full`, `--entities counterparties,contacts`.
 * Crash tests: SYNC_CRASH_AT=<point>:<n> kills the process (SIGKILL) at the n-th time it reaches the
 * point (`after-crm-batch`, `after-link-commit`, `after-requisite-batch`).
 */
async function main(): Promise<number> {
  const settings = await loadSettings({ mode: 'embedded' });
  if (!settings.DATABASE_URL) throw new Error('DATABASE_URL is not set');
  const mapping = await resolveMapping(settings);
  const ds = createDataSource(settings.DATABASE_URL, { poolSize: 2, applicationName: 'sverka-sync-once' });
  await ds.initialize();
  try {
    if (settings.DB_MIGRATE) await ds.runMigrations({ transaction: 'each' });
    const crm = createCrmPort(settings);
    const runner = new SyncRunnerService(ds, mapping, createOneCPort(settings, mapping), crm);
    const crash = process.env.SYNC_CRASH_AT;
    if (crash) {
      const [point, nth] = crash.split(':');
      let seen = 0;
      const hook: SyncHook = (p) => {
        if (p === point && ++seen >= Number(nth || 1)) process.kill(process.pid, 'SIGKILL');
      };
      runner.hook = hook;
    }
    const args = process.argv.slice(2);
    const i = args.indexOf('--entities');
    const entities =
      i >= 0
        ? (args[i + 1]
            .split(',')
            .filter((e) => (SYNC_ENTITIES as readonly string[]).includes(e)) as SyncEntity[])
        : undefined;
    await runner.recoverStale(new Date(Date.now() + 3_600_000)); // a CLI run owns the database: any `running` run is left over
    const run = await runner.runNow({ trigger: 'cli', entities, full: args.includes('--full') });
    process.stdout.write(
      `${JSON.stringify({ id: run.id, status: run.status, stats: run.stats, error: run.error })}\n`,
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
