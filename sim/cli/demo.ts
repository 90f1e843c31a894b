import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ApiKeyService } from '../../src/auth/api-key.service.js';
import { createApp, logUnhandledRejections, stopOnSignals } from '../../src/bootstrap.js';
import { resolveMapping } from '../../src/config/resolve-mapping.js';
import { loadSettings, SettingsError } from '../../src/config/settings.js';
import {
  EmbeddedPostgresError,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from '../../src/database/embedded-postgres.js';
import { ReconcileRunnerService } from '../../src/reconcile/reconcile-runner.service.js';
import { applyDrift, generateDataset, planDrift, writeDataset } from '../dataset/index.js';
import { startDemoCrm, type DemoCrm } from './demo-crm.js';
import { simCrmFromEnv } from './sim-crm.js';
import { SyncRunnerService } from '../../src/sync/sync-runner.service.js';
import type { Role } from '../../src/auth/roles.js';
import {
  addManagerCompanies,
  formatLinking,
  formatPlan,
  formatReviewItem,
  pickGoLive,
  shareInns,
  type GoLivePicks,
} from './demo-go-live.js';
import { DEMO_STATE_FILE } from '../../src/cli/cli-database.js';
import { intEnv } from '../../src/cli/env-int.js';

/** Where the overview dashboard is when Grafana runs as docs/grafana.md shows (port 3001, stable uid). */
const DEMO_GRAFANA_URL = 'http://localhost:3001/d/sverka-overview';

/**
 * `npm run demo`: everything on one machine with only Node. SIM_CRM picks the fake CRM: `bitrix24`
 * (default; data in ./.data) or `amocrm` (data in ./.data/amocrm; the service runs with CRM_KIND=amocrm).
 *
 * First run: embedded PostgreSQL in <data>/pg, both simulators seeded with the generated data set, the
 * service wired to them; managers' companies in the fake CRM, some ambiguous (sim/cli/demo-go-live.ts);
 * a dry run, then a sync that links the managers' companies; CRM-side drift (managers' edits); a
 * reconciliation with dedupe; the e-mail report to ./out/mail. The guide ends with the dry run's plan as
 * CSV and the review queue with a ready resolve call. Later runs restore the fake CRM from <data>/sim and skip straight to
 * serving. Then it keeps running with the schedules on until Ctrl-C.
 */
async function main(): Promise<void> {
  const t0 = Date.now();
  const kind = simCrmFromEnv();
  const seed = intEnv('SIM_SEED', 2026, 0, 2 ** 32 - 1);
  const size = intEnv('SIM_COUNTERPARTIES', 2000, 1, 200_000);

  // The fake 1C is rebuilt from the seed every time; the fake CRM comes back from its save.
  const dataset = generateDataset({ seed, counterparties: size });
  // Go-live cases matching leaves to a person (sim/cli/demo-go-live.ts): two 1C counterparties sharing an INN.
  const goLive = pickGoLive(dataset, planDrift(dataset, dataset.seed + 1));
  shareInns(goLive);
  const sims = await startDemoCrm(kind, dataset);
  // The 1C change feed: the fake 1C serves it and, once the service listens, rings its doorbell.
  const feedSecret = randomBytes(24).toString('hex');
  const restored = sims.restored;
  const dataDir = sims.dataDir;
  if (restored)
    say(
      `Reusing the data of the previous ${sims.label} demo run (delete ${shown(dataDir)} to start afresh)…`,
    );
  else
    say(
      `Started the fake 1C and the fake ${sims.label} on a generated data set (seed ${seed}, ${size} counterparties)…`,
    );

  const env = {
    // Only errors by default: the guide below is what a newcomer should read (LOG_LEVEL=info for more).
    LOG_LEVEL: 'error',
    REPORT_OUTBOX_DIR: resolve('out', 'mail'),
    REPORT_FROM: 'sverka-demo@localhost',
    REPORT_TO: 'quality-lead@example.ru',
    // The report links to the API and to Grafana when these are set; Grafana as docs/grafana.md runs it.
    PUBLIC_URL: `http://localhost:${process.env.PORT || '3000'}`,
    GRAFANA_URL: DEMO_GRAFANA_URL,
    ...process.env,
    ONEC_ODATA_URL: sims.onec.url,
    ONEC_USER: sims.onec.user,
    ONEC_PASSWORD: sims.onec.password,
    ...sims.env,
    ONEC_FEED_URL: sims.onec.feedUrl,
    ONEC_FEED_SECRET: feedSecret,
  };
  let settings;
  try {
    settings = await loadSettings({ mode: 'embedded' }, env);
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`${err.message}\n`);
      await sims.close();
      process.exit(2);
    }
    throw err;
  }

  say(`Starting the embedded PostgreSQL (data in ${shown(resolve(dataDir, 'pg'))})…`);
  let pg: EmbeddedDatabase;
  try {
    pg = await startEmbeddedPostgres({ dir: resolve(dataDir, 'pg'), persistent: true });
  } catch (err) {
    await sims.close();
    if (!(err instanceof EmbeddedPostgresError)) throw err;
    process.stderr.write(`demo failed: ${err.message}\n`);
    process.exit(1);
  }
  if (pg.relocated)
    say(
      `  (the postgres user cannot enter this folder's parents, so the data is in ${pg.dataDir}; ${shown(resolve(dataDir, 'pg'))} links to it)`,
    );
  const databaseUrl = settings.DATABASE_URL ?? pg.url;

  let app: INestApplication | undefined;
  // Ctrl-C during the first run: the signal path below stops everything; the run cut short is no failure.
  let stopRequested = false;
  process.once('SIGINT', () => (stopRequested = true));
  process.once('SIGTERM', () => (stopRequested = true));
  const shutdown = async () => {
    sims.save();
    await sims.close();
    rmSync(DEMO_STATE_FILE, { force: true });
    await pg.stop();
  };
  try {
    const mapping = await resolveMapping(settings);
    app = await createApp({ settings, mapping, databaseUrl });
    logUnhandledRejections();
    stopOnSignals(app, async () => {
      say(`Stopped the service; saving the fake ${sims.label} and stopping the embedded PostgreSQL…`);
      await shutdown();
    });
    await app.listen(settings.PORT);
    sims.onec.sim.setDoorbell({
      url: `http://127.0.0.1:${settings.PORT}/api/v1/events/onec`,
      secret: feedSecret,
    });
    writeFileSync(DEMO_STATE_FILE, JSON.stringify({ databaseUrl, pid: process.pid }));
    const ds = app.get<DataSource>(getDataSourceToken());
    const keys = app.get(ApiKeyService);
    const demoKey = async (name: string, role: Role) => {
      await keys.revoke(name).catch(() => undefined);
      return (await keys.create(name, role)).key;
    };
    const key = await demoKey('demo', 'admin');
    const viewerKey = await demoKey('demo-viewer', 'viewer');
    const operatorKey = await demoKey('demo-operator', 'operator');

    const [{ n: finished }] = (await ds.query(
      `SELECT count(*)::int AS n FROM reconciliation_run WHERE status IN ('succeeded', 'partial')`,
    )) as { n: number }[];
    if (!restored || finished === 0) {
      if (restored) say('The previous demo run stopped before its first reconciliation: running it again…');
      await firstRun(app, ds, sims, dataset, mapping.source, goLive);
      sims.save();
      await writeDataset(dataset, resolve(dataDir, 'dataset'));
    }
    const [latest] = (await ds.query(
      `SELECT id, status, summary FROM reconciliation_run WHERE status IN ('succeeded', 'partial') ORDER BY finished_at DESC LIMIT 1`,
    )) as { id: string; status: string; summary: { discrepancies?: Record<string, number> } }[];
    printGuide(
      settings.PUBLIC_URL ?? `http://localhost:${settings.PORT}`,
      { admin: key, operator: operatorKey, viewer: viewerKey },
      latest,
      sims,
      Date.now() - t0,
    );
    await printGoLiveGuide(
      app,
      ds,
      settings.PUBLIC_URL ?? `http://localhost:${settings.PORT}`,
      { viewer: viewerKey, operator: operatorKey },
      sims,
    );
    await printFeedGuide(ds, sims);
  } catch (err) {
    if (stopRequested) return;
    process.stderr.write(`demo failed: ${(err as Error)?.stack ?? String(err)}\n`);
    await app?.close().catch(() => undefined);
    await shutdown();
    process.exit(1);
  }
}

/**
 * Managers' companies in a fresh fake CRM (go-live) → a dry run → sync → invoices for the linked
 * companies (a CRM with invoices) → managers' drift → reconciliation with dedupe and the report.
 */
async function firstRun(
  app: INestApplication,
  ds: DataSource,
  sims: DemoCrm,
  dataset: ReturnType<typeof generateDataset>,
  originatorId: string,
  goLive: GoLivePicks,
): Promise<void> {
  if (!sims.restored) {
    const added = await addManagerCompanies(goLive, sims.driftTarget(originatorId));
    const copies = dataset.truth.counts.crm.crossDuplicates + added;
    say(
      `Managers already work in the fake ${sims.label}: ${dataset.crm.companies.length + added} companies entered by hand (no 1C key), ${copies} of them copies of 1C counterparties; for ${goLive.twice.length + goLive.shared.length} INNs it is ambiguous which is which`,
    );
  }
  const runner = app.get(SyncRunnerService);
  say('Dry run first: planning the sync without writing anything…');
  const dry = await runner.runNow({ trigger: 'cli', dryRun: true });
  say(`  dry run ${dry.status}: ${formatPlan(dry.plan ?? {})}`);

  say(`Syncing 1C → ${sims.label} (counterparties, contacts, orders)…`);
  const sync = await runner.runNow({ trigger: 'cli' });
  const stats = sync.stats as Record<string, Record<string, number>>;
  say(`  sync ${sync.status}: ${formatStats(stats)}`);
  const linking = formatLinking(stats);
  if (linking) say(`  ${linking}`);

  const links = (await ds.query(
    `SELECT onec_ref, crm_id FROM entity_link WHERE entity = 'counterparties'`,
  )) as {
    onec_ref: string;
    crm_id: string;
  }[];
  const invoices = sims.addInvoices(dataset, new Map(links.map((l) => [l.onec_ref, l.crm_id])));
  if (invoices !== null) say(`  the ${sims.label} managers issued ${invoices} invoices`);

  say(
    `Applying CRM-side drift (edited INNs and titles, deleted companies, moved deals, ${invoices !== null ? 'changed invoices, ' : ''}new duplicates)…`,
  );
  const drift = await applyDrift(planDrift(dataset, dataset.seed + 1), sims.driftTarget(originatorId));
  say(`  ${drift.applied} edits applied`);

  say(
    invoices !== null
      ? 'Reconciling (counts, statuses, debts, fields, sample, validation, duplicates) and writing the report…'
      : `Reconciling (counts, statuses, fields, sample, validation, duplicates; no debts: ${sims.label} has no invoices Sverka reads) and writing the report…`,
  );
  const run = await app
    .get(ReconcileRunnerService)
    .runNow({ trigger: 'cli', dedupe: true, report: true, sampleSize: 50 });
  const total = Object.values(run.summary?.discrepancies ?? {}).reduce((a, b) => a + (b ?? 0), 0);
  say(
    `  reconciliation ${run.status}: ${total} discrepancies, duplicates ${JSON.stringify(run.summary?.duplicates ?? {})}`,
  );
}

function formatStats(stats: Record<string, Record<string, number>>): string {
  return Object.entries(stats)
    .map(([e, s]) => `${e} ${s.created ?? 0} created, ${s.updated ?? 0} updated, ${s.failed ?? 0} failed`)
    .join('; ');
}

function printGuide(
  base: string,
  keys: { admin: string; operator: string; viewer: string },
  latest: { id: string; status: string } | undefined,
  sims: DemoCrm,
  ms: number,
): void {
  const run = latest
    ? `${base}/api/v1/reconciliations/${latest.id}`
    : `${base}/api/v1/reconciliations/latest`;
  const auth = `-H "Authorization: Bearer ${keys.admin}"`;
  say(`
Sverka demo is running (ready in ${(ms / 1000).toFixed(1)} s).

  API          ${base}/api/v1          (OpenAPI UI: ${base}/docs)
  Metrics      ${base}/metrics
  Health       ${base}/health/ready
  E-mail       ./out/mail/*.eml   (the daily report; open it in any mail client)
  Demo keys    admin     ${keys.admin}   (also manages keys; new keys at every start)
               operator  ${keys.operator}   (runs syncs and reconciliations, decides matches)
               viewer    ${keys.viewer}   (reads results)
  Simulators   1C ${sims.onec.url}   ${sims.address}

${
  latest
    ? `Every /api/v1 call needs a key (a browser alone gets 401), so fetch the report with curl:
  curl ${auth} -H 'Accept: text/html' ${run}/report -o report.html
  curl ${auth} -H 'Accept: text/csv' ${run}/report -o discrepancies.csv
`
    : ''
}
Try:
  curl ${auth} ${base}/api/v1/reconciliations/latest
  curl ${auth} "${run}/discrepancies?kind=field_mismatch&limit=5"
  curl -X POST ${auth} -H 'Content-Type: application/json' -d '{"dedupe":true}' ${base}/api/v1/reconciliations

Schedules are on (1C changes arrive through the change feed, the full version scan runs daily at 05:30,
reconciliation daily at 06:00 Moscow time).
Ctrl-C stops everything; the data stays in ${shown(sims.dataDir)} for the next run.
`);
}

/**
 * The go-live step of the guide: the first sync's dry-run plan as CSV (a viewer key) and, when 1C
 * records wait for a matching decision, one or two of them and a ready resolve call (an operator key).
 */
async function printGoLiveGuide(
  app: INestApplication,
  ds: DataSource,
  base: string,
  keys: { viewer: string; operator: string },
  sims: DemoCrm,
): Promise<void> {
  const [dry] = (await ds.query(
    `SELECT id FROM sync_run WHERE dry_run AND status = 'succeeded' ORDER BY created_at DESC LIMIT 1`,
  )) as { id: string }[];
  const matches = app.get(SyncRunnerService).matches;
  const open = await matches.list({ status: 'open', limit: 50 });
  if (!dry && !open.total) return;
  const viewer = `-H "Authorization: Bearer ${keys.viewer}"`;
  const lines: string[] = [];
  if (dry)
    lines.push(
      'Go-live: a dry run planned the first sync before it wrote anything; its plan, row by row —',
      `  curl ${viewer} -H 'Accept: text/csv' ${base}/api/v1/sync/runs/${dry.id}/plan -o plan.csv`,
    );
  const shown = reviewExamples(open.items);
  const first = shown[0];
  if (first) {
    const counts = await Promise.all(
      (['counterparties', 'contacts'] as const).map(
        async (entity) => [entity, (await matches.list({ status: 'open', entity, limit: 1 })).total] as const,
      ),
    );
    const waiting = counts
      .filter(([, n]) => n > 0)
      .map(([entity, n]) => `${n} ${n === 1 ? entity.replace(/ies$/, 'y').replace(/s$/, '') : entity}`)
      .join(' and ');
    lines.push(
      `${dry ? '' : 'Go-live: '}${waiting} wait for a matching decision (held, not created in ${sims.label}), e.g.`,
      ...shown.map((i) => `  ${formatReviewItem(i)}`),
      `The whole queue, and linking one to its candidate (an operator key; the next sync links it):`,
      `  curl ${viewer} "${base}/api/v1/matches?status=open"`,
      `  curl -X POST -H "Authorization: Bearer ${keys.operator}" -H 'Content-Type: application/json' \\`,
      `       -d '{"crmId":"${first.candidates[0].crmId}"}' ${base}/api/v1/matches/${first.id}/resolve`,
      `  curl ${viewer} "${base}/api/v1/matches?status=resolved"`,
    );
  }
  say(`${lines.join('\n')}\n`);
}

/** One or two open items to show: the one with the most candidates, and one of another kind. */
function reviewExamples<T extends { reason: string; candidates: unknown[] }>(items: T[]): T[] {
  const withCandidates = items.filter((i) => i.candidates.length > 0);
  const [a] = [...withCandidates].sort((x, y) => y.candidates.length - x.candidates.length);
  if (!a) return [];
  const b =
    withCandidates.find((i) => i.candidates.length !== a.candidates.length) ??
    withCandidates.find((i) => i !== a);
  return b ? [a, b] : [a];
}

/**
 * The near-real-time step of the guide: a command that renames a counterparty in the fake 1C (its demo
 * endpoint) and the fake CRM's card of its company, which shows the new name within seconds.
 */
async function printFeedGuide(ds: DataSource, sims: DemoCrm): Promise<void> {
  const links = (await ds.query(
    `SELECT onec_ref, crm_id FROM entity_link WHERE entity = 'counterparties' AND flagged_at IS NULL ORDER BY onec_ref LIMIT 50`,
  )) as { onec_ref: string; crm_id: string }[];
  const pick = links
    .map((l) => ({ ...l, row: sims.onec.sim.get('counterparties', l.onec_ref) }))
    .find((l) => l.row && !l.row.DeletionMark && !String(l.row.Description).includes("'"));
  if (!pick) return;
  const at = new Date().toTimeString().slice(0, 8);
  const patch = JSON.stringify({
    Description: `${String(pick.row!.Description)} (переименован в 1С в ${at})`,
  });
  say(`Near-real-time: the 1C change feed is on. Rename a counterparty in the fake 1C —
  curl -u ${sims.onec.user}:${sims.onec.password} -X PATCH -H 'Content-Type: application/json' \\
       -d '${patch}' \\
       ${new URL(sims.onec.url).origin}/demo/counterparties/${pick.onec_ref}
— and its company in the fake ${sims.label} shows the new name within seconds (the fake 1C rings Sverka's doorbell):
  ${sims.companyCardUrl(pick.crm_id)}
`);
}

/** A path as the user sees it from the project folder: `./.data/amocrm/pg`. */
function shown(path: string): string {
  return `./${relative(process.cwd(), path)}`;
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

void main();
