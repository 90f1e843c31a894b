import { jest } from '@jest/globals';
import { Global, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { parseSettings } from '../../src/config/settings.js';
import { AmoCrmAdapter, type AmoCrmAdapterOptions } from '../../src/crm/amocrm/amocrm.adapter.js';
import { resetAccountWindows } from '../../src/crm/amocrm/request-window.js';
import { CrmError, CrmErrorCode } from '../../src/crm/crm.error.js';
import { CrmModule } from '../../src/crm/crm.module.js';
import type { CrmCompany, CrmWrite } from '../../src/crm/crm.types.js';
import { SETTINGS } from '../../src/config/settings.js';
import { MAPPING } from '../../src/mapping/mapping.tokens.js';
import {
  AmoCrmSimulator,
  startAmoCrmSimulator,
  type AmoCrmSimulatorOptions,
} from '../../sim/amocrm/index.js';
import { simMapping } from '../../sim/mapping.js';

/**
 * The amoCRM adapter's own behaviour against the fake account over real HTTP (docs/protocols/amocrm.md,
 * docs/amocrm.md): what it sends, the limit it keeps, how it prepares the account and what it does when
 * amoCRM refuses. What every CRM must do is test/integration/crm-port.contract.int-spec.ts.
 */
const SOURCE = 'sverka-1c';
const mapping = simMapping('amocrm');
const STAGE_KEYS = [...Object.values(mapping.deals.statusMap), mapping.deals.deletedStage];

function company(key: string, title = `Компания ${key}`): CrmWrite {
  return {
    op: 'create',
    key,
    entity: 'companies',
    external: { source: SOURCE, key },
    fields: { title, phones: { add: [], remove: [] }, emails: { add: [], remove: [] } },
  };
}

async function expectCrmError(p: Promise<unknown>, code: CrmErrorCode): Promise<CrmError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CrmError);
    expect((e as CrmError).code).toBe(code);
    return e as CrmError;
  }
  throw new Error(`expected CrmError ${code}`);
}

describe('amoCRM adapter against the fake account', () => {
  let sim: AmoCrmSimulator;
  const start = async (o: AmoCrmSimulatorOptions = {}) => {
    sim = await startAmoCrmSimulator({ limits: false, ...o });
    return sim;
  };
  const adapterFor = (o: Partial<AmoCrmAdapterOptions> = {}) =>
    new AmoCrmAdapter({
      baseUrl: sim.url,
      token: sim.token,
      rps: 1000,
      retryScale: 0.002,
      windowMarginMs: 0,
      stageKeys: STAGE_KEYS,
      ...o,
    });

  beforeEach(() => resetAccountWindows());
  afterEach(async () => {
    await sim?.close();
  });

  it('prepares a fresh account once: its fields and the status map’s statuses after the open ones; a second start creates nothing', async () => {
    await start();
    await adapterFor().prepare();
    const s = sim.summary();
    expect(s.byRoute['POST /api/v4/companies/custom_fields']).toBe(1);
    expect(s.byRoute['POST /api/v4/contacts/custom_fields']).toBe(1);
    expect(s.byRoute['POST /api/v4/leads/custom_fields']).toBe(1);
    expect(s.byRoute['POST /api/v4/leads/pipelines/{id}/statuses']).toBe(1);
    expect(
      sim.state
        .fieldsOf('companies')
        .map((f) => [f.name, f.type])
        .filter(([n]) => !['Телефон', 'Email', 'Web', 'Адрес'].includes(n)),
    ).toEqual([
      ['Ключ 1С', 'text'],
      ['ИНН', 'text'],
      ['КПП', 'text'],
      ['ОГРН', 'text'],
      ['Полное наименование', 'text'],
      ['Удалён в 1С', 'checkbox'],
    ]);
    expect(sim.state.mainPipeline().statuses.map((x) => x.name)).toEqual([
      'Неразобранное',
      'Первичный контакт',
      'Переговоры',
      'Принимают решение',
      'Согласование договора',
      'Новый заказ',
      'К обеспечению',
      'К выполнению',
      'К отгрузке',
      'Успешно реализовано',
      'Закрыто и не реализовано',
    ]);
    sim.clearCalls();
    resetAccountWindows();
    await adapterFor().prepare();
    expect(sim.calls.filter((c) => c.method !== 'GET')).toEqual([]);
  });

  it('a field of the wrong type, or no such pipeline: CONFIGURATION naming them, and nothing is created', async () => {
    await start();
    sim.state.addField('companies', { name: 'ИНН', type: 'numeric' });
    sim.state.addField('leads', { name: 'Удалён в 1С', type: 'text' });
    const e = await expectCrmError(
      adapterFor({
        config: {
          pipeline: 'Опт',
          fields: {
            key: 'Ключ 1С',
            inn: 'ИНН',
            kpp: 'КПП',
            ogrn: 'ОГРН',
            fullName: 'Полное наименование',
            deleted: 'Удалён в 1С',
          },
        },
      }).prepare(),
      CrmErrorCode.CONFIGURATION,
    );
    const inn = sim.state.field('companies', 'ИНН')!.id;
    const del = sim.state.field('leads', 'Удалён в 1С')!.id;
    expect(e.message).toBe(
      `amoCRM is not ready for Sverka: the company field «ИНН» (id ${inn}) is of type numeric; Sverka needs text — change it in amoCRM or name another field in the mapping's amocrm.fields.inn; ` +
        `the lead field «Удалён в 1С» (id ${del}) is of type text; Sverka needs checkbox — change it in amoCRM or name another field in the mapping's amocrm.fields.deleted; ` +
        `the account has no pipeline «Опт» (the mapping's amocrm.pipeline; it has «Воронка», «Сервис»)`,
    );
    expect(e.message).not.toContain('\n');
    expect(sim.calls.filter((c) => c.method !== 'GET')).toEqual([]);
  });

  it('the CRM module refuses the start on such a field; an account it cannot reach only warns', async () => {
    await start();
    sim.state.addField('contacts', { name: 'Ключ 1С', type: 'numeric' });
    const boot = async (url: string) => {
      @Global()
      @Module({
        providers: [
          {
            provide: SETTINGS,
            useValue: parseSettings(
              { CRM_KIND: 'amocrm', AMOCRM_BASE_URL: url, AMOCRM_TOKEN: sim.token },
              { mode: 'embedded' },
            ),
          },
          { provide: MAPPING, useValue: mapping },
        ],
        exports: [SETTINGS, MAPPING],
      })
      class FakeConfig {}
      const mod = await Test.createTestingModule({ imports: [FakeConfig, CrmModule] }).compile();
      const app = mod.createNestApplication({ logger: false });
      try {
        await app.init();
      } finally {
        await app.close();
      }
    };
    await expect(boot(sim.url)).rejects.toThrow(
      expect.objectContaining({
        name: 'CrmStartError',
        message: expect.stringMatching(
          /^amoCRM is not ready for Sverka: the contact field «Ключ 1С» \(id \d+\) is of type numeric; Sverka needs text/,
        ),
      }),
    );
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    await expect(boot('http://127.0.0.1:9')).resolves.toBeUndefined();
    expect(
      warn.mock.calls.map((c) => String(c[0])).filter((m) => m.startsWith('the CRM could not be prepared')),
    ).toEqual([expect.stringContaining('network error')]);
    warn.mockRestore();
  });

  it('reads 250 a page in id order, following _links.next; 204 is an empty list; afterId skips', async () => {
    await start({
      seed: { companies: Array.from({ length: 600 }, (_, i) => ({ id: i + 1, name: `Компания ${i + 1}` })) },
    });
    const adapter = adapterFor();
    await adapter.prepare();
    sim.clearCalls();
    const pages: CrmCompany[][] = [];
    for await (const p of adapter.bulkRead({ entity: 'companies' })) pages.push(p.records);
    expect(pages.map((p) => p.length)).toEqual([250, 250, 100]);
    expect(pages.flat().map((c) => Number(c.id))).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    expect(sim.calls.map((c) => [c.route, c.status])).toEqual([
      ['GET /api/v4/companies', 200],
      ['GET /api/v4/companies', 200],
      ['GET /api/v4/companies', 200],
    ]);
    const rest: string[] = [];
    for await (const p of adapter.bulkRead({ entity: 'companies', afterId: '590' }))
      rest.push(...p.records.map((c) => c.id));
    expect(rest).toEqual(['591', '592', '593', '594', '595', '596', '597', '598', '599', '600']);
    sim.clearCalls();
    let contacts = 0;
    for await (const p of adapter.bulkRead({ entity: 'contacts' })) contacts += p.records.length;
    expect([contacts, sim.calls.map((c) => c.status)]).toEqual([0, [204]]);
    let invoices = 0;
    for await (const p of adapter.bulkRead({ entity: 'invoices' })) invoices += p.records.length;
    expect(invoices).toBe(0);
    expect(await adapter.count('companies')).toBe(600);
    // "Are there any?" (sync's question) stops at the first page: one request, not three.
    sim.clearCalls();
    expect(await adapter.count('companies', { upTo: 1 })).toBe(1);
    expect(sim.calls.length).toBe(1);
  });

  it('writes 50 items a request with request_id; a lead is placed in the pipeline, linked to its company', async () => {
    await start();
    const adapter = adapterFor();
    await adapter.prepare();
    sim.clearCalls();
    const results = await adapter.applyWrites(Array.from({ length: 120 }, (_, i) => company(`k-${i}`)));
    expect(results.filter((r) => r.ok)).toHaveLength(120);
    expect(sim.calls.map((c) => [c.route, c.items])).toEqual([
      ['POST /api/v4/companies', 50],
      ['POST /api/v4/companies', 50],
      ['POST /api/v4/companies', 20],
    ]);
    expect(sim.summary()).toMatchObject({ writeRequests: 3, writeItems: 120 });
    const [lead] = await adapter.applyWrites([
      {
        op: 'create',
        key: 'd-1',
        entity: 'deals',
        external: { source: SOURCE, key: 'd-1' },
        fields: {
          title: 'Заказ',
          stage: 'К выполнению',
          amount: '99.99',
          currency: 'RUB',
          companyId: (results[0] as { id: string }).id,
        },
      },
    ]);
    const raw = sim.state.get('leads', Number((lead as { id: string }).id))!;
    expect([raw.pipeline_id, raw.status_id, raw.price, sim.state.companyOf('leads', Number(raw.id))]).toEqual(
      [
        sim.state.mainPipeline().id,
        sim.state.status(sim.state.mainPipeline().id, 'К выполнению')!.id,
        100,
        Number((results[0] as { id: string }).id),
      ],
    );
  });

  it.each([false, true])(
    'items the account refuses fail one by one, the rest are saved once (partial batches: %s)',
    async (partialBatches) => {
      await start({ partialBatches });
      const adapter = adapterFor();
      await adapter.prepare();
      const [co] = await adapter.applyWrites([company('k-1')]);
      const deal = (key: string, companyId: string): CrmWrite => ({
        op: 'create',
        key,
        entity: 'deals',
        external: { source: SOURCE, key },
        fields: { title: key, amount: '10.00', currency: 'RUB', companyId },
      });
      const results = await adapter.applyWrites([
        deal('d-1', (co as { id: string }).id),
        deal('d-2', '999999'),
        deal('d-3', (co as { id: string }).id),
      ]);
      expect(results.map((r) => [r.key, r.ok, r.ok ? '' : `${r.error.code}: ${r.error.message}`])).toEqual([
        ['d-1', true, ''],
        [
          'd-2',
          false,
          'INVALID: amoCRM refused deals create d-2: _embedded.companies.0.id: NotSupportedChoice (The value you selected is not a valid choice.)',
        ],
        ['d-3', true, ''],
      ]);
      expect(sim.state.count('leads')).toBe(2);
      expect(await adapter.count('deals', { source: SOURCE })).toBe(2);
    },
  );

  it('never exceeds 7 requests a second: a burst of reads meets no 429 and no block', async () => {
    await start({ limits: { rps: 7, blockAfter: 3 } });
    // The margin absorbs a request's delivery delay varying (network jitter; here the test process's own
    // event loop, which on a loaded machine varies by more than the default 50 ms: a 429 now and then).
    const adapter = adapterFor({ rps: 7, windowMarginMs: 250 });
    await adapter.prepare();
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 22 }, (_, i) => adapter.getOne('companies', String(i + 1))));
    const seconds = (Date.now() - t0) / 1000;
    expect(sim.summary().rateLimited).toBe(0);
    expect(sim.blocked).toBe(false);
    // Preparing took 11 requests; with the 22 reads, 33 requests: at 7 a (1.05 s) second at least 4 windows.
    expect(seconds).toBeGreaterThan(2.5);
  });

  it('429: waits and sends again (retry_after, or the HTML page without it); a blocked account is FORBIDDEN at once', async () => {
    await start({ limits: { rps: 7, blockAfter: 10 } });
    const adapter = adapterFor({ rps: 7, windowMarginMs: 50 });
    await adapter.prepare();
    sim.clearCalls();
    sim.setFaults({ forceRateLimit: 2 });
    expect(await adapter.getOne('companies', '1')).toBeNull();
    sim.setFaults({ forceRateLimit: 2, html429: true });
    expect((await adapter.applyWrites([company('k-1')]))[0].ok).toBe(true);
    expect(sim.calls.map((c) => c.status)).toEqual([429, 429, 204, 429, 429, 200]);
    expect(sim.state.count('companies')).toBe(1);
    sim.setFaults({});
    sim.setLimits({ rps: 1, blockAfter: 1 });
    await fetch(`${sim.url}/api/v4/account`, { headers: { Authorization: `Bearer ${sim.token}` } });
    await fetch(`${sim.url}/api/v4/account`, { headers: { Authorization: `Bearer ${sim.token}` } });
    expect(sim.blocked).toBe(true);
    sim.clearCalls();
    const e = await expectCrmError(adapter.getOne('companies', '1'), CrmErrorCode.FORBIDDEN);
    expect(e.message).toContain('the account is blocked');
    expect(sim.calls).toHaveLength(1);
  });

  it('5xx and lost answers: reads retried, adds looked up by their 1C key — every record once', async () => {
    await start({ faultSeed: 7 });
    const adapter = adapterFor();
    await adapter.prepare();
    sim.setFaults({ errorRate: 0.3, lostResponseRate: 0.3 });
    const keys = Array.from({ length: 40 }, (_, i) => `k-${i}`);
    const results = new Map<string, string | null>();
    for (let i = 0; i < keys.length; i += 5)
      for (const r of await adapter.applyWrites(keys.slice(i, i + 5).map((k) => company(k))))
        results.set(r.key, r.ok ? r.id : null);
    const statuses = new Set(sim.calls.map((c) => c.status));
    sim.setFaults({});
    expect([statuses.has(500), sim.calls.some((c) => c.lost)]).toEqual([true, true]);
    const found = await adapter.findByExternalKey('companies', SOURCE, keys);
    // Made at most once; a create reported done is the record the CRM has (a failed one may still have been
    // saved by its last lost answer: the next run finds it by its key).
    expect(keys.filter((k) => (found.get(k)?.length ?? 0) > 1)).toEqual([]);
    const done = keys.filter((k) => results.get(k));
    expect(done.map((k) => found.get(k))).toEqual(done.map((k) => [results.get(k)]));
    expect(done.length).toBeGreaterThanOrEqual(30);
  });

  it('an account without API filtering: look-ups by id (one GET each) and by 1C key (a search each) stay exact', async () => {
    await start({ filtersEnabled: false });
    const adapter = adapterFor();
    await adapter.prepare();
    const ids = (await adapter.applyWrites([company('k-1'), company('k-2'), company('k-3')])).map(
      (r) => (r as { id: string }).id,
    );
    sim.state.add('companies', { name: 'Ключ в названии: sverka-1c:k-2' });
    const found = await adapter.findByExternalKey('companies', SOURCE, ['k-2', 'k-9']);
    expect([...found]).toEqual([['k-2', [ids[1]]]]);
    const many = await adapter.getMany('companies', [ids[2], ids[0], '999']);
    expect(many.records.map((c) => c.id)).toEqual([ids[0], ids[2]]);
  });
  it('matching by INN takes the cheapest way: the whole list when it is short, else the INN filter or a search per INN; only exact INNs kept', async () => {
    for (const filtersEnabled of [true, false]) {
      resetAccountWindows();
      await start({ filtersEnabled });
      const adapter = adapterFor();
      await adapter.prepare();
      const innField = sim.state.field('companies', 'ИНН')!.id;
      const inns = Array.from({ length: 300 }, (_, i) => String(7700000000 + i * 7));
      const ids = inns.map((inn, i) =>
        String(
          sim.state.add('companies', {
            name: `Компания ${i}`,
            custom_fields_values: [{ field_id: innField, values: [{ value: inn }] }],
          }),
        ),
      );
      // An INN that contains an asked one is not it.
      sim.state.add('companies', {
        name: 'Похожая',
        custom_fields_values: [{ field_id: innField, values: [{ value: `${inns[0]}99` }] }],
      });
      const paths = () => sim.calls.map((c) => `${c.method} ${c.path}`);
      // 300 INNs: 6 filter requests (or 300 searches) against 2 pages of the list: the probe of page 6 (or 300) is empty, the list is read.
      sim.clearCalls();
      const all = await adapter.matching.companiesByInn(inns);
      expect(all.records.map((c) => c.id)).toEqual(ids);
      expect(sim.calls.length).toBe(3);
      // 2 INNs: with filtering one filter request (no probe); without, 2 searches after the probe of page 2 found rows.
      sim.clearCalls();
      const two = await adapter.matching.companiesByInn([inns[0], inns[299]]);
      expect(two.records.map((c) => [c.id, c.taxIds.map((t) => t.inn)])).toEqual([
        [ids[0], [inns[0]]],
        [ids[299], [inns[299]]],
      ]);
      expect(paths()).toEqual(Array(filtersEnabled ? 1 : 3).fill('GET /api/v4/companies'));
      if (filtersEnabled) await sim.close();
    }
  });
});
