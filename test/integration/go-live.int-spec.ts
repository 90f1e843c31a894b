import { jest } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { generateDataset } from '../../sim/dataset/index.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { crmWriteCount } from '../factories/sync-harness.js';
import { simulatorEnv } from '../support/simulator-env.js';

jest.setTimeout(300_000);

type Row = Record<string, unknown>;
type Stats = Record<string, Record<string, number>>;

/** 24 counterparties, no CRM records of the dataset's own: the portal holds only what each case adds. */
const dataset = generateDataset({
  seed: 15,
  counterparties: 24,
  contactsPerCounterparty: 1,
  ordersPerCounterparty: 1,
  invalidRate: 0,
  onecDuplicateRate: 0,
  crmDuplicateRate: 0,
  crmNewRate: 0,
});

/**
 * Go-live against a portal managers already use (real HTTP to the fake 1C and the fake Bitrix24, a real
 * PostgreSQL, the application over REST): matching by INN/KPP and by person, the review queue, people's
 * phones kept, and a dry run whose plan is what the following real run does, with no CRM write.
 */
describe('go-live: matching, review, dry run', () => {
  let sims: RunningSimulators;
  let t: TestApp;
  const api = async (path: string, key: string, init: RequestInit = {}) => {
    const res = await fetch(`${t.url}/api/v1${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        ...(init.headers ?? {}),
      },
    });
    const text = await res.text();
    let body: Row;
    try {
      body = JSON.parse(text) as Row;
    } catch {
      body = { text };
    }
    return { status: res.status, body, headers: res.headers };
  };
  const sync = async (body: Row = {}) => {
    const a = await api('/sync/runs', t.keys.operator, { method: 'POST', body: JSON.stringify(body) });
    expect(a.status).toBe(202);
    for (let i = 0; i < 1200; i++) {
      const r = await api(`/sync/runs/${String(a.body.id)}`, t.keys.viewer);
      if (!['queued', 'running'].includes(String(r.body.status))) return r.body;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('the run did not finish');
  };
  const state = () => sims.bitrix24.sim.state;
  const live = () =>
    sims.onec.sim.rows('counterparties').filter((r: Row) => !r.IsFolder && !r.DeletionMark) as Row[];
  const legal = () => live().filter((r) => String(r.ИНН).length === 10 && String(r.КПП).length === 9);
  const companiesWithInn = (inn: string) => [
    ...new Set(
      state()
        .requisites()
        .filter((q) => q.RQ_INN === inn)
        .map((q) => Number(q.ENTITY_ID)),
    ),
  ];
  const ours = (ref: string) =>
    state()
      .list('companies')
      .filter((c) => c.originatorId === 'sverka-1c' && c.originId === ref);
  /** A company a manager typed in, with a requisite. */
  const managerCompany = (title: string, inn: string, kpp: string, extra: Row = {}) => {
    const c = state().add('companies', { title, assignedById: 3, ...extra });
    state().addRequisite({
      ENTITY_TYPE_ID: 4,
      ENTITY_ID: c.id,
      PRESET_ID: 1,
      NAME: 'Организация',
      RQ_INN: inn,
      RQ_KPP: kpp,
      RQ_COMPANY_NAME: title,
    });
    return Number(c.id);
  };

  let cps: Row[];
  const ids: Record<string, number> = {};
  let deleted: Row;

  beforeAll(async () => {
    sims = await startSimulators({ dataset, bitrixLimits: false });
    t = await startTestApp({ env: simulatorEnv(sims) });
    // a: the first legal counterparty with a live contact person.
    const people = sims.onec.sim.rows('contacts').filter((p: Row) => !p.DeletionMark) as Row[];
    const withPerson = legal().find((r) => people.some((p) => p.ОбъектВладелец === r.Ref_Key))!;
    cps = [withPerson, ...legal().filter((r) => r !== withPerson)];
    const [a, b, c, d, e, f, g, h] = cps;
    // a: a unique INN + KPP match, with a manager's own phone and a manager's contact of a's contact person.
    ids.a = managerCompany('Ромашка (менеджер)', String(a.ИНН), String(a.КПП), {
      fm: [{ typeId: 'PHONE', valueType: 'WORK', value: '+7 (999) 111-22-33' }],
    });
    const person = sims.onec.sim
      .rows('contacts')
      .find((p: Row) => p.ОбъектВладелец === a.Ref_Key && !p.DeletionMark) as Row;
    sims.onec.sim.update('contacts', String(person.Ref_Key), {
      КонтактнаяИнформация: [
        { Тип: 'АдресЭлектроннойПочты', АдресЭП: 'Boss@Example.ru', Представление: 'Boss@Example.ru' },
      ],
    });
    ids.contact = Number(
      state().add('contacts', {
        lastName: String(person.Фамилия).toUpperCase(),
        name: 'Кто-то',
        companyId: ids.a,
        fm: [{ typeId: 'EMAIL', valueType: 'WORK', value: 'boss@example.ru' }],
      }).id,
    );
    (ids as Record<string, unknown>).personRef = person.Ref_Key;
    // b: the CRM requisite has no KPP.
    ids.b = managerCompany('Б без КПП', String(b.ИНН), '');
    // c: another KPP is another branch.
    ids.c = managerCompany('В филиал', String(c.ИНН), '999901001');
    // d: two CRM companies with one INN.
    ids.d1 = managerCompany('Г первая', String(d.ИНН), '');
    ids.d2 = managerCompany('Г вторая', String(d.ИНН), String(d.КПП));
    // e and f: two live 1C counterparties with one INN and KPP, one CRM company.
    sims.onec.sim.update('counterparties', String(f.Ref_Key), { ИНН: e.ИНН, КПП: e.КПП });
    ids.e = managerCompany('Д общая', String(e.ИНН), String(e.КПП));
    // g: a company of another integration.
    ids.g = managerCompany('Е чужая', String(g.ИНН), String(g.КПП), {
      originatorId: 'other-1c',
      originId: 'x-1',
    });
    // h: deletion-marked in 1C, with a manager's company of its INN: never matched.
    sims.onec.sim.markDeleted('counterparties', String(h.Ref_Key));
    deleted = h;
    ids.h = managerCompany('Ж удалённая в 1С', String(h.ИНН), String(h.КПП));
    cps = [a, b, c, d, e, f, g];
  });
  afterAll(async () => {
    await t?.close();
    await sims?.close();
  });

  let plan: Stats;

  it('a dry run writes nothing to the CRM and plans create/link/review per entity; the plan lists and exports as CSV', async () => {
    const before = crmWriteCount(sims.bitrix24.sim);
    const companiesBefore = state().count('companies');
    const run = await sync({ dryRun: true });
    expect(run.status).toBe('succeeded');
    expect(run.dryRun).toBe(true);
    expect(crmWriteCount(sims.bitrix24.sim)).toBe(before);
    expect(state().count('companies')).toBe(companiesBefore);
    plan = (run.summary as { plan: Stats }).plan;
    const liveCount = live().length;
    // a, b linked; d, e, f held; everything else created (c: other KPP; g: other integration's).
    expect(plan.counterparties).toMatchObject({ link: 2, review: 3, create: liveCount - 5 });
    expect(plan.contacts.link).toBe(1);
    expect(plan.deals.create).toBeGreaterThan(0);
    const items = await api(
      `/sync/runs/${String(run.id)}/plan?entity=counterparties&action=link`,
      t.keys.viewer,
    );
    expect(items.status).toBe(200);
    expect((items.body.items as Row[]).map((i) => [i.onecRef, i.crmId]).sort()).toEqual(
      [
        [cps[0].Ref_Key, String(ids.a)],
        [cps[1].Ref_Key, String(ids.b)],
      ].sort(),
    );
    const csv = await fetch(`${t.url}/api/v1/sync/runs/${String(run.id)}/plan`, {
      headers: { authorization: `Bearer ${t.keys.viewer}`, accept: 'text/csv' },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await csv.text();
    const rows = parse(text.replace(/^\uFEFF/, ''), {
      delimiter: ';',
      relax_column_count: false,
    }) as string[][];
    expect(rows[0]).toEqual([
      'Сущность',
      'Действие',
      'Ссылка 1С',
      'ID в CRM',
      'Наименование',
      'ИНН',
      'Изменения (CRM → 1С)',
      'Причина',
    ]);
    // A first dry run: every planned action has its row (only records a run leaves unread are counted without one).
    const total = Object.values(plan).reduce((n, c) => n + Object.values(c).reduce((x, y) => x + y, 0), 0);
    expect(rows.length - 1).toBe(total);
    // The dry run left no review items and no links behind.
    const open = await api('/matches', t.keys.viewer);
    expect(open.body.total).toBe(0);
  });

  it('the real run does what the plan said: links instead of duplicating, holds the ambiguous ones', async () => {
    const run = await sync();
    expect(run.status).toBe('succeeded');
    const stats = run.stats as Stats;
    for (const e of ['counterparties', 'contacts', 'deals'])
      expect([e, stats[e].created, stats[e].linked, stats[e].held]).toEqual([
        e,
        plan[e].create,
        plan[e].link,
        plan[e].review,
      ]);
    const [a, b, c, d, e, f, g] = cps;
    // a: linked, requisite reused with XML_ID, no second company or requisite; the manager's phone kept.
    expect(ours(String(a.Ref_Key)).map((x) => x.id)).toEqual([ids.a]);
    expect(companiesWithInn(String(a.ИНН))).toEqual([ids.a]);
    const reqs = state()
      .requisites()
      .filter((q) => Number(q.ENTITY_ID) === ids.a);
    expect(reqs.map((q) => q.XML_ID)).toEqual([a.Ref_Key]);
    const company = state().get('companies', ids.a)!;
    expect(company.title).toBe(String(a.Description).trim());
    expect((company.fm as { value: string }[]).map((x) => x.value)).toContain('+7 (999) 111-22-33');
    // The contact person linked to the manager's contact.
    const contact = state().get('contacts', ids.contact)!;
    expect([contact.originatorId, contact.originId]).toEqual([
      'sverka-1c',
      (ids as Record<string, unknown>).personRef,
    ]);
    // b: matched through a requisite without KPP.
    expect(ours(String(b.Ref_Key)).map((x) => x.id)).toEqual([ids.b]);
    // c: another KPP: a new company; the branch untouched.
    expect(ours(String(c.Ref_Key))).toHaveLength(1);
    expect(ours(String(c.Ref_Key))[0].id).not.toBe(ids.c);
    expect(state().get('companies', ids.c)!.originatorId ?? null).toBeNull();
    // d, e, f held: nothing created.
    for (const r of [d, e, f]) expect(ours(String(r.Ref_Key))).toEqual([]);
    // g: the other integration's company untouched, g created.
    expect(state().get('companies', ids.g)!.originatorId).toBe('other-1c');
    expect(ours(String(g.Ref_Key))).toHaveLength(1);
    // h: deletion-marked: never matched.
    expect(ours(String(deleted.Ref_Key))).toEqual([]);
    expect(state().get('companies', ids.h)!.originatorId ?? null).toBeNull();
    // No company carries two requisites with one INN.
    const perCompany = new Map<string, number>();
    for (const q of state().requisites())
      perCompany.set(`${q.ENTITY_ID}/${q.RQ_INN}`, (perCompany.get(`${q.ENTITY_ID}/${q.RQ_INN}`) ?? 0) + 1);
    expect([...perCompany.values()].filter((n) => n > 1)).toEqual([]);
  });

  it('the review queue lists the held records with their candidates; bad resolves are refused', async () => {
    const [, , , d, e, f] = cps;
    const open = await api('/matches?status=open&entity=counterparties', t.keys.viewer);
    expect(open.status).toBe(200);
    expect(open.body.total).toBe(3);
    const items = open.body.items as Row[];
    const byRef = new Map(items.map((i) => [String(i.onecRef), i]));
    const md = byRef.get(String(d.Ref_Key))!;
    expect((md.candidates as Row[]).map((c) => c.crmId).sort()).toEqual(
      [String(ids.d1), String(ids.d2)].sort(),
    );
    expect(md.reason).toBe(`2 CRM companies have INN ${String(d.ИНН)}`);
    expect([md.name, md.inn]).toEqual([String(d.Description).trim(), String(d.ИНН)]);
    expect(byRef.get(String(e.Ref_Key))!.reason).toBe(
      `2 1C counterparties match the CRM company with INN ${String(e.ИНН)}`,
    );
    expect(byRef.has(String(f.Ref_Key))).toBe(true);

    // Reconciliation reports the held records as missing, saying why, and the report names the queue.
    const rec = await api('/reconciliations', t.keys.operator, {
      method: 'POST',
      body: JSON.stringify({ dedupe: false }),
    });
    expect(rec.status).toBe(202);
    let done: Row = {};
    for (let i = 0; i < 600 && !['succeeded', 'partial', 'failed'].includes(String(done.status)); i++) {
      await new Promise((res) => setTimeout(res, 100));
      done = (await api(`/reconciliations/${String(rec.body.id)}`, t.keys.viewer)).body;
    }
    expect((done.summary as Row).matches).toEqual({ open: 3, byEntity: { counterparties: 3 } });
    const missing = await api(
      `/reconciliations/${String(rec.body.id)}/discrepancies?kind=missing_in_crm&entity=counterparties&limit=1000`,
      t.keys.viewer,
    );
    const detailOf = new Map((missing.body.items as Row[]).map((x) => [String(x.onecRef), x.detail]));
    const held = (n: number) =>
      `Запись 1С ждёт решения о сопоставлении: в CRM есть похожие карточки (${n}) — выберите нужную или создайте новую (GET /api/v1/matches)`;
    expect([d, e, f].map((r) => detailOf.get(String(r.Ref_Key)))).toEqual([held(2), held(1), held(1)]);
    const text = await (
      await fetch(`${t.url}/api/v1/reconciliations/${String(rec.body.id)}/report`, {
        headers: { authorization: `Bearer ${t.keys.viewer}`, accept: 'text/html' },
      })
    ).text();
    expect(text).toContain('Ждут решения о сопоставлении: 3 записи 1С');

    const unknown = await api('/matches/00000000-0000-4000-8000-000000000000/resolve', t.keys.operator, {
      method: 'POST',
      body: JSON.stringify({ crmId: '1' }),
    });
    expect(unknown.status).toBe(404);
    const notCandidate = await api(`/matches/${String(md.id)}/resolve`, t.keys.operator, {
      method: 'POST',
      body: JSON.stringify({ crmId: String(ids.a) }),
    });
    expect(notCandidate.status).toBe(400);
    expect(String(notCandidate.body.detail)).toContain(
      `the candidates are ${(md.candidates as Row[]).map((c) => c.crmId).join(', ')}`,
    );
    const both = await api(`/matches/${String(md.id)}/resolve`, t.keys.operator, {
      method: 'POST',
      body: JSON.stringify({ crmId: String(ids.d2), create: true }),
    });
    expect(both.status).toBe(400);
    const viewer = await api(`/matches/${String(md.id)}/resolve`, t.keys.viewer, {
      method: 'POST',
      body: JSON.stringify({ create: true }),
    });
    expect(viewer.status).toBe(403);

    const ok = await api(`/matches/${String(md.id)}/resolve`, t.keys.operator, {
      method: 'POST',
      body: JSON.stringify({ crmId: String(ids.d2) }),
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'resolved', decision: { crmId: String(ids.d2) } });
    const again = await api(`/matches/${String(md.id)}/resolve`, t.keys.operator, {
      method: 'POST',
      body: JSON.stringify({ create: true }),
    });
    expect(again.status).toBe(409);
    const me = byRef.get(String(e.Ref_Key))!;
    expect(
      (
        await api(`/matches/${String(me.id)}/resolve`, t.keys.operator, {
          method: 'POST',
          body: JSON.stringify({ create: true }),
        })
      ).status,
    ).toBe(200);

    // The gauge counts what is still open.
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/sverka_matches_open\{entity="counterparties"\} 3/);
  });

  it('the next sync carries the decisions out: d linked to the chosen company, e created; f then is the only one', async () => {
    const [, , , d, e, f] = cps;
    const run = await sync();
    expect(run.status).toBe('succeeded');
    expect(ours(String(d.Ref_Key)).map((x) => x.id)).toEqual([ids.d2]);
    expect(state().get('companies', ids.d1)!.originatorId ?? null).toBeNull();
    expect(ours(String(e.Ref_Key))).toHaveLength(1);
    expect(ours(String(e.Ref_Key))[0].id).not.toBe(ids.e);
    // f was decided beside e (still unlinked then): held once more.
    expect(ours(String(f.Ref_Key))).toEqual([]);
    expect((await api('/matches?status=open', t.keys.viewer)).body.total).toBe(1);
    // Now e is linked, so f is the one live unlinked 1C counterparty with that INN: linked to the manager's company.
    expect((await sync()).status).toBe('succeeded');
    expect(ours(String(f.Ref_Key)).map((x) => x.id)).toEqual([ids.e]);
    const open = await api('/matches?status=open', t.keys.viewer);
    expect(open.body.total).toBe(0);
    const closed = await api('/matches?status=closed', t.keys.viewer);
    expect((closed.body.items as Row[]).map((i) => i.closedReason).sort()).toEqual([
      'applied',
      'applied',
      'linked or created by a later sync',
    ]);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/sverka_matches_open\{entity="counterparties"\} 0/);
  });

  it("a manager's extra phone survives a 1C phone change; the phone sync wrote is replaced", async () => {
    const [a] = cps;
    const before = (state().get('companies', ids.a)!.fm as { typeId: string; value: string }[]).filter(
      (x) => x.typeId === 'PHONE',
    );
    expect(before.map((x) => x.value)).toContain('+7 (999) 111-22-33');
    sims.onec.sim.update('counterparties', String(a.Ref_Key), {
      КонтактнаяИнформация: [
        { Тип: 'Телефон', НомерТелефона: '+7 (495) 765-43-21', Представление: '+7 (495) 765-43-21' },
      ],
    });
    const run = await sync();
    expect(run.status).toBe('succeeded');
    const phones = (state().get('companies', ids.a)!.fm as { typeId: string; value: string }[])
      .filter((x) => x.typeId === 'PHONE')
      .map((x) => x.value.replace(/\D/g, ''))
      .sort();
    expect(phones).toEqual(['74957654321', '79991112233']);
  });
});
