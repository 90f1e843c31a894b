import { parseSettings } from '../../src/config/settings.js';
import { Bitrix24Adapter, type Bitrix24AdapterOptions } from '../../src/crm/bitrix24/bitrix24.adapter.js';
import { resetPortalLimiters } from '../../src/crm/bitrix24/leaky-bucket.js';
import { CrmError, CrmErrorCode } from '../../src/crm/crm.error.js';
import { createCrmPort } from '../../src/crm/crm.module.js';
import { simMapping } from '../../sim/mapping.js';
import type { CrmCompany, CrmWrite } from '../../src/crm/crm.types.js';
import { SverkaMetrics } from '../../src/metrics/sverka-metrics.js';
import {
  startBitrix24Simulator,
  type Bitrix24Seed,
  type RunningBitrix24Simulator,
} from '../../sim/bitrix24/index.js';

/**
 * Contract: the Bitrix24 adapter against the fake portal over real HTTP (docs/protocols/bitrix24.md).
 */
const ORIGINATOR = 'sverka-1c';

function seedCompanies(n: number, withOrigin = 0): Bitrix24Seed {
  const companies = Array.from({ length: n }, (_, i) => ({
    title: `Компания ${i + 1}`,
    originatorId: i < withOrigin ? ORIGINATOR : null,
    originId: i < withOrigin ? `ref-${i + 1}` : null,
    fm: [{ id: i + 1, typeId: 'PHONE', valueType: 'WORK', value: `+7495${String(1000000 + i)}` }],
  }));
  return { companies };
}

async function collect<T>(
  it: AsyncIterable<{ records: T[]; malformed: unknown[] }>,
): Promise<{ records: T[]; pages: number; malformed: number }> {
  const out = { records: [] as T[], pages: 0, malformed: 0 };
  for await (const p of it) {
    out.records.push(...p.records);
    out.malformed += p.malformed.length;
    out.pages++;
  }
  return out;
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

/** Records the commands of every batch the adapter sends (in order). */
function spyBatches(adapter: Bitrix24Adapter): { method: string; params: Record<string, unknown> }[][] {
  const sent: { method: string; params: Record<string, unknown> }[][] = [];
  const batch = adapter.http.batch.bind(adapter.http);
  adapter.http.batch = (commands, onUncertain) => {
    sent.push([...commands.values()].map((c) => structuredClone(c)));
    return batch(commands, onUncertain);
  };
  return sent;
}

function companyCreate(i: number, extra: { phones?: string[] } = {}): CrmWrite {
  return {
    op: 'create',
    key: `k${i}`,
    entity: 'companies',
    external: { source: ORIGINATOR, key: `new-${i}` },
    fields: {
      title: `Новая ${i}`,
      sourceVersion: `v${i}`,
      ...(extra.phones ? { phones: { add: extra.phones, remove: [] } } : {}),
    },
  };
}

const TAX = {
  kind: 'legal',
  inn: '5024089920',
  kpp: '501701001',
  ogrn: '1075024006144',
  fullName: 'ООО "ТЕХНО"',
  name: 'ТЕХНО ООО',
} as const;

describe('Bitrix24 adapter against the simulator', () => {
  let sim: RunningBitrix24Simulator;
  let metrics: SverkaMetrics;
  const adapterFor = (s: RunningBitrix24Simulator, o: Partial<Bitrix24AdapterOptions> = {}) =>
    new Bitrix24Adapter({
      webhookUrl: s.webhookUrl,
      rps: 1000,
      burst: 1000,
      retryScale: 0.002,
      metrics,
      ...o,
    });

  beforeEach(() => {
    resetPortalLimiters();
    metrics = new SverkaMetrics({ defaultMetrics: false });
  });
  afterEach(async () => {
    await sim?.close();
  });

  it('bulk-reads by id ranges, 50 list calls per batch request, select *, phones and e-mails as values, ascending, nothing read twice', async () => {
    sim = await startBitrix24Simulator({ seed: seedCompanies(137, 10), limits: false });
    const adapter = adapterFor(sim);
    const sent = spyBatches(adapter);
    const read = await collect<CrmCompany>(adapter.bulkRead({ entity: 'companies' }));
    expect(read.records.map((r) => Number(r.id))).toEqual(Array.from({ length: 137 }, (_, i) => i + 1));
    expect(read.pages).toBe(3);
    expect(read.records[0]).toMatchObject({
      id: '1',
      title: 'Компания 1',
      external: { source: ORIGINATOR, key: 'ref-1' },
    });
    expect(read.records[0].phones).toEqual(['+74951000000']);
    // One HTTP request of companies: a batch of 50 crm.item.list calls, 49 ranges of 50 ids and the open
    // rest; one more for their tax details (requisites, 50 companies per call).
    expect(sim.calls.map((c) => c.method)).toEqual(['batch', 'batch']);
    expect(sim.calls[0].commands).toHaveLength(50);
    expect(sim.calls[1].commands).toHaveLength(3);
    expect(sent[1][0]).toEqual({
      method: 'crm.requisite.list',
      params: expect.objectContaining({
        filter: { ENTITY_TYPE_ID: 4, '@ENTITY_ID': Array.from({ length: 50 }, (_, i) => i + 1) },
      }),
    });
    const calls = sent[0];
    for (const c of calls) {
      expect(c.method).toBe('crm.item.list');
      expect(c.params).toMatchObject({ entityTypeId: 4, select: ['*'], order: { id: 'ASC' }, start: -1 });
    }
    expect(calls[0].params.filter).toEqual({ '>=id': 1, '<id': 51 });
    expect(calls[48].params.filter).toEqual({ '>=id': 2401, '<id': 2451 });
    expect(calls[49].params.filter).toEqual({ '>=id': 2451 });
    // afterId resumes.
    const rest = await collect<CrmCompany>(adapter.bulkRead({ entity: 'companies', afterId: '130' }));
    expect(rest.records.map((r) => r.id)).toEqual(['131', '132', '133', '134', '135', '136', '137']);
    expect(sent[2][0].params.filter).toEqual({ '>=id': 131, '<id': 181 });
    await expectCrmError(
      collect(adapter.bulkRead({ entity: 'companies', afterId: 'x' })),
      CrmErrorCode.INVALID,
    );
  });

  it.each([0, 50, 51, 2_500, 2_501])(
    'bulk read of %i dense companies: each once, one request per ≤ 50 calls (and one for their tax details)',
    async (n) => {
      sim = await startBitrix24Simulator({ seed: seedCompanies(n), limits: false });
      const read = await collect<CrmCompany>(adapterFor(sim).bulkRead({ entity: 'companies' }));
      expect(read.records.map((r) => Number(r.id))).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      // 2 450 ids in 49 closed ranges + 50 from the open one per request; a read ends on a short answer.
      // Each request that brought companies is followed by one for their requisites.
      expect(sim.calls).toHaveLength(n === 0 ? 1 : n < 2_500 ? 2 : n === 2_500 ? 3 : 4);
      for (const c of sim.calls) {
        expect(c.method).toBe('batch');
        expect(c.commands!.length).toBeLessThanOrEqual(50);
      }
    },
  );

  it('bulk read with holes: 30k companies, ¾ deleted in blocks and at random, a gap of 10 million ids', async () => {
    const companies = Array.from({ length: 30_000 }, (_, i) => ({
      id: i < 20_000 ? i + 1 : 10_000_000 + i,
      title: `Компания ${i + 1}`,
    }));
    sim = await startBitrix24Simulator({ seed: { companies }, limits: false });
    let seed = 5;
    const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (const c of companies)
      if ((c.id > 2_000 && c.id <= 9_000) || (c.id > 9_000 && rnd() < 0.6))
        sim.state.delete('companies', c.id);
    const left = sim.state
      .list('companies')
      .map((c) => c.id)
      .sort((a, b) => a - b);
    sim.clearCalls();
    const read = await collect<CrmCompany>(adapterFor(sim).bulkRead({ entity: 'companies' }));
    expect(read.records.map((r) => Number(r.id))).toEqual(left);
    expect(sim.calls.every((c) => c.method === 'batch' && c.commands!.length <= 50)).toBe(true);
    // ≈ 9 600 companies: one call per request took 193 requests; full batches at best 4 (and 4 for requisites).
    expect(sim.calls.length).toBeLessThanOrEqual(Math.ceil(left.length / 2_500) * 4 + 4);
  });

  it('bulk read reports malformed rows (and reads on), invoices (type 31) by ranges too', async () => {
    const companies: object[] = seedCompanies(120).companies!.map((c, i) => ({ ...c, id: i + 1 }));
    (companies[9] as Record<string, unknown>).title = 123;
    (companies[99] as Record<string, unknown>).updatedTime = 'вчера';
    sim = await startBitrix24Simulator({ seed: { companies }, limits: false });
    const adapter = adapterFor(sim);
    const bad: { id: string | null; reason: string }[] = [];
    const ids: string[] = [];
    for await (const page of adapter.bulkRead({ entity: 'companies' })) {
      ids.push(...page.records.map((r) => r.id));
      bad.push(...page.malformed);
    }
    expect(ids).toHaveLength(118);
    expect(bad).toEqual([
      expect.objectContaining({ entity: 'companies', id: '10', reason: expect.stringMatching(/title/) }),
      expect.objectContaining({
        entity: 'companies',
        id: '100',
        reason: expect.stringMatching(/updatedTime/),
      }),
    ]);
    sim.state.addInvoices(
      Array.from({ length: 130 }, (_, i) => ({ title: `Счёт ${i}`, companyId: 1, opportunity: 100 + i })),
    );
    sim.clearCalls();
    const inv = await collect(adapter.bulkRead({ entity: 'invoices' }));
    expect(inv.records).toHaveLength(130);
    expect(sim.calls).toHaveLength(1);
  });

  it('bulk read: a failed call of a batch is retried alone (retryable), a failure left is thrown', async () => {
    sim = await startBitrix24Simulator({
      seed: seedCompanies(3_000),
      limits: false,
      faults: { commandErrorRate: 0.1 },
      faultSeed: 3,
    });
    const adapter = adapterFor(sim);
    const read = await collect<CrmCompany>(adapter.bulkRead({ entity: 'companies' }));
    expect(read.records.map((r) => Number(r.id))).toEqual(Array.from({ length: 3_000 }, (_, i) => i + 1));
    const batches = sim.calls.filter((c) => c.method === 'batch');
    const failed = batches[0].commands!.filter((c) => c.outcome !== 'ok').length;
    expect(failed).toBeGreaterThan(0);
    // The next request re-sends only the failed calls of the first.
    expect(batches[1].commands).toHaveLength(failed);
    // Whole requests refused (fatal): thrown at once.
    sim.setFaults({ forbid: 'plan' });
    sim.clearCalls();
    await expectCrmError(collect(adapter.bulkRead({ entity: 'companies' })), CrmErrorCode.FORBIDDEN);
    expect(sim.calls).toHaveLength(1);
    // A call failing with a final error inside the batch answer: thrown as it is (as getMany does).
    sim.setFaults({});
    const denied = new CrmError(CrmErrorCode.FORBIDDEN, 'Bitrix24 crm.item.list: ACCESS_DENIED');
    const batch = adapter.http.batch.bind(adapter.http);
    adapter.http.batch = async (commands) => {
      const out = await batch(commands);
      out.set('r3', { ok: false, error: denied });
      return out;
    };
    await expect(collect(adapter.bulkRead({ entity: 'companies' }))).rejects.toBe(denied);
  });

  it("companies come with their tax details: Sverka's own requisite (XML_ID = the 1C key), else the first; contact requisites left out", async () => {
    sim = await startBitrix24Simulator({ seed: seedCompanies(3, 3), limits: false });
    sim.state.add('contacts', { name: 'Пётр' });
    const person = {
      ENTITY_TYPE_ID: 4,
      PRESET_ID: 1,
      NAME: 'Организация',
      RQ_INN: '7700000001',
      RQ_COMPANY_NAME: 'Чужое',
    };
    sim.state.addRequisite({ ...person, ENTITY_ID: 1 });
    sim.state.addRequisite({
      ...person,
      ENTITY_ID: 1,
      XML_ID: 'ref-1',
      RQ_INN: '5024089920',
      RQ_KPP: '501701001',
      RQ_OGRN: '1075024006144',
      RQ_COMPANY_NAME: 'ТЕХНО ООО',
      RQ_COMPANY_FULL_NAME: 'ООО "ТЕХНО"',
    });
    sim.state.addRequisite({ ...person, ENTITY_ID: 2, RQ_INN: '7700000002', RQ_COMPANY_NAME: 'Второе' });
    sim.state.addRequisite({
      ENTITY_TYPE_ID: 3,
      ENTITY_ID: 1,
      PRESET_ID: 1,
      NAME: 'Организация',
      RQ_INN: '7700000009',
    });
    // 60 requisites of company 3: a full page of one call is continued with >ID.
    for (let i = 0; i < 60; i++)
      sim.state.addRequisite({ ...person, ENTITY_ID: 3, PRESET_ID: 3, NAME: 'ИП', RQ_INN: `7707${i}` });
    const adapter = adapterFor(sim);
    sim.clearCalls();
    const all = await collect<CrmCompany>(adapter.bulkRead({ entity: 'companies' }));
    expect(all.malformed).toBe(0);
    expect(all.records.map((c) => c.taxIds)).toEqual([
      { ...TAX, owned: true },
      { kind: 'legal', inn: '7700000002', kpp: '', ogrn: '', fullName: '', name: 'Второе', owned: false },
      { kind: 'entrepreneur', inn: '77070', kpp: '', ogrn: '', fullName: '', name: 'Чужое', owned: false },
    ]);
    expect(sim.calls).toHaveLength(3);
    const got = await adapter.getMany('companies', ['1', '2']);
    expect(got.records.map((c) => c.taxIds?.inn)).toEqual(['5024089920', '7700000002']);
    expect((await adapter.getOne('companies', '1'))!.taxIds).toEqual({ ...TAX, owned: true });
  });

  it('getMany by ids in one batch (missing ids absent), getOne null on NOT_FOUND, count via total', async () => {
    sim = await startBitrix24Simulator({ seed: seedCompanies(120, 30), limits: false });
    const adapter = adapterFor(sim);
    const ids = [...Array.from({ length: 110 }, (_, i) => String(i + 5)), '9999'];
    const got = await adapter.getMany('companies', ids);
    expect(got.records.map((r) => r.id).sort((a, b) => +a - +b)).toEqual(ids.slice(0, 110));
    // One request of 3 list calls for the companies, one of 3 for their requisites.
    expect(sim.calls.map((c) => c.method)).toEqual(['batch', 'batch']);
    expect(sim.calls.map((c) => c.commands!.length)).toEqual([3, 3]);
    expect(await adapter.getOne('companies', '9999')).toBeNull();
    expect((await adapter.getOne('companies', '7'))?.title).toBe('Компания 7');
    expect(await adapter.count('companies')).toBe(120);
    expect(await adapter.count('companies', { source: ORIGINATOR })).toBe(30);
    expect(await adapter.count('invoices')).toBe(0);
  });

  it('findByExternalKey: 50 keys per @originId list call, ascending ids, duplicates kept, full pages continued', async () => {
    sim = await startBitrix24Simulator({ seed: seedCompanies(60, 20), limits: false });
    sim.state.add('companies', { title: 'Копия', originatorId: ORIGINATOR, originId: 'ref-3' });
    sim.state.add('companies', { title: 'Чужая', originatorId: 'other', originId: 'ref-4' });
    const adapter = adapterFor(sim);
    const found = await adapter.findByExternalKey('companies', ORIGINATOR, ['ref-3', 'ref-4', 'ref-99']);
    expect(found).toEqual(
      new Map([
        ['ref-3', ['3', '61']],
        ['ref-4', ['4']],
      ]),
    );
    expect(sim.calls).toHaveLength(1);
    expect(sim.calls[0].commands).toHaveLength(1);

    // 120 origins → 3 list calls in one batch request (not one call per origin); one origin carried by
    // 60 records fills its call's page, which is continued with >id until a short page.
    sim.clearCalls();
    for (let k = 0; k < 59; k++)
      sim.state.add('companies', { title: `Дубль ${k}`, originatorId: ORIGINATOR, originId: 'ref-5' });
    const refs = Array.from({ length: 120 }, (_, i) => `ref-${i + 1}`);
    const many = await adapter.findByExternalKey('companies', ORIGINATOR, refs);
    // The first 20 seeded companies carry our origin (ref-1 … ref-20), and so do the added copies.
    expect([...many.keys()].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `ref-${i + 1}`).sort());
    expect(many.get('ref-3')).toEqual(['3', '61']);
    expect(many.get('ref-5')).toHaveLength(60);
    expect(many.get('ref-5')![0]).toBe('5');
    const perRequest = sim.calls.map((c) => c.commands?.length ?? 1);
    expect(perRequest).toEqual([3, 1]);
  });

  it('a batch with partial failures gives per-command results; the rest stays done (not atomic)', async () => {
    sim = await startBitrix24Simulator({ seed: seedCompanies(3, 3), limits: false });
    const adapter = adapterFor(sim);
    const writes: CrmWrite[] = [
      companyCreate(1, { phones: ['+74951234567'] }),
      {
        op: 'create',
        key: 'deal-bad',
        entity: 'deals',
        external: { source: ORIGINATOR, key: 'o-1' },
        fields: {
          title: 'Заказ 1',
          stage: 'NO_SUCH_STAGE',
          amount: '100.00',
          currency: 'RUB',
          companyId: '1',
        },
      },
      {
        op: 'create',
        key: 'deal-ok',
        entity: 'deals',
        external: { source: ORIGINATOR, key: 'o-2' },
        fields: {
          title: 'Заказ 2',
          stage: 'EXECUTING',
          amount: '150000.50',
          currency: 'RUB',
          companyId: '1',
          comments: 'Поставка',
        },
      },
      { op: 'update', key: 'gone', entity: 'companies', id: '999', fields: { title: 'x' } },
      { op: 'update', key: 'upd', entity: 'companies', id: '2', fields: { title: 'Переименована' } },
    ];
    const res = await adapter.applyWrites(writes);
    expect(res.map((r) => [r.key, r.ok])).toEqual([
      ['k1', true],
      ['deal-bad', false],
      ['deal-ok', true],
      ['gone', false],
      ['upd', true],
    ]);
    expect(res[1].ok === false && res[1].error.code).toBe(CrmErrorCode.INVALID);
    expect(res[1].ok === false && res[1].error.crmCode).toBe('CRM_FIELD_ERROR_VALUE_NOT_VALID');
    expect(res[3].ok === false && res[3].error.code).toBe(CrmErrorCode.NOT_FOUND);
    expect(sim.calls.filter((c) => c.method === 'batch')).toHaveLength(1);
    const deal = sim.state.get('deals', res[2].ok ? res[2].id : 0)!;
    expect(deal).toMatchObject({
      categoryId: 0,
      stageId: 'EXECUTING',
      stageSemanticId: 'P',
      opportunity: 150000.5,
      isManualOpportunity: 'Y',
      companyId: 1,
      comments: 'Поставка',
    });
    expect(sim.state.get('companies', 2)!.title).toBe('Переименована');
    expect(sim.state.get('companies', res[0].ok ? res[0].id : 0)!.fm).toEqual([
      expect.objectContaining({ typeId: 'PHONE', valueType: 'WORK', value: '+74951234567' }),
    ]);
  });

  it('retries only the failed retryable commands of a batch', async () => {
    sim = await startBitrix24Simulator({
      seed: {},
      limits: false,
      faults: { commandErrorRate: 0.3 },
      faultSeed: 7,
    });
    const adapter = adapterFor(sim);
    const res = await adapter.applyWrites(Array.from({ length: 40 }, (_, i) => companyCreate(i)));
    expect(res.every((r) => r.ok)).toBe(true);
    // Creates whose outcome is unknown are first looked up by origin (one list call for all of them), then retried.
    const creates = sim.calls.filter((c) => c.method === 'batch' && c.commands![0].method === 'crm.item.add');
    expect(creates.length).toBeGreaterThan(1);
    const failedFirst = creates[0].commands!.filter((c) => c.outcome !== 'ok').length;
    expect(failedFirst).toBeGreaterThan(0);
    expect(creates[1].commands).toHaveLength(failedFirst);
    expect(sim.state.count('companies')).toBe(40);
  });

  it('phones and e-mails: adds the new values, removes the asked ones by id, leaves a person’s alone; reads fm only when not just read', async () => {
    sim = await startBitrix24Simulator({ seed: {}, limits: false });
    const item = sim.state.add('companies', {
      title: 'Тест',
      fm: [
        { typeId: 'PHONE', valueType: 'WORK', value: '+74951111111' },
        { typeId: 'PHONE', valueType: 'MOBILE', value: '+79162222222' },
        { typeId: 'EMAIL', valueType: 'WORK', value: 'old@example.ru' },
        { typeId: 'WEB', valueType: 'WORK', value: 'example.ru' },
      ],
    });
    const keptId = (item.fm as { id: number; value: string }[]).find((e) => e.value === '+74951111111')!.id;
    const adapter = adapterFor(sim);
    const [r] = await adapter.applyWrites([
      {
        op: 'update',
        key: 'u',
        entity: 'companies',
        id: String(item.id),
        fields: {
          phones: { add: ['+74951111111', '+74953333333'], remove: [] },
          emails: { add: ['new@example.ru'], remove: ['old@example.ru'] },
        },
      },
    ]);
    expect(r.ok).toBe(true);
    const fm = sim.state.get('companies', item.id)!.fm as { id: number; typeId: string; value: string }[];
    expect(fm.map((e) => [e.typeId, e.value]).sort()).toEqual(
      [
        ['EMAIL', 'new@example.ru'],
        ['PHONE', '+74951111111'],
        ['PHONE', '+74953333333'],
        ['PHONE', '+79162222222'],
        ['WEB', 'example.ru'],
      ].sort(),
    );
    expect(fm.find((e) => e.value === '+74951111111')!.id).toBe(keptId);
    // The same change again, right after a read: no fm read, nothing to send, updatedTime unchanged.
    const before = sim.state.get('companies', item.id)!.updatedTime;
    await adapter.getMany('companies', [String(item.id)]);
    sim.clearCalls();
    await adapter.applyWrites([
      {
        op: 'update',
        key: 'u2',
        entity: 'companies',
        id: String(item.id),
        fields: { phones: { add: ['+74953333333'], remove: [] } },
      },
    ]);
    expect(sim.calls).toEqual([]);
    expect(sim.state.get('companies', item.id)!.updatedTime).toBe(before);
  });

  it('tax details: a created company gets its requisite (preset by kind, XML_ID = the 1C key) after its id is known; an update rewrites Sverka’s own', async () => {
    sim = await startBitrix24Simulator({ seed: seedCompanies(3), limits: false });
    const adapter = adapterFor(sim);
    const seen: { key: string; id: string }[][] = [];
    const [add] = await adapter.applyWrites(
      [
        {
          op: 'create',
          key: 'ref-new',
          entity: 'companies',
          external: { source: ORIGINATOR, key: 'ref-new' },
          fields: { title: 'ТЕХНО ООО', taxIds: TAX },
        },
      ],
      { onCreated: async (c) => void seen.push(c) },
    );
    expect(add.ok).toBe(true);
    const companyId = add.ok ? add.id : '';
    expect(seen).toEqual([[{ key: 'ref-new', id: companyId }]]);
    const [rq] = sim.state.requisites().filter((q) => q.ENTITY_ID === companyId);
    expect(rq).toMatchObject({
      ENTITY_TYPE_ID: '4',
      PRESET_ID: '1',
      NAME: 'Организация',
      XML_ID: 'ref-new',
      RQ_INN: '5024089920',
      RQ_OGRN: '1075024006144',
      RQ_COMPANY_NAME: 'ТЕХНО ООО',
      RQ_COMPANY_FULL_NAME: 'ООО "ТЕХНО"',
    });
    // An update: Sverka's own requisite (found by XML_ID) is rewritten, not a second one added.
    const [upd, bad] = await adapter.applyWrites([
      {
        op: 'update',
        key: 'ref-new',
        entity: 'companies',
        id: companyId,
        fields: { taxIds: { ...TAX, kpp: '501701002' } },
      },
      {
        op: 'update',
        key: 'ref-2',
        entity: 'companies',
        id: '2',
        fields: { taxIds: { ...TAX, kind: 'entrepreneur' } },
      },
    ]);
    expect(upd).toEqual({ key: 'ref-new', ok: true, id: companyId });
    expect(
      sim.state
        .requisites()
        .filter((q) => q.ENTITY_ID === companyId)
        .map((q) => q.RQ_KPP),
    ).toEqual(['501701002']);
    // Company 2 had none of Sverka's: one is added with the ИП preset.
    expect(bad.ok).toBe(true);
    expect(
      sim.state
        .requisites()
        .filter((q) => q.ENTITY_ID === '2')
        .map((q) => [q.NAME, q.XML_ID]),
    ).toEqual([['ИП', 'ref-2']]);
    expect(sim.calls.filter((c) => c.method === 'crm.requisite.preset.list')).toHaveLength(1);
    // A preset the portal does not have: the company is written, its tax details fail (a per-record failure).
    const odd = new Bitrix24Adapter({
      webhookUrl: sim.webhookUrl,
      rps: 1000,
      burst: 1000,
      retryScale: 0.002,
      config: { ...adapter.config, presets: { ...adapter.config.presets, legal: 'Нет такого' } },
    });
    const [noPreset] = await odd.applyWrites([
      {
        op: 'create',
        key: 'ref-x',
        entity: 'companies',
        external: { source: ORIGINATOR, key: 'ref-x' },
        fields: { title: 'X', taxIds: TAX },
      },
    ]);
    expect(noPreset.ok === false && noPreset.error.code).toBe(CrmErrorCode.INVALID);
    expect(noPreset.ok === false && noPreset.id).toMatch(/^\d+$/);
  });

  it('stages: deal pipeline 0 and the default invoice pipeline, null/"" → open, cached with a TTL', async () => {
    sim = await startBitrix24Simulator({ seed: {}, limits: false });
    const adapter = adapterFor(sim, { stageTtlMs: 60_000 });
    const deal = await adapter.listStages('deal');
    expect(deal.map((s) => s.id)).toContain('EXECUTING');
    expect(deal.find((s) => s.id === 'WON')!.kind).toBe('won');
    expect(deal.find((s) => s.id === 'NEW')!.kind).toBe('open');
    const inv = await adapter.listStages('invoice');
    expect(inv.map((s) => [s.id, s.kind])).toEqual([
      ['DT31_2:N', 'open'],
      ['DT31_2:S', 'open'],
      ['DT31_2:P', 'won'],
      ['DT31_2:D', 'lost'],
    ]);
    await adapter.listStages('deal');
    await adapter.listStages('invoice');
    expect(sim.calls.map((c) => c.method)).toEqual([
      'crm.status.list',
      'crm.category.list',
      'crm.status.list',
    ]);
    const short = adapterFor(sim, { stageTtlMs: 0 });
    await short.listStages('deal');
    await short.listStages('deal');
    expect(sim.calls.filter((c) => c.method === 'crm.status.list')).toHaveLength(4);
  });

  it('rate limit: never trips the portal bucket under steady load when both have the same settings', async () => {
    // The adapter keeps one slot of headroom: it absorbs a request's delivery delay varying by up to
    // 1/rps (500 ms on a real portal at 2/s). At 5/s that is 200 ms, beyond what a loaded CI machine
    // adds between fetch() and the portal (at 20/s, 50 ms was not: a clean-clone run once saw a retried call).
    sim = await startBitrix24Simulator({ seed: seedCompanies(5), limits: { rps: 5, burst: 5 } });
    const adapter = adapterFor(sim, { rps: 5, burst: 5 });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 15 }, () => adapter.count('companies')));
    const ms = Date.now() - t0;
    expect(sim.calls).toHaveLength(15);
    expect(sim.calls.filter((c) => c.status === 503)).toHaveLength(0);
    // 4 in the first burst (one slot of headroom), then 5/s: the 11 others take 2.2 s.
    expect(ms).toBeGreaterThanOrEqual(2000);
  });

  it('recovers when the portal forces 503 QUERY_LIMIT_EXCEEDED (backoff), counted as rate_limited', async () => {
    sim = await startBitrix24Simulator({ seed: seedCompanies(5), limits: false });
    const adapter = adapterFor(sim);
    sim.setFaults({ forceQueryLimit: 3 });
    expect(await adapter.count('companies')).toBe(5);
    expect(sim.calls.map((c) => c.status)).toEqual([503, 503, 503, 200]);
    const m = await metrics.registry.getSingleMetricAsString('sverka_crm_requests_total');
    expect(m).toContain('method="crm.item.list",outcome="rate_limited"} 3');
    expect(m).toContain('method="crm.item.list",outcome="ok"} 1');
    // More than six 503s in a row: RATE_LIMITED.
    sim.setFaults({ forceQueryLimit: 10 });
    await expectCrmError(adapter.count('companies'), CrmErrorCode.RATE_LIMITED);
  });

  it('429 OPERATION_TIME_LIMIT pauses that method (other methods keep working) until the reset, then retries', async () => {
    sim = await startBitrix24Simulator({ seed: seedCompanies(5), limits: false });
    const adapter = adapterFor(sim, { retryScale: 0.01 });
    sim.setFaults({ blockedMethods: { 'crm.item.list': 0.3 } });
    const t0 = Date.now();
    const [n, stages] = await Promise.all([adapter.count('companies'), adapter.listStages('deal')]);
    expect(n).toBe(5);
    expect(stages.length).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    const lists = sim.calls.filter((c) => c.method === 'crm.item.list');
    expect(lists[0].status).toBe(429);
    expect(lists.at(-1)!.status).toBe(200);
    expect(sim.calls.find((c) => c.method === 'crm.status.list')!.status).toBe(200);
    // Inside a batch: the blocked command is retried after the pause.
    sim.setFaults({ blockedMethods: { 'crm.item.list': 0.3 } });
    const got = await adapter.getMany('companies', ['1', '2']);
    expect(got.records).toHaveLength(2);
    const batches = sim.calls.filter((c) => c.method === 'batch');
    expect(batches[0].commands![0].outcome).toBe('OPERATION_TIME_LIMIT');
    expect(batches.at(-1)!.commands![0].outcome).toBe('ok');
  });

  it('lost responses on creates (25 %): looked up by origin before any retry, no duplicates, every create gets its id', async () => {
    sim = await startBitrix24Simulator({
      seed: {},
      limits: false,
      faults: { lostResponseRate: 0.25 },
      faultSeed: 3,
    });
    const adapter = adapterFor(sim);
    const writes = Array.from({ length: 400 }, (_, i) => companyCreate(i));
    const res = await adapter.applyWrites(writes);
    expect(res.every((r) => r.ok)).toBe(true);
    expect(sim.calls.some((c) => c.lost)).toBe(true);
    expect(res.some((r) => r.ok && r.recovered)).toBe(true);
    const ids = res.map((r) => (r.ok ? r.id : ''));
    expect(new Set(ids).size).toBe(400);
    expect(sim.state.count('companies')).toBe(400);
    for (let i = 0; i < 400; i++)
      expect(sim.state.findByOrigin('companies', ORIGINATOR, `new-${i}`).map((c) => String(c.id))).toEqual([
        ids[i],
      ]);
    // Duplicates made by someone else (plus the lost create itself): the lowest id wins, the others are reported.
    sim.state.add('companies', { title: 'Дубль', originatorId: ORIGINATOR, originId: 'new-500' });
    sim.state.add('companies', { title: 'Дубль 2', originatorId: ORIGINATOR, originId: 'new-500' });
    sim.setFaults({ lostResponseRate: 1 });
    const [dup] = await adapter.applyWrites([companyCreate(500)]);
    expect(dup).toMatchObject({ ok: true, id: '401', recovered: true, duplicates: ['402', '403'] });
  });

  it('lost responses on requisite creates and fm updates do not repeat them', async () => {
    sim = await startBitrix24Simulator({ seed: seedCompanies(2), limits: false });
    const adapter = adapterFor(sim, { retryScale: 0.2 });
    sim.setFaults({ lostResponseRate: 1 });
    const lost = adapter.applyWrites([
      {
        op: 'update',
        key: 'ref-ip',
        entity: 'companies',
        id: '1',
        fields: {
          taxIds: {
            kind: 'entrepreneur',
            inn: '500100732259',
            kpp: '',
            ogrn: '304500116000157',
            fullName: '',
            name: 'ИП Сидоров',
          },
        },
      },
      {
        op: 'update',
        key: 'u',
        entity: 'companies',
        id: '2',
        fields: { phones: { add: ['+74950000001', '+74959999999'], remove: ['+74951000001'] } },
      },
    ]);
    // Every answer is lost: the requisite is found by XML_ID, the fm update is rebuilt each time and ends up empty.
    await new Promise((r) => setTimeout(r, 300));
    sim.setFaults({});
    const [req, upd] = await lost;
    expect(req).toMatchObject({ ok: true, id: '1' });
    expect(sim.state.requisites().filter((r) => r.XML_ID === 'ref-ip')).toHaveLength(1);
    expect(sim.state.requisites()[0].RQ_OGRNIP).toBe('304500116000157');
    expect(upd.ok).toBe(true);
    const phones = (sim.state.get('companies', 2)!.fm as { value: string }[]).map((e) => e.value).sort();
    expect(phones).toEqual(['+74950000001', '+74959999999']);
  });

  it('maps errors: 401 and 403 fail fast saying what to fix without the secret; NOT_FOUND; INVALID_ARG_VALUE; type 5; 500 after 3 retries', async () => {
    sim = await startBitrix24Simulator({ seed: seedCompanies(2), limits: false, secret: 'topsecret-77' });
    const wrong = new Bitrix24Adapter({
      webhookUrl: sim.webhookUrl.replace('topsecret-77', 'wrong-secret-99'),
      rps: 1000,
      burst: 1000,
      retryScale: 0.002,
    });
    const e401 = await expectCrmError(wrong.ping(), CrmErrorCode.UNAUTHORIZED);
    expect(e401.message).toContain('BITRIX24_WEBHOOK_URL');
    expect(e401.message).not.toContain('wrong-secret-99');
    expect(sim.calls).toHaveLength(1);
    const adapter = adapterFor(sim);
    sim.setFaults({ forbid: 'scope' });
    const e403 = await expectCrmError(adapter.count('companies'), CrmErrorCode.FORBIDDEN);
    expect(e403.message).toMatch(/scope/);
    sim.setFaults({ forbid: 'plan' });
    expect((await expectCrmError(adapter.count('companies'), CrmErrorCode.FORBIDDEN)).message).toMatch(
      /commercial plan/,
    );
    await expect(adapter.applyWrites([companyCreate(1)])).rejects.toMatchObject({
      code: CrmErrorCode.FORBIDDEN,
    });
    sim.setFaults({ forbid: 'intranet' });
    expect((await expectCrmError(adapter.count('companies'), CrmErrorCode.FORBIDDEN)).message).toMatch(
      /intranet/,
    );
    sim.setFaults({ overload: true });
    expect((await expectCrmError(adapter.count('companies'), CrmErrorCode.CONFIGURATION)).crmCode).toBe(
      'OVERLOAD_LIMIT',
    );
    sim.setFaults({});
    const bad = await expectCrmError(
      adapter.http.call('crm.item.list', { entityTypeId: 4, filter: { '>nope': 1 } }),
      CrmErrorCode.CONFIGURATION,
    );
    expect(bad.crmCode).toBe('INVALID_ARG_VALUE');
    expect(
      (
        await expectCrmError(
          adapter.http.call('crm.item.list', { entityTypeId: 5 }),
          CrmErrorCode.CONFIGURATION,
        )
      ).crmCode,
    ).toBe('ENTITY_TYPE_NOT_SUPPORTED');
    expect(
      (
        await expectCrmError(
          adapter.http.call('crm.item.get', { entityTypeId: 4, id: 99 }),
          CrmErrorCode.NOT_FOUND,
        )
      ).status,
    ).toBe(400);
    expect(
      (await expectCrmError(adapter.http.call('crm.nothing.here', {}), CrmErrorCode.CONFIGURATION)).status,
    ).toBe(404);
    sim.clearCalls();
    sim.setFaults({ errorRate: 1 });
    const e500 = await expectCrmError(adapter.count('companies'), CrmErrorCode.TEMPORARY);
    expect(e500.status).toBe(500);
    expect(sim.calls).toHaveLength(4);
    for (const e of [e401, e403, bad, e500]) expect(e.message).not.toContain('topsecret-77');
  });

  it('an adapter pointed at a simulator on another host and port by settings alone', async () => {
    sim = await startBitrix24Simulator({
      seed: seedCompanies(7),
      host: '127.0.0.2',
      userId: 12,
      secret: 'other-port-secret',
      limits: { rps: 50, burst: 10 },
    });
    expect(sim.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/rest\/12\/other-port-secret\/$/);
    const port = createCrmPort(
      parseSettings(
        { BITRIX24_WEBHOOK_URL: sim.webhookUrl, BITRIX24_RPS: '50', BITRIX24_BURST: '10' },
        { mode: 'embedded' },
      ),
      simMapping(),
    )!;
    await port.ping();
    expect(await port.count('companies')).toBe(7);
    expect((await collect(port.bulkRead({ entity: 'companies' }))).records).toHaveLength(7);
  });
});
