import { Logger } from '@nestjs/common';
import { pathToFileURL } from 'node:url';
import { parseSettings } from '../src/config/settings.js';
import { createDataSource } from '../src/database/data-source.js';
import { createOneCPort } from '../src/onec/onec.module.js';
import { SyncRunnerService } from '../src/sync/sync-runner.service.js';
import { generateDataset } from '../sim/dataset/index.js';
import { simMapping } from '../sim/mapping.js';
import { startSimulators } from '../sim/start-simulators.js';
import { AmoCrmAdapter } from '../src/crm/amocrm/amocrm.adapter.js';
import { resetAccountWindows } from '../src/crm/amocrm/request-window.js';
import { Bitrix24Adapter } from '../src/crm/bitrix24/bitrix24.adapter.js';
import { resetPortalLimiters } from '../src/crm/bitrix24/leaky-bucket.js';
import type { CrmPort } from '../src/crm/crm.port.js';
import { startAmoCrmSimulator } from '../sim/amocrm/index.js';
import { startBitrix24Simulator, type Bitrix24Call, type Bitrix24Seed } from '../sim/bitrix24/index.js';
import { CompanyCandidates } from '../src/sync/sync-matcher.js';
import type { BenchRow } from './bench.types.js';
import { numberArgs } from './support/bench-args.js';
import { benchDatabase } from './support/bench-database.js';

/**
 * What matching before create costs in CRM requests, against reading the same companies once.
 * A portal of `--companies` (100 000) companies made by people, each with a requisite (Bitrix24) or its
 * INN field (amoCRM), seeded straight into the fake CRM; the 1C side is their INNs. (a) companiesByInn
 * over all of them, `--chunk` (500) INNs a call as sync would send them; (b) bulkRead('companies') once
 * (the companies with their tax details). Requests are HTTP requests; commands count each command of a
 * Bitrix24 `batch` (a direct call is one). Goal on Bitrix24: (a) ≤ 1.2 × (b) in commands.
 * amoCRM (`--amo-companies`, 20 000: its fake account scans every record per list request) runs without
 * the 7-a-second limit, counting requests: with API filtering (the INN field filter) and without it.
 */
export async function run(args: string[] = []): Promise<BenchRow[]> {
  const arg = numberArgs(args);
  const n = arg('companies', 100_000);
  const chunk = arg('chunk', 500);
  const amoN = arg('amo-companies', 20_000);
  const inn = (i: number) => String(7_700_000_000 + i * 13);
  Logger.overrideLogger(['error']);
  const rows: BenchRow[] = [];
  try {
    rows.push(...(await bitrix24(n, chunk, inn)));
    if (arg('sync-path', 1)) rows.push(...(await syncPath(n)));
    rows.push(...(await amocrm(amoN, chunk, inn, true)));
    rows.push(...(await amocrm(amoN, chunk, inn, false)));
  } finally {
    Logger.overrideLogger(['log', 'error', 'warn']);
  }
  return rows;
}

/** Runs companiesByInn over `inns` in calls of `chunk`; the candidates found. */
async function matchAll(port: CrmPort, inns: string[], chunk: number): Promise<number> {
  let found = 0;
  for (let i = 0; i < inns.length; i += chunk)
    found += (await port.matching.companiesByInn(inns.slice(i, i + chunk))).records.length;
  return found;
}

async function bitrix24(n: number, chunk: number, inn: (i: number) => string): Promise<BenchRow[]> {
  const seed: Bitrix24Seed = {
    companies: Array.from({ length: n }, (_, i) => ({
      id: i + 1,
      title: `ООО "Компания ${i + 1}"`,
      originatorId: null,
      originId: null,
      assignedById: 1 + (i % 5),
      createdTime: '2026-09-01T10:00:00+03:00',
      updatedTime: '2026-09-01T10:00:00+03:00',
      fm: [{ id: i + 1, typeId: 'PHONE', valueType: 'WORK', value: `+7495${String(1_000_000 + i)}` }],
    })),
    requisites: Array.from({ length: n }, (_, i) => ({
      ID: String(i + 1),
      ENTITY_TYPE_ID: '4',
      ENTITY_ID: String(i + 1),
      PRESET_ID: '1',
      NAME: 'Организация',
      XML_ID: null,
      RQ_INN: inn(i),
      RQ_KPP: '770101001',
      RQ_OGRN: '',
      RQ_COMPANY_NAME: `Компания ${i + 1}`,
      RQ_COMPANY_FULL_NAME: `ООО "Компания ${i + 1}"`,
      RQ_NAME: '',
    })),
  };
  resetPortalLimiters();
  const sim = await startBitrix24Simulator({ seed, limits: false });
  const commands = (calls: Bitrix24Call[]) => calls.reduce((s, c) => s + (c.commands?.length ?? 1), 0);
  try {
    const adapter = new Bitrix24Adapter({ webhookUrl: sim.webhookUrl, rps: 1e6, burst: 1e6 });
    const inns = Array.from({ length: n }, (_, i) => inn(i));
    const out: BenchRow[] = [];
    const measure = async (size: number) => {
      sim.clearCalls();
      const t0 = performance.now();
      const found = await matchAll(adapter, inns, size);
      return {
        found,
        s: (performance.now() - t0) / 1000,
        requests: sim.calls.length,
        commands: commands(sim.calls),
      };
    };
    const a = await measure(chunk);
    const a2 = await measure(2500);
    // What the sync does: one call with every unlinked counterparty's INN.
    const a3 = await measure(n);
    // The same through the sync's CompanyCandidates, asked chunk by chunk as the sync's chunks come.
    sim.clearCalls();
    let t1 = performance.now();
    const candidates = new CompanyCandidates(adapter, async () => inns);
    let offered = 0;
    for (let i = 0; i < inns.length; i += chunk)
      offered += (await candidates.forInns(inns.slice(i, i + chunk))).length;
    const c = {
      s: (performance.now() - t1) / 1000,
      requests: sim.calls.length,
      commands: commands(sim.calls),
    };
    sim.clearCalls();
    t1 = performance.now();
    let read = 0;
    for await (const page of adapter.bulkRead({ entity: 'companies' })) read += page.records.length;
    const b = {
      s: (performance.now() - t1) / 1000,
      requests: sim.calls.length,
      commands: commands(sim.calls),
    };
    out.push(
      {
        name: `Bitrix24 companiesByInn, ${n} INNs in calls of ${chunk}`,
        value: a.commands,
        unit: 'commands',
        note: `${a.requests} requests, ${a.found} candidates, ${a.s.toFixed(1)} s`,
      },
      {
        name: `Bitrix24 companiesByInn, ${n} INNs in calls of 2500`,
        value: a2.commands,
        unit: 'commands',
        note: `${a2.requests} requests, ${a2.found} candidates, ${a2.s.toFixed(1)} s`,
      },
      {
        name: `Bitrix24 companiesByInn, all ${n} INNs in one call (what the sync asks)`,
        value: a3.requests,
        unit: 'requests',
        note: `${a3.commands} commands, ${a3.found} candidates, ${a3.s.toFixed(1)} s`,
      },
      {
        name: `Bitrix24 CompanyCandidates.forInns, ${n} INNs asked in chunks of ${chunk} (the sync's matching step)`,
        value: c.requests,
        unit: 'requests',
        note: `${c.commands} commands, ${offered} candidates offered, ${c.s.toFixed(1)} s`,
      },
      {
        name: `Bitrix24 bulkRead of the ${n} companies with their requisites`,
        value: b.commands,
        unit: 'commands',
        note: `${b.requests} requests, ${read} companies, ${b.s.toFixed(1)} s`,
      },
      {
        name: 'Bitrix24 matching ÷ bulk read, commands (goal ≤ 1.2)',
        value: (a.commands / b.commands).toFixed(2),
        unit: '×',
        note: `calls of ${chunk}; requests ${(a.requests / b.requests).toFixed(2)}× (calls of 2500: commands ${(a2.commands / b.commands).toFixed(2)}×, requests ${(a2.requests / b.requests).toFixed(2)}×)`,
      },
      {
        name: 'Bitrix24 one call of all INNs ÷ bulk read, HTTP requests (goal ≤ 1.2)',
        value: (a3.requests / b.requests).toFixed(2),
        unit: '×',
        note: `${a3.requests} vs ${b.requests} requests; commands ${(a3.commands / b.commands).toFixed(2)}×; CompanyCandidates: requests ${(c.requests / b.requests).toFixed(2)}×, commands ${(c.commands / b.commands).toFixed(2)}×`,
      },
    );
    return out;
  } finally {
    await sim.close();
  }
}

/**
 * Matching through the sync itself: a 1C base (fake 1C, generated, seed 100, lean rows) of `n`
 * counterparties and a portal of `n` companies made by people, one per 1C counterparty with its INN/KPP in
 * a requisite, none of them ours — so every counterparty is matched and linked. A dry run of the
 * counterparties (the same selection, fetch, matching and plan as a first real sync, without its writes):
 * its CRM requests, those inside companiesByInn apart (the adapter's call wrapped to count the portal's
 * calls it made), and one bulkRead of the same companies. A real first sync at 100 000 would add about
 * 200 000 link writes to the same reads; the dry run measures the reads it makes on 2 cores in minutes.
 */
async function syncPath(n: number): Promise<BenchRow[]> {
  const dataset = generateDataset({
    seed: 100,
    counterparties: n,
    contactsPerCounterparty: 0,
    ordersPerCounterparty: 0,
    invalidRate: 0,
    onecDuplicateRate: 0,
    crmDuplicateRate: 0,
    crmNewRate: 0,
    lean: true,
  });
  const cps = dataset.onec.counterparties.filter((r) => !r.IsFolder && !r.DeletionMark);
  const seed: Bitrix24Seed = {
    companies: cps.map((r, i) => ({
      id: i + 1,
      title: String(r.Description),
      originatorId: null,
      originId: null,
      assignedById: 1 + (i % 5),
      createdTime: '2026-09-01T10:00:00+03:00',
      updatedTime: '2026-09-01T10:00:00+03:00',
    })),
    requisites: cps.map((r, i) => {
      const legal = r.ЮридическоеФизическоеЛицо === 'ЮридическоеЛицо';
      return {
        ID: String(i + 1),
        ENTITY_TYPE_ID: '4',
        ENTITY_ID: String(i + 1),
        PRESET_ID: legal ? '1' : '3',
        NAME: legal ? 'Организация' : 'ИП',
        XML_ID: null,
        RQ_INN: String(r.ИНН ?? '').trim(),
        RQ_KPP: legal ? String(r.КПП ?? '').trim() : '',
        RQ_OGRN: '',
        RQ_COMPANY_NAME: String(r.Description),
        RQ_COMPANY_FULL_NAME: String(r.НаименованиеПолное ?? r.Description),
        RQ_NAME: '',
      };
    }),
  };
  const db = await benchDatabase('bench_matching');
  const ds = createDataSource(db.url, { poolSize: 4 });
  await ds.initialize();
  resetPortalLimiters();
  const sims = await startSimulators({
    dataset: { ...dataset, crm: seed as unknown as typeof dataset.crm },
    bitrixLimits: false,
    clone: false,
  });
  const b24 = sims.bitrix24.sim;
  const commands = (calls: readonly Bitrix24Call[]) =>
    calls.reduce((s, c) => s + (c.commands?.length ?? 1), 0);
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
    const adapter = new Bitrix24Adapter({ webhookUrl: sims.bitrix24.webhookUrl, rps: 1e6, burst: 1e6 });
    const inner = adapter.matching.companiesByInn.bind(adapter.matching);
    const byInn = { calls: 0, inns: 0, maxInns: 0, requests: 0, commands: 0 };
    const inside = new Set<Bitrix24Call>();
    adapter.matching.companiesByInn = async (inns: string[]) => {
      const from = b24.calls.length;
      try {
        return await inner(inns);
      } finally {
        const mine = b24.calls.slice(from);
        for (const c of mine) inside.add(c);
        byInn.calls++;
        byInn.inns += inns.length;
        byInn.maxInns = Math.max(byInn.maxInns, inns.length);
        byInn.requests += mine.length;
        byInn.commands += commands(mine);
      }
    };
    const runner = new SyncRunnerService(ds, mapping, createOneCPort(settings, mapping), adapter);
    b24.clearCalls();
    const t0 = performance.now();
    const dry = await runner.runNow({ trigger: 'api', dryRun: true, entities: ['counterparties'] });
    const s = (performance.now() - t0) / 1000;
    const all = { requests: b24.calls.length, commands: commands(b24.calls) };
    const writes = b24.calls.filter((c) =>
      (c.commands?.map((k) => k.method) ?? [c.method]).some((m) => /\.(add|update|delete)$/.test(m)),
    ).length;
    const p = dry.plan?.counterparties;
    // The run's other requests, by what they carry (the commands' methods of each batch).
    const rest = new Map<string, number>();
    for (const c of b24.calls)
      if (!inside.has(c)) {
        const k = c.commands
          ? `batch of ${[...new Set(c.commands.map((x) => x.method))].sort().join('+')}`
          : c.method;
        rest.set(k, (rest.get(k) ?? 0) + 1);
      }
    b24.clearCalls();
    const t1 = performance.now();
    let read = 0;
    for await (const page of adapter.bulkRead({ entity: 'companies' })) read += page.records.length;
    const b = {
      s: (performance.now() - t1) / 1000,
      requests: b24.calls.length,
      commands: commands(b24.calls),
    };
    return [
      {
        name: `sync path: dry run of ${cps.length} counterparties against ${cps.length} people's companies (status ${dry.status})`,
        value: all.requests,
        unit: 'CRM requests',
        note: `${all.commands} commands, ${writes} with a write; plan: link ${p?.link ?? 0}, create ${p?.create ?? 0}, review ${p?.review ?? 0}; ${s.toFixed(1)} s`,
      },
      {
        name: 'sync path: inside companiesByInn',
        value: byInn.requests,
        unit: 'requests',
        note: `${byInn.commands} commands in ${byInn.calls} call(s) of up to ${byInn.maxInns} INNs (${byInn.inns} INNs asked in all); the run's other requests: ${[...rest].map(([k, v]) => `${k} ${v}`).join(', ')}`,
      },
      {
        name: `sync path: bulkRead of the ${cps.length} companies with their requisites`,
        value: b.requests,
        unit: 'requests',
        note: `${b.commands} commands, ${read} companies, ${b.s.toFixed(1)} s`,
      },
      {
        name: 'sync path: matching ÷ bulk read, HTTP requests (goal ≤ 1.2)',
        value: (byInn.requests / b.requests).toFixed(2),
        unit: '×',
        note: `companiesByInn alone; the whole dry run ${(all.requests / b.requests).toFixed(2)}× (commands ${(byInn.commands / b.commands).toFixed(2)}× and ${(all.commands / b.commands).toFixed(2)}×)`,
      },
    ];
  } finally {
    await sims.close();
    await ds.destroy();
    await db.close();
  }
}

async function amocrm(
  n: number,
  chunk: number,
  inn: (i: number) => string,
  filters: boolean,
): Promise<BenchRow[]> {
  resetAccountWindows();
  const sim = await startAmoCrmSimulator({ limits: false, filtersEnabled: filters });
  try {
    const adapter = new AmoCrmAdapter({ baseUrl: sim.url, token: sim.token, rps: 1e6, windowMarginMs: 0 });
    await adapter.prepare();
    const field = (name: string) => sim.state.field('companies', name)!.id;
    const [innId, kppId] = [field('ИНН'), field('КПП')];
    for (let i = 0; i < n; i++)
      sim.state.add('companies', {
        name: `ООО "Компания ${i + 1}"`,
        custom_fields_values: [
          { field_id: innId, values: [{ value: inn(i) }] },
          { field_id: kppId, values: [{ value: '770101001' }] },
        ],
      });
    const inns = Array.from({ length: n }, (_, i) => inn(i));
    const label = filters ? 'with API filtering' : 'without API filtering';
    sim.clearCalls();
    let t0 = performance.now();
    const found = await matchAll(adapter, inns, chunk);
    const a = { requests: sim.calls.length, s: (performance.now() - t0) / 1000 };
    sim.clearCalls();
    const foundOnce = await matchAll(adapter, inns, inns.length);
    const once = sim.calls.length;
    sim.clearCalls();
    t0 = performance.now();
    let read = 0;
    for await (const page of adapter.bulkRead({ entity: 'companies' })) read += page.records.length;
    const b = { requests: sim.calls.length, s: (performance.now() - t0) / 1000 };
    return [
      {
        name: `amoCRM ${label}: companiesByInn, ${n} INNs in calls of ${chunk}`,
        value: a.requests,
        unit: 'requests',
        note: `${found} candidates, ${a.s.toFixed(1)} s; in one call of all ${n}: ${once} requests, ${foundOnce} candidates`,
      },
      {
        name: `amoCRM ${label}: bulkRead of the ${n} companies`,
        value: b.requests,
        unit: 'requests',
        note: `${read} companies, ${b.s.toFixed(1)} s`,
      },
      {
        name: `amoCRM ${label}: matching ÷ bulk read, requests`,
        value: (a.requests / b.requests).toFixed(2),
        unit: '×',
        note: `calls of ${chunk}; one call of all INNs: ${(once / b.requests).toFixed(2)}×`,
      },
    ];
  } finally {
    await sim.close();
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
