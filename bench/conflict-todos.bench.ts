import { Logger } from '@nestjs/common';
import { pathToFileURL } from 'node:url';
import { Bitrix24Adapter } from '../src/crm/bitrix24/bitrix24.adapter.js';
import { resetPortalLimiters } from '../src/crm/bitrix24/leaky-bucket.js';
import { createDataSource } from '../src/database/data-source.js';
import type { OneCPort } from '../src/onec/onec.port.js';
import { ConflictsService } from '../src/sync/conflicts.service.js';
import { ConflictTodosService, type UpkeepSummary } from '../src/todos/conflict-todos.service.js';
import { startBitrix24Simulator } from '../sim/bitrix24/index.js';
import { simMapping } from '../sim/mapping.js';
import type { BenchRow } from './bench.types.js';
import { numberArgs } from './support/bench-args.js';
import { benchDatabase } from './support/bench-database.js';

/**
 * The cost of conflict to-dos against the portal's request budget (issue 16: to-do upkeep for 1 000 open
 * conflicts ≤ 5 % of the budget per sync interval). The fake portal and the adapter both at the standard
 * plan's bucket (rps 2, burst 50); one sync interval is SYNC_CRON's 15 minutes with a pass every
 * CONFLICT_TODO_CHECK_SECONDS (60 s), i.e. 15 passes, simulated back to back (one simulated clock for
 * the passes and the portal moves a minute per pass; the bucket drains in real time). Budget per
 * interval = rps × 900 s = 1 800 requests. Three
 * intervals: the first (1 000 to-dos made), a quiet one (nothing changes; it includes the hourly full
 * check), a busy one (100 completed by managers, 50 new records with conflicts, 50 second conflicts on
 * records with a to-do, 50 resolved through the API). Every HTTP request the portal saw is counted.
 * Args: `--conflicts=N` (1000), `--rps=R` (2), `--burst=B` (50), `--interval-min=M` (15);
 * BENCH_TODOS_DEBUG=1 also prints each interval's requests by method.
 */
export async function run(args: string[] = []): Promise<BenchRow[]> {
  const arg = numberArgs(args);
  const n = arg('conflicts', 1000);
  const rps = arg('rps', 2);
  const burst = arg('burst', 50);
  const intervalMin = arg('interval-min', 15);
  const budget = rps * intervalMin * 60;
  const extra = 50;
  const db = await benchDatabase('bench_todos');
  const ds = createDataSource(db.url, { poolSize: 4 });
  await ds.initialize();
  Logger.overrideLogger(['error']);
  resetPortalLimiters();
  const companies = Array.from({ length: n + extra }, (_, i) => ({
    title: `ООО «Бенч ${i + 1}»`,
    originatorId: 'sverka-1c',
    originId: `ref-${i + 1}`,
    assignedById: 2 + (i % 4),
  }));
  // One simulated clock for Sverka's passes and the portal (its item times and its `time` blocks).
  let clock = Date.now();
  const sim = await startBitrix24Simulator({
    seed: { companies },
    limits: { rps, burst },
    clock: () => new Date(clock),
  });
  try {
    await ds.query(`DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public`);
    await ds.runMigrations();
    const mapping = simMapping();
    mapping.counterparties.fields.title = { owner: 'both', strategy: 'manual', transforms: ['trim'] };
    const crm = new Bitrix24Adapter({ webhookUrl: sim.webhookUrl, rps, burst });
    const conflicts = new ConflictsService(ds, mapping, crm, {} as OneCPort);
    const todos = new ConflictTodosService(ds, mapping, conflicts, crm);
    const link = (from: number, to: number) =>
      ds.query(
        `INSERT INTO entity_link (entity, onec_ref, crm_id, data_version, pushed_values)
         SELECT 'counterparties', 'ref-' || i, i::text, 'v1', jsonb_build_object('title', 'ООО «Бенч ' || i || '»')
           FROM generate_series($1::int, $2::int) AS i`,
        [from, to],
      );
    const open = (from: number, to: number, field: string) =>
      ds.query(
        `INSERT INTO sync_conflict (entity, onec_ref, crm_id, field, onec_value, crm_value)
         SELECT 'counterparties', 'ref-' || i, i::text, $3, '1С ' || i, 'CRM ' || i FROM generate_series($1::int, $2::int) AS i`,
        [from, to, field],
      );
    await link(1, n + extra);
    await open(1, n, 'title');

    const interval = async (): Promise<{ requests: number; seconds: number; passes: UpkeepSummary[] }> => {
      sim.clearCalls();
      const t0 = Date.now();
      const passes: UpkeepSummary[] = [];
      for (let i = 0; i < intervalMin; i++) {
        passes.push((await todos.upkeep(new Date(clock)))!);
        clock += 60_000;
      }
      if (process.env.BENCH_TODOS_DEBUG) {
        const by = new Map<string, number>();
        for (const c of sim.calls) {
          const k = `${c.method}${c.commands ? `[${[...new Set(c.commands.map((x) => x.method))].join(',')}]` : ''} ${c.status}`;
          by.set(k, (by.get(k) ?? 0) + 1);
        }
        process.stdout.write(`${JSON.stringify([...by])}\n`);
      }
      return { requests: sim.calls.length, seconds: (Date.now() - t0) / 1000, passes };
    };
    const sum = (ps: UpkeepSummary[], k: keyof UpkeepSummary) => ps.reduce((a, p) => a + p[k], 0);
    const share = (r: number) => Math.round((r / budget) * 10_000) / 100;

    const first = await interval();
    const made = sim.state.todos.list().length;
    // An hour on: the quiet interval starts with the hourly full check.
    clock += 60 * 60_000;
    const quiet = await interval();
    // The busy interval: managers complete 100, 50 new records get a conflict, 50 records with a to-do a
    // second one, 50 records' conflicts are resolved through the API.
    const open1 = sim.state.todos.list().filter((a) => a.COMPLETED === 'N');
    for (const a of open1.slice(0, 100)) sim.state.todos.complete(a.ID);
    await open(n + 1, n + extra, 'title');
    await open(201, 200 + extra, 'inn');
    const api = (await ds.query(
      `SELECT id::text AS id FROM sync_conflict WHERE status = 'open' AND field = 'title' AND crm_id::int BETWEEN 301 AND $1`,
      [300 + extra],
    )) as { id: string }[];
    for (const c of api) await conflicts.resolve(c.id, 'crm', 'bench');
    const busy = await interval();

    const row = (name: string, r: { requests: number; seconds: number }, note: string): BenchRow[] => [
      {
        name: `${name}: requests`,
        value: r.requests,
        unit: 'requests',
        note: `${note}; ${r.seconds.toFixed(1)} s`,
      },
      {
        name: `${name}: share of the budget`,
        value: share(r.requests),
        unit: '%',
        note: `of ${budget} requests (rps ${rps} × ${intervalMin} min); goal ≤ 5 %`,
      },
    ];
    return [
      ...row('first interval', first, `${made} to-dos made for ${n} records with a conflict`),
      ...row(
        'quiet interval',
        quiet,
        `${intervalMin} passes, nothing changed, with the hourly full check of ${n} open to-dos`,
      ),
      ...row(
        'busy interval',
        busy,
        `${sum(busy.passes, 'completed')} completed (${sum(busy.passes, 'resolved')} conflicts resolved), ` +
          `${sum(busy.passes, 'created')} made, ${sum(busy.passes, 'updated')} rewritten, ${sum(busy.passes, 'closed')} closed`,
      ),
      {
        name: 'requests per pass, quiet',
        value: Math.round((quiet.requests / intervalMin) * 100) / 100,
        unit: 'requests',
        note: 'one "changed since" look a minute (plus the hourly full check)',
      },
    ];
  } finally {
    Logger.overrideLogger(['log', 'error', 'warn']);
    await sim.close();
    await ds.destroy();
    await db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run(process.argv.slice(2)).then(
    (rows) => {
      for (const r of rows)
        process.stdout.write(`${r.name}: ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
