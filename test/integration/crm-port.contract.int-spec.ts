import { AmoCrmAdapter } from '../../src/crm/amocrm/amocrm.adapter.js';
import { resetAccountWindows } from '../../src/crm/amocrm/request-window.js';
import { Bitrix24Adapter, bitrix24ConfigOf } from '../../src/crm/bitrix24/bitrix24.adapter.js';
import { resetPortalLimiters } from '../../src/crm/bitrix24/leaky-bucket.js';
import { CrmError, CrmErrorCode } from '../../src/crm/crm.error.js';
import type { CrmPort } from '../../src/crm/crm.port.js';
import type {
  CrmCompany,
  CrmContact,
  CrmDeal,
  CrmTaxIds,
  CrmWrite,
  ExternalKey,
} from '../../src/crm/crm.types.js';
import type { Mapping } from '../../src/mapping/mapping.types.js';
import { startAmoCrmSimulator } from '../../sim/amocrm/index.js';
import { startBitrix24Simulator } from '../../sim/bitrix24/index.js';
import { simMapping } from '../../sim/mapping.js';

/**
 * One contract for CrmPort, run through the port against both fake CRMs over real HTTP: what sync,
 * reconciliation and the report rely on, whatever the CRM. A CRM's own details (requests, batching,
 * custom fields) are in its adapter's spec (bitrix24-adapter.int-spec.ts, amocrm-adapter.int-spec.ts).
 */
const SOURCE = 'sverka-1c';

type Kind = 'bitrix24' | 'amocrm';

/** One fake CRM behind the port, and what a person in it (or the test) can do there directly. */
interface Harness {
  port: CrmPort;
  mapping: Mapping;
  /** A company a person made: no 1C key, no tax details. */
  personCompany(title: string): string;
  /** A person adds a mobile number to a company or contact. */
  personAddsPhone(entity: 'companies' | 'contacts', id: string, phone: string): void;
  /** A record of another 1C base (another source) carrying `key`. */
  foreignCompany(title: string, source: string, key: string): string;
  /** Every Nth writing request is saved and its answer lost (0: no faults). */
  loseEvery(n: number): void;
  /** Answers the fake CRM lost so far. */
  lost(): number;
  /**
   * A company with tax details, made by a person (no external key) or by another base (`external`).
   * Bitrix24: one requisite per set («Организация»); amoCRM: the first set in the company's fields.
   */
  companyWithTax(title: string, taxes: CrmTaxIds[], external?: ExternalKey): string;
  /** A contact a person made, linked to a company, with a work phone. */
  personContact(companyId: string, lastName: string, firstName: string, phone: string): string;
  /** HTTP requests the fake CRM answered so far. */
  requests(): number;
  /** Bitrix24: a company's requisites as the portal holds them (ID order); amoCRM keeps none (null). */
  requisites(companyId: string): { id: string; xmlId: string | null; inn: string }[] | null;
  /** A port on the same CRM with credentials it no longer accepts, and the setting that holds them. */
  unauthorized(): { port: CrmPort; setting: string; secret: string };
  close(): Promise<void>;
}

async function bitrix24Harness(): Promise<Harness> {
  resetPortalLimiters();
  const sim = await startBitrix24Simulator({ limits: false });
  const make = (webhookUrl: string) =>
    new Bitrix24Adapter({
      webhookUrl,
      rps: 1000,
      burst: 1000,
      retryScale: 0.002,
      config: bitrix24ConfigOf({ deletionMarker: { field: 'ufCrmSverkaDeleted', value: 'Удалён в 1С' } }),
    });
  return {
    port: make(sim.webhookUrl),
    mapping: simMapping('bitrix24'),
    personCompany: (title) => String(sim.state.add('companies', { title }).id),
    personAddsPhone: (entity, id, phone) =>
      void sim.state.update(entity, id, {
        fm: { n0: { typeId: 'PHONE', valueType: 'MOBILE', value: phone } },
      }),
    foreignCompany: (title, source, key) =>
      String(sim.state.add('companies', { title, originatorId: source, originId: key }).id),
    loseEvery: (n) => sim.setFaults(n ? { lostResponseEvery: n } : {}),
    lost: () => sim.calls.filter((c) => c.lost).length,
    companyWithTax: (title, taxes, external) => {
      const id = sim.state.add('companies', {
        title,
        ...(external ? { originatorId: external.source, originId: external.key } : {}),
      }).id;
      for (const t of taxes)
        sim.state.addRequisite({
          ENTITY_TYPE_ID: 4,
          ENTITY_ID: id,
          PRESET_ID: 1,
          NAME: 'Организация',
          RQ_INN: t.inn,
          RQ_KPP: t.kpp,
          RQ_OGRN: t.ogrn,
          RQ_COMPANY_NAME: t.name,
          RQ_COMPANY_FULL_NAME: t.fullName,
        });
      return String(id);
    },
    personContact: (companyId, lastName, firstName, phone) =>
      String(
        sim.state.add('contacts', {
          lastName,
          name: firstName,
          companyId: Number(companyId),
          fm: [{ typeId: 'PHONE', valueType: 'WORK', value: phone }],
        }).id,
      ),
    requests: () => sim.calls.length,
    requisites: (companyId) =>
      sim.state
        .requisites()
        .filter((r) => r.ENTITY_ID === companyId)
        .sort((a, b) => Number(a.ID) - Number(b.ID))
        .map((r) => ({ id: r.ID, xmlId: r.XML_ID ?? null, inn: r.RQ_INN ?? '' })),
    unauthorized: () => ({
      port: make(sim.webhookUrl.replace(/\/[^/]+\/$/, '/NotTheSecret42/')),
      setting: 'BITRIX24_WEBHOOK_URL',
      secret: 'NotTheSecret42',
    }),
    close: () => sim.close(),
  };
}

async function amocrmHarness(): Promise<Harness> {
  resetAccountWindows();
  const sim = await startAmoCrmSimulator({ limits: false });
  const mapping = simMapping('amocrm');
  const make = (token: string) =>
    new AmoCrmAdapter({
      baseUrl: sim.url,
      token,
      rps: 1000,
      retryScale: 0.002,
      windowMarginMs: 0,
      stageKeys: [...Object.values(mapping.deals.statusMap), mapping.deals.deletedStage],
      currency: mapping.deals.currency,
    });
  const port = make(sim.token);
  await port.prepare();
  const phones = (entity: 'companies' | 'contacts', id: string) =>
    (
      (sim.state.get(entity, Number(id))!.custom_fields_values as
        { field_code: string; values: object[] }[] | null) ?? []
    )
      .filter((f) => f.field_code === 'PHONE')
      .flatMap((f) => f.values);
  return {
    port,
    mapping,
    personCompany: (title) => String(sim.state.add('companies', { name: title })),
    personAddsPhone: (entity, id, phone) =>
      sim.state.update(entity, Number(id), {
        custom_fields_values: [
          { field_code: 'PHONE', values: [...phones(entity, id), { value: phone, enum_code: 'MOB' }] },
        ],
      }),
    foreignCompany: (title, source, key) =>
      String(
        sim.state.add('companies', {
          name: title,
          custom_fields_values: [
            {
              field_id: sim.state.field('companies', 'Ключ 1С')!.id,
              values: [{ value: `${source}:${key}` }],
            },
          ],
        }),
      ),
    loseEvery: (n) => sim.setFaults(n ? { lostResponseEvery: n } : {}),
    lost: () => sim.calls.filter((c) => c.lost).length,
    companyWithTax: (title, taxes, external) => {
      const field = (name: string) => sim.state.field('companies', name)!.id;
      const t = taxes[0];
      return String(
        sim.state.add('companies', {
          name: title,
          custom_fields_values: [
            ...(external
              ? [{ field_id: field('Ключ 1С'), values: [{ value: `${external.source}:${external.key}` }] }]
              : []),
            ...(t
              ? [
                  { field_id: field('ИНН'), values: [{ value: t.inn }] },
                  { field_id: field('КПП'), values: [{ value: t.kpp }] },
                  { field_id: field('ОГРН'), values: [{ value: t.ogrn }] },
                  { field_id: field('Полное наименование'), values: [{ value: t.fullName }] },
                ].filter((f) => f.values[0].value !== '')
              : []),
          ],
        }),
      );
    },
    personContact: (companyId, lastName, firstName, phone) => {
      const id = sim.state.add('contacts', {
        first_name: firstName,
        last_name: lastName,
        name: `${lastName} ${firstName}`,
        custom_fields_values: [{ field_code: 'PHONE', values: [{ value: phone, enum_code: 'WORK' }] }],
      });
      sim.state.link(
        'contacts',
        id,
        [{ to_entity_id: Number(companyId), to_entity_type: 'companies' }],
        false,
      );
      return String(id);
    },
    requests: () => sim.calls.length,
    requisites: () => null,
    unauthorized: () => {
      const token = sim.issueToken();
      sim.revokeToken(token);
      return { port: make(token), setting: 'AMOCRM_TOKEN', secret: token };
    },
    close: () => sim.close(),
  };
}

const TAX: CrmTaxIds = {
  kind: 'legal',
  inn: '5024089920',
  kpp: '501701001',
  ogrn: '1075024006144',
  fullName: 'Общество с ограниченной ответственностью "ТЕХНО"',
  name: 'ТЕХНО',
};

function company(
  key: string,
  title: string,
  extra: Partial<{ phones: string[]; emails: string[]; tax: CrmTaxIds }> = {},
): CrmWrite {
  return {
    op: 'create',
    key,
    entity: 'companies',
    external: { source: SOURCE, key },
    fields: {
      title,
      sourceVersion: `v-${key}`,
      phones: { add: extra.phones ?? [], remove: [] },
      emails: { add: extra.emails ?? [], remove: [] },
      ...(extra.tax ? { taxIds: { ...extra.tax, name: title } } : {}),
    },
  };
}

/** Creates writes and returns their ids in order (every one must succeed). */
async function create(port: CrmPort, writes: CrmWrite[]): Promise<string[]> {
  const results = await port.applyWrites(writes);
  expect(results.map((r) => [r.key, r.ok])).toEqual(writes.map((w) => [w.key, true]));
  return results.map((r) => (r as { id: string }).id);
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

describe.each<Kind>(['bitrix24', 'amocrm'])('CrmPort contract against the %s simulator', (kind) => {
  let h: Harness;
  beforeEach(async () => {
    h = kind === 'bitrix24' ? await bitrix24Harness() : await amocrmHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('creates a company with tax details, phones and e-mails; onCreated gets its id first; it reads back equal', async () => {
    const calls: { key: string; id: string }[][] = [];
    const results = await h.port.applyWrites(
      [
        company('k-1', 'ТЕХНО', {
          phones: ['+74951234567', '+74957654321'],
          emails: ['info@techno.ru'],
          tax: TAX,
        }),
      ],
      { onCreated: async (c) => void calls.push(c) },
    );
    expect(results).toEqual([{ key: 'k-1', ok: true, id: expect.stringMatching(/^[1-9]\d*$/) }]);
    const id = (results[0] as { id: string }).id;
    expect(calls).toEqual([[{ key: 'k-1', id }]]);
    const c = (await h.port.getOne('companies', id))!;
    expect({
      id: c.id,
      title: c.title,
      external: c.external,
      phones: c.phones,
      emails: c.emails,
      taxIds: c.taxIds,
      flagged: c.flagged,
    }).toEqual({
      id,
      title: 'ТЕХНО',
      external: { source: SOURCE, key: 'k-1' },
      phones: ['+74951234567', '+74957654321'],
      emails: ['info@techno.ru'],
      taxIds: { ...TAX, owned: true },
      flagged: false,
    });
    expect(Number.isNaN(Date.parse(c.updatedTime))).toBe(false);
  });

  it('bulkRead: every record once in ascending id order, companies with their tax details; getMany and getOne', async () => {
    const ours = await create(h.port, [
      company('k-1', 'Альфа', { tax: TAX }),
      company('k-2', 'Бета', {
        tax: {
          ...TAX,
          kind: 'entrepreneur',
          inn: '500100732259',
          kpp: '',
          ogrn: '304500116000157',
          fullName: 'ИП Бетов Борис',
        },
      }),
    ]);
    const person = h.personCompany('Гамма (менеджер)');
    const pages: CrmCompany[][] = [];
    let malformed = 0;
    for await (const p of h.port.bulkRead({ entity: 'companies' })) {
      pages.push(p.records);
      malformed += p.malformed.length;
    }
    const read = pages.flat();
    expect(malformed).toBe(0);
    expect(
      read.map((c) => [
        c.id,
        c.title,
        c.external?.key ?? null,
        c.taxIds?.owned ?? null,
        c.taxIds?.inn ?? null,
      ]),
    ).toEqual([
      [ours[0], 'Альфа', 'k-1', true, TAX.inn],
      [ours[1], 'Бета', 'k-2', true, '500100732259'],
      [person, 'Гамма (менеджер)', null, null, null],
    ]);
    expect(read[1].taxIds).toEqual({
      kind: 'entrepreneur',
      inn: '500100732259',
      kpp: '',
      ogrn: '304500116000157',
      fullName: 'ИП Бетов Борис',
      name: 'Бета',
      owned: true,
    });
    const many = await h.port.getMany('companies', [person, '999999', ours[0], 'x']);
    expect(many.malformed).toEqual([]);
    expect(many.records.map((c) => c.id).sort()).toEqual([ours[0], person].sort());
    expect(await h.port.getOne('companies', '999999')).toBeNull();
    expect(await h.port.getOne('companies', 'not-an-id')).toBeNull();
    expect((await h.port.getOne('companies', person))!.title).toBe('Гамма (менеджер)');
  });

  it('findByExternalKey: ids per key among our source, duplicates lowest first; count with and without the source', async () => {
    const [a1, b] = await create(h.port, [company('k-a', 'А-1'), company('k-b', 'Б')]);
    const [a2] = await create(h.port, [company('k-a', 'А-2 (дубль)')]);
    h.foreignCompany('Чужая', 'other-base', 'k-b');
    h.personCompany('Своя менеджера');
    const found = await h.port.findByExternalKey('companies', SOURCE, ['k-a', 'k-b', 'k-none', 'k-a']);
    expect(new Map([...found].filter(([, ids]) => ids.length))).toEqual(
      new Map([
        ['k-a', [a1, a2].sort((x, y) => Number(x) - Number(y))],
        ['k-b', [b]],
      ]),
    );
    expect(await h.port.count('companies')).toBe(5);
    expect(await h.port.count('companies', { source: SOURCE })).toBe(3);
    expect(await h.port.count('companies', { source: 'other-base' })).toBe(1);
    expect(await h.port.count('contacts', { source: SOURCE })).toBe(0);
  });

  it('listStages: the mapping’s stage keys resolve, open, won (Закрыт) and lost (a deletion-marked order)', async () => {
    const stages = await h.port.listStages('deal');
    const kindOf = new Map(stages.map((s) => [s.id, s.kind]));
    const m = h.mapping.deals;
    expect(
      Object.fromEntries(
        [...Object.entries(m.statusMap), ['(deleted)', m.deletedStage]].map(([s, key]) => [
          s,
          kindOf.get(key),
        ]),
      ),
    ).toEqual({
      НеСогласован: 'open',
      КОбеспечению: 'open',
      КВыполнению: 'open',
      КОтгрузке: 'open',
      Закрыт: 'won',
      '(deleted)': 'lost',
    });
    expect(stages.filter((s) => s.kind === 'won').map((s) => s.id)).toEqual([m.statusMap.Закрыт]);
  });

  it('updates phones as a change: ours replaced, a person’s number kept; titles and tax details updated', async () => {
    const [id] = await create(h.port, [company('k-1', 'Старое', { phones: ['+74951111111'], tax: TAX })]);
    h.personAddsPhone('companies', id, '+79160002233');
    const cur = (await h.port.getMany('companies', [id])).records[0];
    expect([...cur.phones].sort()).toEqual(['+74951111111', '+79160002233']);
    const [r] = await h.port.applyWrites([
      {
        op: 'update',
        key: 'k-1',
        entity: 'companies',
        id,
        fields: {
          title: 'Новое',
          phones: { add: ['+74952222222'], remove: ['+74951111111'] },
          taxIds: { ...TAX, kpp: '502401001', name: 'Новое' },
        },
      },
    ]);
    expect(r).toEqual({ key: 'k-1', ok: true, id });
    const after = (await h.port.getOne('companies', id))!;
    expect([after.title, [...after.phones].sort(), after.taxIds]).toEqual([
      'Новое',
      ['+74952222222', '+79160002233'],
      { ...TAX, kpp: '502401001', name: 'Новое', owned: true },
    ]);
  });

  it('sets and clears the "deleted in 1C" flag on companies, contacts and deals', async () => {
    expect(h.port.capabilities.flags).toBe(true);
    const [co] = await create(h.port, [company('k-1', 'Ромашка')]);
    const [ct] = await create(h.port, [
      {
        op: 'create',
        key: 'c-1',
        entity: 'contacts',
        external: { source: SOURCE, key: 'c-1' },
        fields: { lastName: 'Иванов', firstName: 'Иван', middleName: 'Иванович', companyId: co },
      },
    ]);
    const [dl] = await create(h.port, [
      {
        op: 'create',
        key: 'd-1',
        entity: 'deals',
        external: { source: SOURCE, key: 'd-1' },
        fields: { title: 'Заказ 1', amount: '100.00', currency: 'RUB', companyId: co },
      },
    ]);
    const flag = (v: boolean) =>
      h.port.applyWrites([
        { op: 'update', key: 'k-1', entity: 'companies', id: co, fields: { flagged: v } },
        { op: 'update', key: 'c-1', entity: 'contacts', id: ct, fields: { flagged: v } },
        { op: 'update', key: 'd-1', entity: 'deals', id: dl, fields: { flagged: v } },
      ]);
    const state = async () => [
      (await h.port.getOne('companies', co))!.flagged,
      (await h.port.getOne('contacts', ct))!.flagged,
      (await h.port.getOne('deals', dl))!.flagged,
    ];
    expect((await flag(true)).map((r) => r.ok)).toEqual([true, true, true]);
    expect(await state()).toEqual([true, true, true]);
    expect((await flag(false)).map((r) => r.ok)).toEqual([true, true, true]);
    expect(await state()).toEqual([false, false, false]);
  });

  it('contacts and deals: names, the company link, a deal’s stage by the mapping’s key, its amount', async () => {
    const [co1, co2] = await create(h.port, [company('k-1', 'Первая'), company('k-2', 'Вторая')]);
    const m = h.mapping.deals;
    const [ct, dl] = await create(h.port, [
      {
        op: 'create',
        key: 'c-1',
        entity: 'contacts',
        external: { source: SOURCE, key: 'c-1' },
        fields: {
          lastName: 'Петрова',
          firstName: 'Анна',
          middleName: 'Сергеевна',
          companyId: co1,
          phones: { add: ['+74953334455'], remove: [] },
          emails: { add: [], remove: [] },
        },
      },
      {
        op: 'create',
        key: 'd-1',
        entity: 'deals',
        external: { source: SOURCE, key: 'd-1' },
        fields: {
          title: 'Заказ клиента 7 от 01.09.2026',
          stage: m.statusMap.КОбеспечению,
          amount: '1234.56',
          currency: 'RUB',
          companyId: co1,
        },
      },
    ]);
    const contact = (await h.port.getOne('contacts', ct)) as CrmContact;
    expect([
      contact.lastName,
      contact.firstName,
      contact.middleName,
      contact.companyId,
      contact.phones,
      contact.external,
    ]).toEqual(['Петрова', 'Анна', 'Сергеевна', co1, ['+74953334455'], { source: SOURCE, key: 'c-1' }]);
    const deal = (await h.port.getOne('deals', dl)) as CrmDeal;
    expect([deal.title, deal.stage, deal.stageKind, deal.amount, deal.companyId, deal.external]).toEqual([
      'Заказ клиента 7 от 01.09.2026',
      m.statusMap.КОбеспечению,
      'open',
      // amoCRM keeps whole rubles (its price is an integer): the amount is rounded half away from zero.
      kind === 'amocrm' ? '1235.00' : '1234.56',
      co1,
      { source: SOURCE, key: 'd-1' },
    ]);
    const results = await h.port.applyWrites([
      {
        op: 'update',
        key: 'c-1',
        entity: 'contacts',
        id: ct,
        fields: { middleName: 'Викторовна', companyId: co2 },
      },
      {
        op: 'update',
        key: 'd-1',
        entity: 'deals',
        id: dl,
        fields: { stage: m.statusMap.Закрыт, companyId: co2 },
      },
    ]);
    expect(results).toEqual([
      { key: 'c-1', ok: true, id: ct },
      { key: 'd-1', ok: true, id: dl },
    ]);
    const c2 = (await h.port.getOne('contacts', ct))!;
    const d2 = (await h.port.getOne('deals', dl))!;
    expect([
      c2.lastName,
      c2.firstName,
      c2.middleName,
      c2.companyId,
      d2.stage,
      d2.stageKind,
      d2.companyId,
    ]).toEqual(['Петрова', 'Анна', 'Викторовна', co2, m.statusMap.Закрыт, 'won', co2]);
  });

  it('a write the CRM refuses fails alone; the others in the same call are made', async () => {
    const [co] = await create(h.port, [company('k-1', 'Первая')]);
    const deal = (key: string, stage: string): CrmWrite => ({
      op: 'create',
      key,
      entity: 'deals',
      external: { source: SOURCE, key },
      fields: { title: key, stage, amount: '10.00', currency: 'RUB', companyId: co },
    });
    const results = await h.port.applyWrites([
      deal('d-1', h.mapping.deals.statusMap.НеСогласован),
      deal('d-2', 'НЕТ_ТАКОЙ_СТАДИИ'),
      deal('d-3', h.mapping.deals.statusMap.КВыполнению),
    ]);
    expect(results.map((r) => [r.key, r.ok, r.ok ? null : r.error.code])).toEqual([
      ['d-1', true, null],
      ['d-2', false, CrmErrorCode.INVALID],
      ['d-3', true, null],
    ]);
    const found = await h.port.findByExternalKey('deals', SOURCE, ['d-1', 'd-2', 'd-3']);
    expect([...found.keys()].filter((k) => found.get(k)!.length).sort()).toEqual(['d-1', 'd-3']);
  });

  it('answers lost after the CRM saved the write never make a record twice', async () => {
    h.loseEvery(2);
    const writes = Array.from({ length: 6 }, (_, i) => [
      company(`k-${i}`, `Компания ${i}`, { phones: [`+7495000000${i}`], tax: TAX }),
    ]);
    const ids: string[] = [];
    for (const w of writes) ids.push(...(await create(h.port, w)));
    const [upd] = await h.port.applyWrites([
      {
        op: 'update',
        key: 'k-0',
        entity: 'companies',
        id: ids[0],
        fields: { phones: { add: ['+74959999999'], remove: [] } },
      },
    ]);
    h.loseEvery(0);
    expect(h.lost()).toBeGreaterThanOrEqual(3);
    expect(upd.ok).toBe(true);
    expect(await h.port.count('companies', { source: SOURCE })).toBe(6);
    const found = await h.port.findByExternalKey(
      'companies',
      SOURCE,
      writes.map((_, i) => `k-${i}`),
    );
    expect(writes.map((_, i) => found.get(`k-${i}`))).toEqual(ids.map((id) => [id]));
    expect([...(await h.port.getOne('companies', ids[0]))!.phones].sort()).toEqual([
      '+74950000000',
      '+74959999999',
    ]);
    for (const id of ids)
      expect((await h.port.getOne('companies', id))!.taxIds).toEqual({
        ...TAX,
        name: expect.any(String),
        owned: true,
      });
  });

  describe('matching before create', () => {
    const techno = (title: string): CrmTaxIds => ({ ...TAX, fullName: 'ООО "ТЕХНО"', name: title });
    const second = (title: string): CrmTaxIds => ({
      kind: 'legal',
      inn: '7707083893',
      kpp: '773601001',
      ogrn: '1027700132195',
      fullName: 'ПАО "ВТОРОЙ"',
      name: title,
    });
    const third = (title: string): CrmTaxIds => ({
      ...second(title),
      inn: '7813252159',
      kpp: '781301001',
      fullName: 'ООО "ЧУЖОЕ"',
    });

    it('companiesByInn: a person’s company with all its tax details, another base’s with its key, nothing for an unknown INN', async () => {
      // amoCRM keeps one set of tax details on the company itself; Bitrix24 may have several requisites.
      const mine = h.companyWithTax(
        'Техно (менеджер)',
        kind === 'bitrix24'
          ? [techno('Техно (менеджер)'), second('Техно (менеджер)')]
          : [techno('Техно (менеджер)')],
      );
      const foreign = h.companyWithTax('Чужая', [third('Чужая')], { source: 'other-base', key: 'k-x' });
      h.companyWithTax('Не спрашивали', [{ ...techno('Не спрашивали'), inn: '7701000007' }]);
      h.personCompany('Без реквизитов');
      const read = await h.port.matching.companiesByInn([TAX.inn, '7813252159', '1234567890']);
      expect(read.malformed).toEqual([]);
      const responsible = async (id: string) => (await h.port.getOne('companies', id))!.responsibleId;
      expect(read.records).toEqual([
        {
          id: mine,
          title: 'Техно (менеджер)',
          external: null,
          taxIds:
            kind === 'bitrix24'
              ? [techno('Техно (менеджер)'), second('Техно (менеджер)')]
              : [techno('Техно (менеджер)')],
          responsibleId: await responsible(mine),
        },
        {
          id: foreign,
          title: 'Чужая',
          external: { source: 'other-base', key: 'k-x' },
          taxIds: [third('Чужая')],
          responsibleId: await responsible(foreign),
        },
      ]);
      expect(await h.port.matching.companiesByInn(['1234567890'])).toEqual({ records: [], malformed: [] });
      expect(await h.port.matching.companiesByInn([])).toEqual({ records: [], malformed: [] });
    });

    it('companiesByInn: 120 INNs in a few requests, each company once', async () => {
      const inns = Array.from({ length: 120 }, (_, i) => String(7700000000 + i * 7));
      const ids = inns.map((inn, i) =>
        h.companyWithTax(`Компания ${i}`, [{ ...techno(`Компания ${i}`), inn }]),
      );
      const before = h.requests();
      const read = await h.port.matching.companiesByInn(inns);
      const used = h.requests() - before;
      expect(read.malformed).toEqual([]);
      expect(read.records.map((c) => [c.id, c.taxIds.map((t) => t.inn)])).toEqual(
        ids.map((id, i) => [id, [inns[i]]]),
      );
      // One request per INN would be 120.
      expect(used).toBeLessThanOrEqual(4);
    });

    it('contactsOfCompanies: the contacts of these companies with their phones, no others', async () => {
      const a = h.personCompany('Альфа');
      const b = h.personCompany('Бета');
      const c = h.personCompany('Гамма');
      const a1 = h.personContact(a, 'Иванов', 'Иван', '+74951110001');
      h.personContact(c, 'Сидоров', 'Сидор', '+74951110003');
      const b1 = h.personContact(b, 'Петрова', 'Анна', '+74951110002');
      const a2 = h.personContact(a, 'Кузнецов', 'Пётр', '+74951110004');
      const read = await h.port.matching.contactsOfCompanies([a, b, '999999']);
      expect(read.malformed).toEqual([]);
      expect(
        read.records
          .map((x) => [x.id, x.lastName, x.firstName, x.companyId, x.phones, x.external])
          .sort((x, y) => Number(x[0]) - Number(y[0])),
      ).toEqual([
        [a1, 'Иванов', 'Иван', a, ['+74951110001'], null],
        [b1, 'Петрова', 'Анна', b, ['+74951110002'], null],
        [a2, 'Кузнецов', 'Пётр', a, ['+74951110004'], null],
      ]);
      expect(await h.port.matching.contactsOfCompanies([])).toEqual({ records: [], malformed: [] });
    });

    const linkCompany = (id: string, key: string, title: string): CrmWrite => ({
      op: 'link',
      key,
      entity: 'companies',
      id,
      external: { source: SOURCE, key },
      fields: {
        title,
        sourceVersion: `v-${key}`,
        phones: { add: ['+74951234567'], remove: [] },
        taxIds: { ...TAX, name: title },
      },
      matchedTaxIds: { inn: TAX.inn, kpp: TAX.kpp },
    });

    it('link: our key on a person’s company and contact, its tax details reused, a person’s phone kept', async () => {
      const taxes = kind === 'bitrix24' ? [second('Техно'), techno('Техно')] : [techno('Техно')];
      const co = h.companyWithTax('Техно', taxes);
      h.personAddsPhone('companies', co, '+79160002233');
      const ct = h.personContact(co, 'Иванов', 'Иван', '+79160004455');
      const before = h.requisites(co);
      const results = await h.port.applyWrites([
        linkCompany(co, 'k-1', 'ТЕХНО'),
        {
          op: 'link',
          key: 'c-1',
          entity: 'contacts',
          id: ct,
          external: { source: SOURCE, key: 'c-1' },
          fields: {
            lastName: 'Иванов',
            firstName: 'Иван',
            middleName: 'Иванович',
            companyId: co,
            phones: { add: ['+74957654321'], remove: [] },
          },
        },
      ]);
      expect(results).toEqual([
        { key: 'k-1', ok: true, id: co },
        { key: 'c-1', ok: true, id: ct },
      ]);
      const after = (await h.port.getOne('companies', co))!;
      expect([after.title, after.external, [...after.phones].sort(), after.taxIds]).toEqual([
        'ТЕХНО',
        { source: SOURCE, key: 'k-1' },
        ['+74951234567', '+79160002233'],
        { ...TAX, name: 'ТЕХНО', owned: true },
      ]);
      const contact = (await h.port.getOne('contacts', ct))!;
      expect([contact.external, contact.middleName, contact.companyId, [...contact.phones].sort()]).toEqual([
        { source: SOURCE, key: 'c-1' },
        'Иванович',
        co,
        ['+74957654321', '+79160004455'],
      ]);
      expect(await h.port.findByExternalKey('companies', SOURCE, ['k-1'])).toEqual(new Map([['k-1', [co]]]));
      expect(await h.port.findByExternalKey('contacts', SOURCE, ['c-1'])).toEqual(new Map([['c-1', [ct]]]));
      if (kind === 'bitrix24')
        // The same requisites as before; the one that matched now carries the key.
        expect(h.requisites(co)).toEqual(
          before!.map((r) => ({ ...r, xmlId: r.inn === TAX.inn ? 'k-1' : null })),
        );
    });

    it('links whose answers are lost, and a link sent again, add no second set of tax details', async () => {
      const a = h.companyWithTax('Альфа', [techno('Альфа')]);
      const b = h.companyWithTax('Бета', [{ ...techno('Бета'), kpp: '' }]);
      const before = [h.requisites(a), h.requisites(b)];
      h.loseEvery(2);
      const first = await h.port.applyWrites([linkCompany(a, 'k-a', 'Альфа')]);
      const second2 = await h.port.applyWrites([linkCompany(b, 'k-b', 'Бета')]);
      h.loseEvery(0);
      expect(h.lost()).toBeGreaterThanOrEqual(1);
      const again = await h.port.applyWrites([linkCompany(a, 'k-a', 'Альфа'), linkCompany(b, 'k-b', 'Бета')]);
      expect([...first, ...second2, ...again]).toEqual([
        { key: 'k-a', ok: true, id: a },
        { key: 'k-b', ok: true, id: b },
        { key: 'k-a', ok: true, id: a },
        { key: 'k-b', ok: true, id: b },
      ]);
      expect(await h.port.count('companies', { source: SOURCE })).toBe(2);
      for (const [id, key, title] of [
        [a, 'k-a', 'Альфа'],
        [b, 'k-b', 'Бета'],
      ]) {
        const c = (await h.port.getOne('companies', id))!;
        expect([c.external, c.phones, c.taxIds]).toEqual([
          { source: SOURCE, key },
          ['+74951234567'],
          { ...TAX, name: title, owned: true },
        ]);
      }
      if (kind === 'bitrix24')
        expect([h.requisites(a), h.requisites(b)]).toEqual([
          before[0]!.map((r) => ({ ...r, xmlId: 'k-a' })),
          before[1]!.map((r) => ({ ...r, xmlId: 'k-b' })),
        ]);
    });
  });

  it('recordUrl: a card the CRM serves; null for what is not an id; ping', async () => {
    const [id] = await create(h.port, [company('k-1', 'ООО «Карточка»')]);
    const url = h.port.recordUrl('companies', id)!;
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('ООО «Карточка»');
    expect(h.port.recordUrl('companies', 'abc')).toBeNull();
    await expect(h.port.ping()).resolves.toBeUndefined();
  });

  it('credentials the CRM no longer accepts: UNAUTHORIZED naming the setting, never its secret', async () => {
    const { port, setting, secret } = h.unauthorized();
    for (const call of [
      () => port.ping(),
      () => port.applyWrites([company('k-1', 'Никогда')]),
      () => port.getOne('companies', '1'),
    ]) {
      const e = await expectCrmError(call(), CrmErrorCode.UNAUTHORIZED);
      expect(e.fatal).toBe(true);
      expect(e.message).toContain(setting);
      expect(e.message).not.toContain(secret);
    }
  });
});
