import { pathToFileURL } from 'node:url';
import { Logger } from '@nestjs/common';
import { parseSettings } from '../src/config/settings.js';
import { SYNC_ENTITIES } from '../src/common/vocabulary.js';
import { Bitrix24Adapter } from '../src/crm/bitrix24/bitrix24.adapter.js';
import { resetPortalLimiters } from '../src/crm/bitrix24/leaky-bucket.js';
import { createDataSource } from '../src/database/data-source.js';
import { createOneCPort } from '../src/onec/onec.module.js';
import { SyncRunnerService } from '../src/sync/sync-runner.service.js';
import type { SyncRunRow } from '../src/sync/sync-store.js';
import { generateDataset } from '../sim/dataset/index.js';
import { simMapping } from '../sim/mapping.js';
import type { Bitrix24Call } from '../sim/bitrix24/index.js';
import type { OneCCall } from '../sim/onec/onec-simulator.js';
import { startSimulators } from '../sim/start-simulators.js';
import type { BenchRow } from './bench.types.js';
import { numberArgs } from './support/bench-args.js';
import { benchDatabase } from './support/bench-database.js';

/** A CRM method that writes (the fake portal's call log names each command's method). */
const isWrite = (method: string) => /\.(add|update|delete)$/.test(method);

/** What one run cost: 1C requests and bytes, CRM HTTP requests and commands, reads and writes apart. */
interface Cost {
  onecRequests: number;
  onecBytes: number;
  /** HTTP requests with no write command in them (a batch is one request). */
  crmReadRequests: number;
  /** HTTP requests carrying at least one write. */
  crmWriteRequests: number;
  crmReadCommands: number;
  crmWriteCommands: number;
  /** Read commands per method (a direct call is one command). */
  readMethods: Map<string, number>;
}

function costOf(crm: readonly Bitrix24Call[], onec: readonly OneCCall[]): Cost {
  const c: Cost = {
    onecRequests: onec.length,
    onecBytes: onec.reduce((s, x) => s + x.bytes, 0),
    crmReadRequests: 0,
    crmWriteRequests: 0,
    crmReadCommands: 0,
    crmWriteCommands: 0,
    readMethods: new Map(),
  };
  for (const call of crm) {
    const methods = call.commands ? call.commands.map((k) => k.method) : [call.method];
    const writes = methods.filter(isWrite).length;
    if (writes) c.crmWriteRequests++;
    else c.crmReadRequests++;
    c.crmWriteCommands += writes;
    for (const m of methods)
      if (!isWrite(m)) {
        c.crmReadCommands++;
        c.readMethods.set(m, (c.readMethods.get(m) ?? 0) + 1);
      }
  }
  return c;
}

/**
 * A dry run's read cost against the real incremental run's (README.md#going-live): the fake 1C and the
 * fake Bitrix24 portal with its rate limits off (requests counted from their call logs), an embedded
 * PostgreSQL. A base of `--counterparties` (20 000) counterparties, `--orders` (2) orders and `--contacts`
 * (0) contact persons each (as bench/sync.bench.ts), seed 77, the generator's default shares of planted
 * duplicates (1C ones, managers' companies, new CRM companies), so matching links and holds on the first
 * sync. After the first real sync, a small 1C change: 1 % of the counterparties renamed, 1 % of the
 * orders' amounts changed, `--new` (20) new counterparties carrying the INN of a manager's company still
 * unowned in the CRM (matching links them) and as many new second entries of synced counterparties
 * (created). Then (a) a dry run and (b) the real incremental run over the same 1C state, each with a
 * fresh adapter (cold preset/stage caches and record memory, as a run after a restart or a pause): 1C
 * requests and bytes, CRM read requests and read commands (requests with no write command; 1C is
 * read-only). Checks: the dry run wrote nothing to the CRM, and its plan counts (create, update, link,
 * review) equal the real run's stats (created, updated, linked, held). Goal: (a) ≤ 1.2 × (b) in reads.
 * DB: BENCH_DATABASE_URL, else an embedded PostgreSQL in a temp dir.
 */
export async function run(args: string[] = []): Promise<BenchRow[]> {
  const arg = numberArgs(args, 'BENCH_DRY_RUN');
  const n = arg('counterparties', 20_000);
  const ordersPer = arg('orders', 2);
  const contactsPer = arg('contacts', 0);
  const newEach = arg('new', 20);
  const rows: BenchRow[] = [];
  const db = await benchDatabase('bench_dry_run');
  const ds = createDataSource(db.url, { poolSize: 4 });
  await ds.initialize();
  Logger.overrideLogger(['error']);
  const dataset = generateDataset({
    seed: 77,
    counterparties: n,
    contactsPerCounterparty: contactsPer,
    ordersPerCounterparty: ordersPer,
  });
  resetPortalLimiters();
  const sims = await startSimulators({ dataset, bitrixLimits: false });
  try {
    await ds.query(`DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public`);
    await ds.runMigrations();
    const mapping = simMapping();
    const settings = parseSettings(
      {
        LOG_LEVEL: 'silent',
        DATABASE_URL: db.url,
        ONEC_ODATA_URL: sims.onec.url,
        ONEC_USER: sims.onec.user,
        ONEC_PASSWORD: sims.onec.password,
        BITRIX24_WEBHOOK_URL: sims.bitrix24.webhookUrl,
      },
      { mode: 'embedded' },
    );
    const onec = createOneCPort(settings, mapping);
    /** A runner with a fresh adapter (no cached presets/stages, no remembered records). */
    const runner = () =>
      new SyncRunnerService(
        ds,
        mapping,
        onec,
        new Bitrix24Adapter({ webhookUrl: sims.bitrix24.webhookUrl, rps: 1e6, burst: 1e6 }),
      );
    const b24 = sims.bitrix24.sim;
    const c1 = sims.onec.sim;

    let t0 = Date.now();
    const first = await runner().runNow({ trigger: 'cli' });
    const firstCost = costOf(b24.calls, c1.calls);
    const total = (r: SyncRunRow, k: 'created' | 'updated' | 'linked' | 'held') =>
      Object.values(r.stats).reduce((a, e) => a + (e?.[k] ?? 0), 0);
    rows.push({
      name: `first sync: ${n} counterparties + ${n * ordersPer} orders + ${n * contactsPer} contacts (status ${first.status})`,
      value: ((Date.now() - t0) / 1000).toFixed(1),
      unit: 's',
      note: `created ${total(first, 'created')}, linked ${total(first, 'linked')}, held ${total(first, 'held')}; ${firstCost.crmReadRequests + firstCost.crmWriteRequests} CRM requests, ${(firstCost.onecBytes / 2 ** 20).toFixed(1)} MiB from 1C`,
    });

    // The 1C change: 1 % renamed, 1 % of the orders' amounts, new counterparties to link and to create.
    const cps = c1.rows('counterparties').filter((r) => !r.IsFolder && !r.DeletionMark);
    const orders = c1.rows('orders').filter((r) => r.Posted && !r.DeletionMark);
    let renamed = 0;
    let amounts = 0;
    for (let i = 0; i < cps.length; i += 100, renamed++)
      c1.update('counterparties', String(cps[i].Ref_Key), {
        Description: `${String(cps[i].Description)} (изм.)`,
      });
    for (let i = 0; i < orders.length; i += 100, amounts++)
      c1.update('orders', String(orders[i].Ref_Key), {
        СуммаДокумента: Number(orders[i].СуммаДокумента) + 1,
      });
    const linkedRefs = new Set(
      (
        await ds.query<{ onec_ref: string }[]>(
          `SELECT onec_ref FROM entity_link WHERE entity = 'counterparties'`,
        )
      ).map((r) => r.onec_ref.toLowerCase()),
    );
    const oneCInns = new Set(cps.map((r) => String(r.ИНН ?? '')));
    // Managers' companies no 1C counterparty claims: a single requisite with a 10-digit INN and KPP.
    const reqs = b24.state.requisites() as unknown as Record<string, unknown>[];
    const reqCount = new Map<string, number>();
    for (const r of reqs) reqCount.set(String(r.ENTITY_ID), (reqCount.get(String(r.ENTITY_ID)) ?? 0) + 1);
    const unowned = new Set(
      b24.state
        .list('companies')
        .filter((c) => !c.originatorId)
        .map((c) => String(c.id)),
    );
    const toLink = reqs
      .filter(
        (r) =>
          String(r.ENTITY_TYPE_ID) === '4' &&
          unowned.has(String(r.ENTITY_ID)) &&
          reqCount.get(String(r.ENTITY_ID)) === 1 &&
          /^\d{10}$/.test(String(r.RQ_INN ?? '')) &&
          /^\d{9}$/.test(String(r.RQ_KPP ?? '')) &&
          !oneCInns.has(String(r.RQ_INN)),
      )
      .slice(0, newEach);
    const template = cps.find(
      (r) => linkedRefs.has(String(r.Ref_Key).toLowerCase()) && /^\d{10}$/.test(String(r.ИНН)),
    )!;
    let code = 900_000;
    const addCp = (name: string, inn: string, kpp: string) =>
      c1.add('counterparties', {
        ...template,
        Ref_Key: undefined,
        Code: `00-${++code}`,
        Description: name,
        НаименованиеПолное: name,
        ИНН: inn,
        КПП: kpp,
        КонтактнаяИнформация: [],
      });
    for (const r of toLink)
      addCp(`ООО "${String(r.RQ_COMPANY_NAME ?? 'Новый')}" (из CRM)`, String(r.RQ_INN), String(r.RQ_KPP));
    const seconds = cps.filter(
      (r) => linkedRefs.has(String(r.Ref_Key).toLowerCase()) && /^\d{10}$/.test(String(r.ИНН)),
    );
    for (let i = 0; i < newEach; i++) {
      const s = seconds[(i * 37) % seconds.length];
      addCp(
        `${String(s.Description)} (филиал)`,
        String(s.ИНН),
        `${String(s.ИНН).slice(0, 4)}0${String(100 + i)}`.slice(0, 9),
      );
    }
    const changeNote = `${renamed} counterparties renamed, ${amounts} order amounts, ${toLink.length} new with a manager's company's INN, ${newEach} new second entries`;

    // (a) the dry run.
    b24.clearCalls();
    c1.clearCalls();
    t0 = Date.now();
    const dry = await runner().runNow({ trigger: 'api', dryRun: true });
    const sDry = (Date.now() - t0) / 1000;
    const a = costOf(b24.calls, c1.calls);
    // (b) the real incremental run over the same 1C state.
    b24.clearCalls();
    c1.clearCalls();
    t0 = Date.now();
    const real = await runner().runNow({ trigger: 'cli' });
    const sReal = (Date.now() - t0) / 1000;
    const b = costOf(b24.calls, c1.calls);

    const plan = dry.plan ?? {};
    const pairs: [
      string,
      'create' | 'update' | 'link' | 'review',
      'created' | 'updated' | 'linked' | 'held',
    ][] = [
      ['create', 'create', 'created'],
      ['update', 'update', 'updated'],
      ['link', 'link', 'linked'],
      ['review', 'review', 'held'],
    ];
    const mismatches: string[] = [];
    const shown: string[] = [];
    for (const e of SYNC_ENTITIES) {
      const p = plan[e];
      const st = real.stats[e];
      if (!p && !st) continue;
      for (const [label, pk, sk] of pairs) {
        const pv = p?.[pk] ?? 0;
        const sv = st?.[sk] ?? 0;
        if (pv || sv) shown.push(`${e} ${label} ${pv}/${sv}`);
        if (pv !== sv) mismatches.push(`${e}: plan ${pk} ${pv} ≠ ${sk} ${sv}`);
      }
    }
    const ratio = (x: number, y: number) => (y ? (x / y).toFixed(2) : x ? '∞' : '1.00');
    const extra = [...a.readMethods]
      .map(([m, k]) => [m, k - (b.readMethods.get(m) ?? 0)] as const)
      .filter(([, d]) => d !== 0)
      .map(([m, d]) => `${m} ${d > 0 ? '+' : ''}${d}`);
    for (const [m, k] of b.readMethods) if (!a.readMethods.has(m)) extra.push(`${m} -${k}`);
    const methods = (c: Cost) =>
      [...c.readMethods]
        .sort((x, y) => y[1] - x[1])
        .map(([m, k]) => `${m} ${k}`)
        .join(', ');
    rows.push(
      {
        name: `dry run after the change (status ${dry.status}): CRM read requests`,
        value: a.crmReadRequests,
        unit: 'requests',
        note: `${sDry.toFixed(1)} s; ${a.crmReadCommands} read commands (${methods(a)}); 1C ${a.onecRequests} requests, ${(a.onecBytes / 2 ** 20).toFixed(2)} MiB; ${changeNote}`,
      },
      {
        name: 'dry run: CRM writes',
        value: a.crmWriteCommands,
        unit: 'commands',
        note: `${a.crmWriteRequests} requests with a write; goal 0`,
      },
      {
        name: `real incremental run (status ${real.status}): CRM read requests`,
        value: b.crmReadRequests,
        unit: 'requests',
        note: `${sReal.toFixed(1)} s; ${b.crmReadCommands} read commands (${methods(b)}); ${b.crmWriteCommands} write commands in ${b.crmWriteRequests} requests; 1C ${b.onecRequests} requests, ${(b.onecBytes / 2 ** 20).toFixed(2)} MiB`,
      },
      {
        name: 'dry run ÷ real run, CRM read requests (goal ≤ 1.2)',
        value: ratio(a.crmReadRequests, b.crmReadRequests),
        unit: '×',
        note: `read commands ${ratio(a.crmReadCommands, b.crmReadCommands)}×; dry − real read commands by method: ${extra.join(', ') || 'none'}`,
      },
      {
        name: 'dry run ÷ real run, 1C (goal ≤ 1.2)',
        value: ratio(a.onecBytes, b.onecBytes),
        unit: '× bytes',
        note: `requests ${ratio(a.onecRequests, b.onecRequests)}× (${a.onecRequests} vs ${b.onecRequests})`,
      },
      {
        name: 'dry run plan = real run stats (create/update/link/review vs created/updated/linked/held)',
        value: mismatches.length ? 'NO' : 'yes',
        unit: '',
        note: `plan/stats: ${shown.join('; ')}${mismatches.length ? `; differ: ${mismatches.join('; ')}` : ''}`,
      },
    );
  } finally {
    await sims.close();
    await ds.destroy();
    await db.close();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  void run(process.argv.slice(2)).then((rows) => {
    for (const r of rows)
      process.stdout.write(`${r.name}: ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}\n`);
  });
}
