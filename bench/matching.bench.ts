import { Logger } from '@nestjs/common';
import { pathToFileURL } from 'node:url';
import { AmoCrmAdapter } from '../src/crm/amocrm/amocrm.adapter.js';
import { resetAccountWindows } from '../src/crm/amocrm/request-window.js';
import { Bitrix24Adapter } from '../src/crm/bitrix24/bitrix24.adapter.js';
import { resetPortalLimiters } from '../src/crm/bitrix24/leaky-bucket.js';
import type { CrmPort } from '../src/crm/crm.port.js';
import { startAmoCrmSimulator } from '../sim/amocrm/index.js';
import { startBitrix24Simulator, type Bitrix24Call, type Bitrix24Seed } from '../sim/bitrix24/index.js';
import type { BenchRow } from './bench.types.js';

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
  const arg = (name: string, def: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);
  const n = arg('companies', 100_000);
  const chunk = arg('chunk', 500);
  const amoN = arg('amo-companies', 20_000);
  const inn = (i: number) => String(7_700_000_000 + i * 13);
  Logger.overrideLogger(['error']);
  const rows: BenchRow[] = [];
  try {
    rows.push(...(await bitrix24(n, chunk, inn)));
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
  for (let i = 0; i < inns.length; i += chunk) found += (await port.matching.companiesByInn(inns.slice(i, i + chunk))).records.length;
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
      return { found, s: (performance.now() - t0) / 1000, requests: sim.calls.length, commands: commands(sim.calls) };
    };
    const a = await measure(chunk);
    const a2 = await measure(2500);
    sim.clearCalls();
    const t0 = performance.now();
    let read = 0;
    for await (const page of adapter.bulkRead({ entity: 'companies' })) read += page.records.length;
    const b = { s: (performance.now() - t0) / 1000, requests: sim.calls.length, commands: commands(sim.calls) };
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
    );
    return out;
  } finally {
    await sim.close();
  }
}

async function amocrm(n: number, chunk: number, inn: (i: number) => string, filters: boolean): Promise<BenchRow[]> {
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
      for (const r of rows) process.stdout.write(`${r.name}: ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
