import { parseSettings } from '../../src/config/settings.js';
import { simMapping } from '../../sim/mapping.js';
import type { Mapping } from '../../src/mapping/mapping.types.js';
import { SverkaMetrics } from '../../src/metrics/sverka-metrics.js';
import { OneCError, OneCErrorCode } from '../../src/onec/onec.error.js';
import { createOneCPort } from '../../src/onec/onec.module.js';
import type { OneCScanReport } from '../../src/onec/onec.port.js';
import type { MalformedRecord, OneCVersion } from '../../src/onec/onec.types.js';
import { OneCODataAdapter } from '../../src/onec/odata/odata.adapter.js';
import { generateDataset } from '../../sim/dataset/generate-dataset.js';
import { OneCSimulator } from '../../sim/onec/onec-simulator.js';

/**
 * Contract: the OData adapter against the fake 1C over real HTTP (docs/protocols/onec-odata.md).
 */
const dataset = generateDataset({
  seed: 11,
  counterparties: 120,
  contactsPerCounterparty: 1,
  ordersPerCounterparty: 2,
});
const FAST = [5, 5, 5];

async function collect<T>(it: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of it) out.push(...page);
  return out;
}

async function expectOneCError(p: Promise<unknown>, code: OneCErrorCode): Promise<OneCError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(OneCError);
    expect((e as OneCError).code).toBe(code);
    return e as OneCError;
  }
  throw new Error(`expected OneCError ${code}`);
}

describe('OneC OData adapter against the simulator', () => {
  let sim: OneCSimulator;
  let adapter: OneCODataAdapter;
  let metrics: SverkaMetrics;
  const mapping = simMapping();

  beforeEach(async () => {
    sim = await new OneCSimulator({ data: dataset.onec }).start();
    metrics = new SverkaMetrics({ defaultMetrics: false });
    adapter = new OneCODataAdapter({
      baseUrl: sim.url,
      user: sim.user,
      password: sim.password,
      mapping,
      retryDelaysMs: FAST,
      metrics,
    });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('scans versions over many keyset pages: Code cursor, $top, $format and Accept, never $skip, complete', async () => {
    let report: OneCScanReport | undefined;
    const versions = await collect(
      adapter.scanVersions({ entity: 'counterparties', pageSize: 7, onReport: (r) => (report = r) }),
    );
    const items = dataset.onec.counterparties.filter((r) => !r.IsFolder);
    expect(versions).toHaveLength(items.length);
    expect(new Set(versions.map((v) => v.ref)).size).toBe(items.length);
    expect(report).toMatchObject({
      complete: true,
      rescanned: false,
      counted: items.length,
      rows: items.length,
    });
    const pages = sim.calls.filter((c) => c.path.endsWith('Catalog_Контрагенты'));
    expect(pages.length).toBe(Math.floor(items.length / 7) + 1);
    for (const c of pages) {
      expect(c.query).toMatchObject({
        $format: 'json',
        $orderby: 'Code',
        $top: '7',
        $select: 'Ref_Key,DataVersion,Code',
      });
      expect(c.query.$skip).toBeUndefined();
      expect(c.accept).toBe('application/json');
      expect(c.authorized).toBe(true);
    }
    expect(pages[0].query.$filter).toBe('IsFolder eq false');
    expect(pages[1].query.$filter).toMatch(/^IsFolder eq false and Code gt '00-\d{6}'$/);
    const count = sim.calls.find((c) => c.path.endsWith('/$count'))!;
    expect(count.query).toEqual({ $filter: 'IsFolder eq false' });
    expect(count.accept).not.toBe('application/json');
  });

  it('reads all orders with the (Date, Number) cursor and converts them', async () => {
    const reads = [];
    for await (const r of adapter.readAll({ entity: 'deals', pageSize: 9 })) reads.push(r);
    const records = reads.flatMap((r) => r.records);
    expect(records).toHaveLength(dataset.onec.orders.length);
    expect(reads.flatMap((r) => r.malformed)).toEqual([]);
    const second = sim.calls.filter((c) => c.path.endsWith('Document_ЗаказКлиента'))[1];
    expect(second.query.$orderby).toBe('Date,Number');
    expect(second.query.$filter).toMatch(
      /^\(Date gt datetime'[\d:T-]+' or \(Date eq datetime'[\d:T-]+' and Number gt 'ЦБ-\d+'\)\)$/,
    );
    const sample = dataset.onec.orders[0];
    const got = records.find((r) => r.ref === sample.Ref_Key)!;
    expect(got.counterpartyRef).toBe(sample.Контрагент_Key);
    expect(got.amount).toMatch(/^\d+\.\d{2}$/);
  });

  it('keyset paging over a set changing during the scan: no duplicates, no misses of stable rows, rescan when the count differs', async () => {
    const before = new Set(
      dataset.onec.counterparties.filter((r) => !r.IsFolder).map((r) => r.Ref_Key as string),
    );
    const seen: string[] = [];
    let report: OneCScanReport | undefined;
    let page = 0;
    const removed = dataset.onec.counterparties.filter((r) => !r.IsFolder).at(-1)!.Ref_Key as string;
    for await (const versions of adapter.scanVersions({
      entity: 'counterparties',
      pageSize: 10,
      onReport: (r) => (report = r),
    })) {
      seen.push(...versions.map((v) => v.ref));
      if (page++ === 1) {
        // Behind the cursor (missed by this pass, found by the rescan) and ahead of it; one row vanishes.
        sim.add('counterparties', {
          Code: '00-000000',
          Description: 'Вставлен в начало',
          IsFolder: false,
          DeletionMark: false,
        });
        sim.add('counterparties', {
          Code: '99-999999',
          Description: 'Вставлен в конец',
          IsFolder: false,
          DeletionMark: false,
        });
        sim.remove('counterparties', removed);
      }
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const ref of before) if (ref !== removed) expect(seen).toContain(ref);
    expect(report).toMatchObject({
      rescanned: true,
      complete: true,
      rows: before.size + 2 - (seen.includes(removed) ? 0 : 1),
    });
  });

  it('reports scan rows without Ref_Key or DataVersion as malformed in the scan report, never silently', async () => {
    sim.add('counterparties', { Code: '00-000002A', IsFolder: false, DeletionMark: false });
    const noVersion = sim.add('counterparties', { Code: '00-000002B', IsFolder: false, DeletionMark: false });
    delete noVersion.DataVersion;
    const noKey = sim.add('counterparties', { Code: '00-000002C', IsFolder: false, DeletionMark: false });
    delete noKey.Ref_Key;
    let report: OneCScanReport | undefined;
    const versions = await collect(
      adapter.scanVersions({ entity: 'counterparties', pageSize: 50, onReport: (r) => (report = r) }),
    );
    expect(versions.some((v) => v.ref === noVersion.Ref_Key)).toBe(false);
    expect(report!.malformed.map((m) => m.reason).sort()).toEqual([
      'DataVersion is missing',
      'Ref_Key is missing or not a GUID',
    ]);
    expect(report!.complete).toBe(true);
  });

  it('records the set as incomplete when a duplicate Code hides a row after the one rescan', async () => {
    const sorted = dataset.onec.counterparties
      .filter((r) => !r.IsFolder)
      .map((r) => r.Code as string)
      .sort();
    sim.add('counterparties', {
      Code: sorted[4],
      Description: 'Дубль кода',
      IsFolder: false,
      DeletionMark: false,
    });
    let report: OneCScanReport | undefined;
    await collect(
      adapter.scanVersions({ entity: 'counterparties', pageSize: 5, onReport: (r) => (report = r) }),
    );
    expect(report).toMatchObject({
      rescanned: true,
      complete: false,
      counted: sorted.length + 1,
      rows: sorted.length,
    });
  });

  it('version scan → diff → fetch of the changed records by ≤20 ORed keys; a key not returned is gone', async () => {
    const first = await collect(adapter.scanVersions({ entity: 'counterparties' }));
    const refs = first.map((v) => v.ref);
    sim.update('counterparties', refs[3], { Description: 'Переименован' });
    sim.markDeleted('counterparties', refs[5]);
    sim.remove('counterparties', refs[8]);
    const second = await collect(adapter.scanVersions({ entity: 'counterparties' }));
    const old = new Map(first.map((v: OneCVersion) => [v.ref, v.dataVersion]));
    const changed = second.filter((v) => old.get(v.ref) !== v.dataVersion).map((v) => v.ref);
    const gone = [...old.keys()].filter((r) => !second.some((v) => v.ref === r));
    expect(changed.sort()).toEqual([refs[3], refs[5]].sort());
    expect(gone).toEqual([refs[8]]);
    sim.clearCalls();
    const fetched = await adapter.fetchByKeys('counterparties', [...changed, refs[8]]);
    expect(fetched.records.map((r) => r.ref).sort()).toEqual(changed.sort());
    expect(fetched.records.find((r) => r.ref === refs[3])!.name).toBe('Переименован');
    expect(fetched.records.find((r) => r.ref === refs[5])!.deletionMark).toBe(true);
    // Counterparty folders are left out as the scan leaves them out (the change feed names folders too).
    expect(sim.calls[0].query.$filter).toBe(
      `IsFolder eq false and (Ref_Key eq guid'${changed[0]}' or Ref_Key eq guid'${changed[1]}' or Ref_Key eq guid'${refs[8]}')`,
    );
    expect(sim.calls[0].query.$select).toBeUndefined();
    const folder = dataset.onec.counterparties.find((r) => r.IsFolder)!.Ref_Key as string;
    expect(
      (await adapter.fetchByKeys('counterparties', [folder, refs[3]])).records.map((r) => r.ref),
    ).toEqual([refs[3]]);
    sim.clearCalls();
    const many = await adapter.fetchByKeys('counterparties', refs.slice(10, 55));
    expect(many.records).toHaveLength(45);
    expect(sim.calls.map((c) => c.query.$top)).toEqual(['20', '20', '5']);
  });

  it('contact scan keeps only persons owned by a counterparty; getOne answers null on 404', async () => {
    const versions = await collect(adapter.scanVersions({ entity: 'contacts', pageSize: 50 }));
    expect(versions).toHaveLength(dataset.truth.counts.contacts.ownedByCounterparty);
    const one = await adapter.getOne('contacts', versions[0].ref);
    expect(one!.records[0].ownerRef).toMatch(/^[0-9a-f-]{36}$/);
    expect(await adapter.getOne('contacts', '0a0a0a0a-0000-0000-0000-000000000000')).toBeNull();
    expect(sim.calls.at(-1)!.status).toBe(404);
  });

  it('counts live records with /$count', async () => {
    const t = dataset.truth.counts;
    expect(await adapter.countLive('counterparties')).toBe(t.counterparties.live);
    expect(await adapter.countLive('deals')).toBe(t.orders.live);
    expect(await adapter.countLive('contacts')).toBe(t.contacts.liveOwnedByCounterparty);
    expect(t.contacts.liveOwnedByCounterparty).toBeLessThan(t.contacts.live);
  });

  it('reads debts exact to the kopeck: chart of accounts keys, then Balance with AccountCondition', async () => {
    const debts = await adapter.readDebts();
    expect(Object.fromEntries(debts.map((d) => [d.counterpartyRef, d.amount]))).toEqual(
      dataset.truth.debts.byRef,
    );
    const balance = sim.calls.find((c) => c.path.includes('/Balance'))!;
    expect(balance.path).toMatch(
      /^\/bp30\/odata\/standard\.odata\/AccountingRegister_Хозрасчетный\/Balance\(AccountCondition='Account_Key eq guid''fb2bde45-f2d1-11e5-8b86-000c295e30eb'' or Account_Key eq guid''fb2bde46-f2d1-11e5-8b86-000c295e30eb'''\)$/,
    );
    expect(balance.query).toEqual({ $format: 'json' });
    // A payment of 0.01 on one debtor moves exactly one kopeck.
    const [ref, amount] = Object.entries(dataset.truth.debts.byRef).find(([, a]) => a !== '0.00')!;
    const row = sim.balanceRows().find((b) => b.ExtDimension1 === ref)!;
    sim.addBalance({ ...row, СуммаBalanceDr: 0, СуммаBalanceCr: 0.01, Period: '2026-09-05T12:00:00' });
    const after = await adapter.readDebts();
    const expected = (Number(amount.replace('.', '')) - 1).toString().padStart(3, '0');
    expect(after.find((d) => d.counterpartyRef === ref)!.amount).toBe(
      `${expected.slice(0, -2)}.${expected.slice(-2)}`,
    );
    // As of a date before that payment: the payment is not included.
    const asOf = await adapter.readDebts({ asOf: '2026-08-31' });
    expect(asOf.find((d) => d.counterpartyRef === ref)!.amount).toBe(amount);
    expect(sim.calls.at(-1)!.path).toContain(
      "Balance(Period=datetime'2026-09-01T00:00:00',AccountCondition=",
    );
  });

  it('falls back to one Balance request per account when the combined one keeps failing', async () => {
    sim.failNext(4, { status: 504, html: true, set: 'AccountingRegister_Хозрасчетный' });
    const debts = await adapter.readDebts();
    expect(Object.fromEntries(debts.map((d) => [d.counterpartyRef, d.amount]))).toEqual(
      dataset.truth.debts.byRef,
    );
    const balances = sim.calls.filter((c) => c.path.includes('/Balance('));
    expect(balances.map((c) => c.status)).toEqual([504, 504, 504, 504, 200, 200]);
    expect(balances[4].path).not.toContain(' or ');
  });

  it('a configured account code missing from the chart of accounts is a configuration error', async () => {
    const m: Mapping = { ...mapping, debts: { ...mapping.debts, accounts: ['62.01', '62.99'] } };
    const a = new OneCODataAdapter({
      baseUrl: sim.url,
      user: sim.user,
      password: sim.password,
      mapping: m,
      retryDelaysMs: FAST,
    });
    const e = await expectOneCError(a.readDebts(), OneCErrorCode.CONFIGURATION);
    expect(e.message).toContain('62.99');
  });

  it('maps 401 (no retry), unknown set 404 → CONFIGURATION, bad literal 400 → INVALID, and never sends the password in errors', async () => {
    const wrong = new OneCODataAdapter({
      baseUrl: sim.url,
      user: sim.user,
      password: 'секрет-неверный',
      mapping,
      retryDelaysMs: FAST,
    });
    const e = await expectOneCError(wrong.countLive('counterparties'), OneCErrorCode.UNAUTHORIZED);
    expect(e.status).toBe(401);
    expect(e.message).not.toContain('секрет');
    expect(sim.calls).toHaveLength(1);
    const badSet = new OneCODataAdapter({
      baseUrl: sim.url,
      user: sim.user,
      password: sim.password,
      mapping: { ...mapping, counterparties: { ...mapping.counterparties, onecSet: 'Catalog_Нет' } },
      retryDelaysMs: FAST,
    });
    await expectOneCError(badSet.countLive('counterparties'), OneCErrorCode.CONFIGURATION);
    await expectOneCError(badSet.ping(), OneCErrorCode.CONFIGURATION);
    await adapter.ping();
    sim.clearCalls();
    await expectOneCError(
      adapter.http.getJson('Catalog_Контрагенты', { $filter: "Ref_Key eq guid'not-a-guid'" }),
      OneCErrorCode.INVALID,
    );
    expect(sim.calls).toHaveLength(1);
    expect(sim.calls[0].status).toBe(400);
  });

  it('the simulator answers 500 to an order comparison on Ref_Key, as 1C does; the adapter retries 5xx then fails TEMPORARY', async () => {
    const e = await expectOneCError(
      adapter.http.getJson('Catalog_Контрагенты', {
        $filter: "Ref_Key gt guid'a348aa8c-d629-11e5-0a9b-000c295e30eb'",
      }),
      OneCErrorCode.TEMPORARY,
    );
    expect(e.message).toContain('Нельзя сравнивать поля неограниченной длины');
    expect(sim.calls.map((c) => c.status)).toEqual([500, 500, 500, 500]);
  });

  it('retries 503 (HTML bodies) and 500 with backoff, then succeeds; counts outcomes in the metric', async () => {
    sim.failNext(2, { status: 503, html: true });
    sim.failNext(1, { status: 500 });
    expect(await adapter.countLive('deals')).toBe(dataset.truth.counts.orders.live);
    expect(sim.calls.map((c) => c.status)).toEqual([503, 503, 500, 200]);
    const values = (await metrics.onecRequests.get()).values;
    expect(values.find((v) => v.labels.outcome === 'error')!.value).toBe(3);
    expect(values.find((v) => v.labels.outcome === 'ok')!.value).toBe(1);
  });

  it('times out a request held past the timeout, retries it, and fails TIMEOUT when every attempt hangs', async () => {
    const slow = new OneCODataAdapter({
      baseUrl: sim.url,
      user: sim.user,
      password: sim.password,
      mapping,
      retryDelaysMs: FAST,
      timeoutMs: 150,
    });
    sim.failNext(1, { hangMs: 600 });
    expect(await slow.countLive('counterparties')).toBe(dataset.truth.counts.counterparties.live);
    sim.setFaults({ sets: { Catalog_Контрагенты: { hangRate: 1, hangMs: 600 } } });
    const t0 = Date.now();
    await expectOneCError(slow.countLive('counterparties'), OneCErrorCode.TIMEOUT);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4 * 150);
    // Other sets are not affected by a per-set fault.
    expect(await slow.countLive('deals')).toBe(dataset.truth.counts.orders.live);
  });

  it('reports malformed records instead of throwing', async () => {
    const okRef = dataset.onec.orders[0].Ref_Key as string;
    sim.add('orders', {
      Number: 'ЦБ-900001',
      Date: '2026-08-30T10:00:00',
      Posted: true,
      DeletionMark: false,
      Контрагент_Key: dataset.onec.orders[0].Контрагент_Key,
      СуммаДокумента: 'сто рублей',
      Статус: 'Закрыт',
    });
    sim.add('orders', {
      Number: 'ЦБ-900002',
      Date: '2026-08-30T10:05:00',
      Posted: 'да',
      DeletionMark: false,
      СуммаДокумента: 10,
      Статус: 'Закрыт',
    });
    const malformed: MalformedRecord[] = [];
    let records = 0;
    for await (const r of adapter.readAll({ entity: 'deals', pageSize: 100 })) {
      malformed.push(...r.malformed);
      records += r.records.length;
    }
    expect(records).toBe(dataset.onec.orders.length);
    expect(malformed.map((m) => m.reason).sort()).toEqual([
      'Posted is not a boolean',
      'СуммаДокумента is not a decimal amount',
    ]);
    expect(malformed.every((m) => m.entity === 'deals' && /^[0-9a-f-]{36}$/.test(m.ref!))).toBe(true);
    const one = await adapter.fetchByKeys('deals', [okRef, malformed[0].ref!]);
    expect(one.records).toHaveLength(1);
    expect(one.malformed).toHaveLength(1);
  });

  it('works against a simulator on another host and port by settings alone (Cyrillic user name)', async () => {
    const other = await new OneCSimulator({
      data: dataset.onec,
      host: '127.0.0.2',
      user: 'Интеграция',
      password: 'пароль:с двоеточием',
      publication: 'ut11',
    }).start();
    try {
      const settings = parseSettings(
        { ONEC_ODATA_URL: other.url, ONEC_USER: 'Интеграция', ONEC_PASSWORD: 'пароль:с двоеточием' },
        { mode: 'embedded' },
      );
      const port = createOneCPort(settings, simMapping());
      await port.ping();
      expect(await port.countLive('counterparties')).toBe(dataset.truth.counts.counterparties.live);
      expect(other.port).not.toBe(sim.port);
      expect(other.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/ut11\/odata\/standard\.odata$/);
    } finally {
      await other.close();
    }
  });
});
