import { formatKopecks } from '../../src/common/money.js';
import { normalizeEmail, normalizePhone } from '../../src/common/contact-values.js';
import { checkInn, checkKpp, checkOgrn, innWithCheckDigits, ogrnCheckDigit } from '../../src/common/ru-ids.js';
import { simMapping } from '../mapping.js';
import type { ODataRow } from '../onec/onec-simulator.js';
import type {
  CrmCompanyItem,
  CrmRequisiteRow,
  Dataset,
  DatasetTruth,
  GenerateDatasetOptions,
  LinkedCompanies,
  PlannedInvoice,
  TruthCluster,
  TruthInvalid,
  TruthMember,
  VariantKind,
} from './dataset.types.js';
import { planDrift } from './drift.js';
import { invoicesFor } from './invoices.js';
import {
  FEMALE_FIRST_NAMES,
  LAST_NAMES,
  LEGAL_FORMS,
  MAILBOXES,
  MAIL_DOMAINS,
  MALE_FIRST_NAMES,
  MOBILE_CODES,
  NAME_ROOTS,
  NAME_SECOND,
  NAME_TAILS,
  ORDER_COMMENTS,
  PATRONYMIC_BASES,
  POSITIONS,
  REGIONS,
  STREETS,
  feminineSurname,
  patronymic,
  type LegalFormEntry,
  type Region,
} from '../common/names.js';
import { Rng, subSeed } from '../common/prng.js';
import { LATIN_LOOKALIKE, latinSlug } from '../common/translit.js';
import { writeDataset } from './write-dataset.js';

const COUNTERPARTY_TYPE = 'StandardODATA.Catalog_Контрагенты';
const UNDEFINED_TYPE = 'StandardODATA.Undefined';
const EMPTY = '00000000-0000-0000-0000-000000000000';
const ORG_KEY = '49b22f0e-2258-11e1-b864-002354e1ef1c';
const PARTNER_KEY = '6f1e2a10-2258-11e1-b864-002354e1ef1c';
const RUB_KEY = 'c1a4f2b0-2258-11e1-b864-002354e1ef1c';
const PHONE_KIND_KEY = 'e8220f38-fdc8-11ef-8c0c-fa163e4cc04e';
const EMAIL_KIND_KEY = 'e8220f39-fdc8-11ef-8c0c-fa163e4cc04e';
const ADDRESS_KIND_KEY = 'e8220f3b-fdc8-11ef-8c0c-fa163e4cc04e';
const ACCOUNTS = [
  {
    Ref_Key: 'fb2bde45-f2d1-11e5-8b86-000c295e30eb',
    Code: '62.01',
    Description: 'Расчеты с покупателями и заказчиками',
  },
  {
    Ref_Key: 'fb2bde46-f2d1-11e5-8b86-000c295e30eb',
    Code: '62.02',
    Description: 'Расчеты по авансам полученным',
  },
  {
    Ref_Key: 'fb2bde40-f2d1-11e5-8b86-000c295e30eb',
    Code: '60.01',
    Description: 'Расчеты с поставщиками и подрядчиками',
  },
  {
    Ref_Key: 'fb2bde50-f2d1-11e5-8b86-000c295e30eb',
    Code: '76.06',
    Description: 'Расчеты с прочими покупателями и заказчиками',
  },
];
/** Statuses and weights of generated orders; `Согласован` is an older-base value the default map does not know. */
const STATUSES: [string, number][] = [
  ['НеСогласован', 10],
  ['КОбеспечению', 15],
  ['КВыполнению', 20],
  ['КОтгрузке', 20],
  ['Закрыт', 34],
  ['Согласован', 1],
];
const DEFAULT_TOLERANCE_KOP = 100n;
const LEAN_CONTRACT = 'c0d1e2f3-d629-11e5-0a9b-000c295e30eb';

type PartyKind = 'legal' | 'entrepreneur' | 'person';
type Style = 'formLast' | 'formFirst' | 'guillemets' | 'full';

interface Party {
  kind: PartyKind;
  form: LegalFormEntry | null;
  /** Legal: the name without form; ИП/person: `Фамилия Имя Отчество`. */
  core: string;
  last: string;
  first: string;
  middle: string;
  style: Style;
  region: Region;
  inn: string;
  kpp: string;
  ogrn: string;
  /** `7XXXXXXXXXX` digits. */
  phones: string[];
  emails: string[];
}

interface Counterparty {
  ref: string;
  party: Party;
  deleted: boolean;
  /** Planted 1C duplicate of another counterparty (no orders, balances or CRM extras). */
  duplicateOf: string | null;
}

/**
 * Generates a seeded, reproducible data set: 1C rows (counterparties with folders, contact persons,
 * customer orders, chart of accounts, balances), CRM-side seed (manager-created companies with
 * requisites, an invoice plan) and the ground truth (planted duplicates, invalid values, counts, debts).
 *
 * ```ts
 * const ds = generateDataset({ seed: 42, counterparties: 2000 });
 * const sim = await new OneCSimulator({ data: ds.onec }).start();
 * ds.truth.duplicates;          // clusters with scope onec | crm | cross
 * ds.invoicesFor(linkedIdByRef) // smart invoices to add to Bitrix24 after the sync linked companies
 * ```
 */
export function generateDataset(options: GenerateDatasetOptions): Dataset {
  const opts = {
    seed: options.seed,
    counterparties: options.counterparties,
    contactsPerCounterparty: options.contactsPerCounterparty ?? 1.5,
    ordersPerCounterparty: options.ordersPerCounterparty ?? 2,
    invalidRate: options.invalidRate ?? 0.03,
    onecDuplicateRate: options.onecDuplicateRate ?? 0.02,
    crmDuplicateRate: options.crmDuplicateRate ?? 0.03,
    crmNewRate: options.crmNewRate ?? 0.02,
    debtMismatchRate: options.debtMismatchRate ?? 0.02,
    asOf: options.asOf ?? '2026-08-31',
    lean: options.lean ?? false,
  };
  if (!Number.isInteger(opts.counterparties) || opts.counterparties < 0)
    throw new RangeError('counterparties must be a non-negative integer');
  const g = new Generator(opts);
  return g.run();
}

class Generator {
  private rng: Rng;
  private readonly usedInn = new Set<string>();
  private readonly usedNames = new Set<string>();
  private version = 0;
  private codeSeq = 0;
  private contactCodeSeq = 0;
  private orderSeq = 0;
  private readonly invalid: TruthInvalid[] = [];
  private readonly clusters: TruthCluster[] = [];

  constructor(private readonly o: Dataset['options']) {
    this.rng = new Rng(subSeed(o.seed, 'dataset'));
  }

  run(): Dataset {
    const o = this.o;
    const r = this.rng;
    // ---- folders ----
    const folders: ODataRow[] = ['Покупатели', 'Поставщики', 'Прочие', 'Архив'].map((name) => ({
      Ref_Key: r.guid(),
      DataVersion: this.nextVersion(),
      DeletionMark: false,
      Predefined: false,
      Parent_Key: EMPTY,
      IsFolder: true,
      Code: this.nextCode(),
      Description: name,
    }));
    // ---- counterparties (and planted 1C duplicates) ----
    const cps: Counterparty[] = [];
    for (let i = 0; i < o.counterparties; i++) {
      cps.push({ ref: r.guid(), party: this.newParty(), deleted: r.chance(0.03), duplicateOf: null });
    }
    const originals = cps.filter((c) => !c.deleted);
    const dupCount = Math.round(o.counterparties * o.onecDuplicateRate);
    const dupSources = r.shuffle([...originals]).slice(0, dupCount);
    const dupSourceRefs = new Set(dupSources.map((c) => c.ref));
    for (const src of dupSources) {
      const copies = r.chance(0.15) ? 2 : 1;
      const members: TruthMember[] = [
        this.member('onec', src.ref, this.description(src.party), src.party.inn),
      ];
      const variants = new Set<VariantKind>();
      for (let k = 0; k < copies; k++) {
        const v = this.variantParty(src.party, true);
        // A second copy spelt like the first would be one record twice: every member is spelt apart.
        while (members.some((m) => m.name === this.description(v.party))) {
          v.party.core = typo(r, v.party.core);
          v.variants.push('typo');
        }
        for (const x of v.variants) variants.add(x);
        const copy: Counterparty = { ref: r.guid(), party: v.party, deleted: false, duplicateOf: src.ref };
        cps.push(copy);
        members.push(this.member('onec', copy.ref, this.description(copy.party), copy.party.inn));
      }
      this.clusters.push({ id: '', scope: 'onec', members, variants: [...variants] });
    }
    // Interleave the copies (1C codes are assigned in entry order).
    const ordered = r.shuffle(cps);
    const counterpartyRows: ODataRow[] = [...folders];
    const folderKeys = folders.slice(0, 3).map((f) => f.Ref_Key as string);
    const cpRows = new Map<string, ODataRow>();
    for (const c of ordered) {
      const row = this.counterpartyRow(c, r.chance(0.7) ? r.pick(folderKeys) : EMPTY);
      counterpartyRows.push(row);
      cpRows.set(c.ref, row);
    }
    // ---- planted invalid values (never on a planted duplicate: its truth stays about spelling; never
    // on a deletion-marked one: reconciliation validates live records only) ----
    for (const c of ordered) {
      if (c.duplicateOf || dupSourceRefs.has(c.ref) || !r.chance(o.invalidRate) || c.deleted) continue;
      this.plantCounterpartyInvalid(c, cpRows.get(c.ref)!);
    }
    // A legal entity entered again without its INN is an empty required value too.
    for (const c of ordered)
      if (c.duplicateOf && c.party.kind === 'legal' && c.party.inn === '')
        this.invalid.push({
          system: 'onec',
          entity: 'counterparties',
          ref: c.ref,
          field: 'inn',
          value: '',
          reason: 'required field is empty',
        });
    // ---- contact persons ----
    const contactRows: ODataRow[] = [];
    let ownedByCounterparty = 0;
    let liveOwned = 0;
    for (const c of ordered) {
      if (c.duplicateOf) continue;
      const n = count(r, o.contactsPerCounterparty);
      for (let k = 0; k < n; k++) {
        const row = this.contactRow(c);
        contactRows.push(row);
        ownedByCounterparty++;
        if (!row.DeletionMark) liveOwned++;
      }
    }
    // Contacts owned by something else (an organisation, nothing): the client skips them.
    const others = Math.max(1, Math.round(contactRows.length * 0.02));
    for (let k = 0; k < others && o.counterparties > 0; k++) {
      const row = this.contactRow(null);
      contactRows.push(row);
    }
    r.shuffle(contactRows);
    // ---- customer orders ----
    const orderRows: ODataRow[] = [];
    const live = ordered.filter((c) => !c.deleted && !c.duplicateOf);
    for (const c of ordered) {
      if (c.duplicateOf) continue;
      const n = count(r, o.ordersPerCounterparty);
      for (let k = 0; k < n; k++) orderRows.push(this.orderRow(c));
    }
    r.shuffle(orderRows);
    // ---- balances and the CRM invoice plan ----
    const { balances, byRef, kop } = this.balances(live);
    const { plan, crmOpenByRef, crmOpenTotal, mismatches } = this.invoicePlan(live, kop);
    let onecTotal = 0n;
    for (const v of kop.values()) onecTotal += v;
    // ---- CRM companies ----
    const crm = this.crmCompanies(
      live.filter((c) => !dupSourceRefs.has(c.ref)),
      plan,
    );

    // ---- truth ----
    this.clusters.forEach((c, i) => (c.id = `dup-${String(i + 1).padStart(4, '0')}`));
    const itemRows = counterpartyRows.filter((x) => !x.IsFolder);
    const orderLive = orderRows.filter((x) => !x.DeletionMark);
    const byStatusLive: Record<string, number> = {};
    for (const x of orderLive) byStatusLive[x.Статус as string] = (byStatusLive[x.Статус as string] ?? 0) + 1;
    const statusMap = simMapping().deals.statusMap;
    const truth: DatasetTruth = {
      seed: o.seed,
      asOf: o.asOf,
      counts: {
        counterparties: {
          rows: counterpartyRows.length,
          folders: folders.length,
          items: itemRows.length,
          deletionMarked: itemRows.filter((x) => x.DeletionMark).length,
          live: itemRows.filter((x) => !x.DeletionMark).length,
          legal: ordered.filter((c) => c.party.kind === 'legal').length,
          entrepreneurs: ordered.filter((c) => c.party.kind === 'entrepreneur').length,
          persons: ordered.filter((c) => c.party.kind === 'person').length,
        },
        contacts: {
          rows: contactRows.length,
          live: contactRows.filter((x) => !x.DeletionMark).length,
          ownedByCounterparty,
          liveOwnedByCounterparty: liveOwned,
        },
        orders: {
          rows: orderRows.length,
          live: orderLive.length,
          posted: orderRows.filter((x) => x.Posted).length,
          deletionMarked: orderRows.length - orderLive.length,
          byStatusLive,
        },
        crm: crm.counts,
      },
      unmappedStatuses: STATUSES.map(([s]) => s).filter((s) => !(s in statusMap)),
      invalid: this.invalid,
      duplicates: this.clusters,
      lookalikes: crm.lookalikes,
      debts: {
        onecTotal: formatKopecks(onecTotal),
        byRef,
        crmOpenByRef,
        crmOpenTotal,
        mismatches,
      },
      // Filled by assemble() once the data set exists (planDrift reads it).
      drift: {
        seed: o.seed,
        ops: [],
        expect: {
          fieldMismatches: [],
          missingInCrm: [],
          statusMismatches: [],
          debtMismatches: [],
          crossDuplicates: [],
        },
      },
    };
    return assemble({
      seed: o.seed,
      options: o,
      onec: {
        counterparties: counterpartyRows,
        contacts: contactRows,
        orders: orderRows,
        accounts: ACCOUNTS.map((a) => ({ ...a, DataVersion: this.nextVersion(), DeletionMark: false })),
        balances,
      },
      crm: { companies: crm.companies, requisites: crm.requisites, maxFmId: crm.maxFmId, invoicePlan: plan },
      truth,
    });
  }

  // ---- parties ----

  private newParty(): Party {
    const r = this.rng;
    const region = r.pick(REGIONS);
    const roll = r.next();
    const kind: PartyKind = roll < 0.8 ? 'legal' : roll < 0.97 ? 'entrepreneur' : 'person';
    const party: Party = {
      kind,
      form: null,
      core: '',
      last: '',
      first: '',
      middle: '',
      style: 'formLast',
      region,
      inn: '',
      kpp: '',
      ogrn: '',
      phones: [],
      emails: [],
    };
    if (kind === 'legal') {
      party.form = r.weighted(LEGAL_FORMS.map((f) => [f, f.weight] as const));
      party.core = this.uniqueCore();
      party.style = r.pick<Style>(['formLast', 'formFirst', 'formFirst', 'guillemets']);
      party.inn = this.uniqueInn(() => innWithCheckDigits(region.code + r.digits(7)));
      party.kpp = `${party.inn.slice(0, 4)}${r.chance(0.9) ? '01' : '43'}${r.chance(0.9) ? '001' : '00' + r.int(2, 9)}`;
      const body = `1${pad2(r.int(2, 24))}${region.code}${r.digits(7)}`;
      party.ogrn = body + ogrnCheckDigit(body);
    } else {
      const female = r.chance(0.35);
      const last = r.pick(LAST_NAMES);
      party.last = female ? feminineSurname(last) : last;
      party.first = female ? r.pick(FEMALE_FIRST_NAMES) : r.pick(MALE_FIRST_NAMES);
      party.middle = patronymic(r.pick(PATRONYMIC_BASES), female);
      party.core = `${party.last} ${party.first} ${party.middle}`;
      party.inn = this.uniqueInn(() => innWithCheckDigits(region.code + r.digits(8)));
      if (kind === 'entrepreneur') {
        const body = `3${pad2(r.int(4, 24))}${region.code}${r.digits(9)}`;
        party.ogrn = body + ogrnCheckDigit(body);
      }
    }
    const phones = r.chance(0.85) ? (r.chance(0.3) ? 2 : 1) : 0;
    for (let k = 0; k < phones; k++)
      party.phones.push(this.phoneDigits(k === 0 && kind === 'legal' ? region : null));
    if (r.chance(0.75)) party.emails.push(this.email(party));
    return party;
  }

  private uniqueCore(): string {
    const r = this.rng;
    for (let attempt = 0; ; attempt++) {
      const a = r.pick(NAME_ROOTS);
      const b = r.pick(NAME_SECOND);
      const p = r.int(0, 3);
      let core: string;
      if (p === 0 && !a.includes(' ')) core = a + b;
      else if (p === 1 && !a.includes(' ')) core = `${a.toUpperCase()}-${b.toUpperCase()}`;
      else if (p === 2) core = a;
      else core = `${a} ${b[0].toUpperCase()}${b.slice(1)}`;
      core += r.pick(NAME_TAILS);
      // Past a few collisions the word space is used up (large sets): a branch number keeps names unique.
      if (attempt >= 3) core += `-${r.int(2, attempt >= 6 ? 999_999 : 99)}`;
      const key = nameKey(core);
      if (!this.usedNames.has(key)) {
        this.usedNames.add(key);
        return core;
      }
    }
  }

  private uniqueInn(make: () => string): string {
    for (;;) {
      const inn = make();
      if (!this.usedInn.has(inn)) {
        this.usedInn.add(inn);
        return inn;
      }
    }
  }

  private phoneDigits(region: Region | null): string {
    const r = this.rng;
    const code = region ? r.pick(region.areas) : r.pick(MOBILE_CODES);
    return `7${code}${r.int(2, 9)}${r.digits(6)}`;
  }

  private email(p: Party): string {
    const r = this.rng;
    let e: string;
    if (p.kind === 'legal') {
      const domain = latinSlug(p.core).slice(0, 40).replace(/-$/, '') || 'company';
      e = `${r.pick(MAILBOXES)}@${domain}.${r.chance(0.8) ? 'ru' : 'com'}`;
    } else {
      e = `${latinSlug(p.first)}.${latinSlug(p.last)}${r.chance(0.3) ? r.int(1, 99) : ''}@${r.pick(MAIL_DOMAINS)}`;
    }
    // Some people type capitals: still valid, lower-cased by normalisation.
    return r.chance(0.1) ? e[0].toUpperCase() + e.slice(1) : e;
  }

  /** The 1C `Description` of a party. */
  private description(p: Party, style: Style = p.style): string {
    if (p.kind === 'entrepreneur') return `ИП ${p.core}`;
    if (p.kind === 'person') return p.core;
    const f = p.form!.short;
    if (style === 'full') return this.fullName(p);
    if (style === 'formLast') return `${p.core} ${f}`;
    if (style === 'guillemets') return `${f} «${p.core}»`;
    return `${f} "${p.core}"`;
  }

  private fullName(p: Party): string {
    if (p.kind === 'entrepreneur') return `Индивидуальный предприниматель ${p.core}`;
    if (p.kind === 'person') return p.core;
    return `${p.form!.full} "${p.core}"`;
  }

  /**
   * Another spelling of the same party (for planted duplicates): one or two of the variant kinds.
   * `onec`: a 1C re-entry keeps the INN in most cases.
   */
  private variantParty(p: Party, onec: boolean): { party: Party; variants: VariantKind[]; title: string } {
    const r = this.rng;
    const kinds: VariantKind[] =
      p.kind === 'legal'
        ? ['legal_form_moved', 'full_form', 'yo', 'latin', 'typo', 'case', 'quotes']
        : ['initials', 'yo', 'latin', 'typo', 'case'];
    const chosen = new Set<VariantKind>();
    const n = r.chance(0.3) ? 2 : 1;
    while (chosen.size < n) chosen.add(r.pick(kinds));
    // Initials replace the whole name: alone, so the recorded variants stay true.
    if (chosen.has('initials')) {
      chosen.clear();
      chosen.add('initials');
    }
    const q: Party = { ...p, phones: [...p.phones], emails: [...p.emails] };
    let style: Style = p.style;
    for (const k of chosen) {
      if (k === 'yo')
        q.core = /[ёЁ]/.test(q.core)
          ? q.core.replace(/ё/g, 'е').replace(/Ё/g, 'Е')
          : q.core.replace(/е/, 'ё');
      else if (k === 'latin') q.core = latinize(r, q.core);
      else if (k === 'typo') q.core = typo(r, q.core);
      else if (k === 'case')
        q.core =
          q.core === q.core.toUpperCase() ? capitalizeWords(q.core.toLowerCase()) : q.core.toUpperCase();
      else if (k === 'legal_form_moved') style = p.style === 'formLast' ? 'formFirst' : 'formLast';
      else if (k === 'quotes') style = p.style === 'guillemets' ? 'formFirst' : 'guillemets';
      else if (k === 'full_form') style = 'full';
      else if (k === 'initials') q.core = `${q.last} ${q.first[0]}.${q.middle[0]}.`;
    }
    q.style = style;
    if (chosen.has('yo') && !/[ёЁ]/.test(p.core) && !/[ёЁ]/.test(q.core)) chosen.delete('yo');
    // Every planted duplicate is spelt differently from its original.
    if (this.description(q) === this.description(p)) {
      q.core = typo(r, q.core);
      chosen.add('typo');
    }
    const dropInn = r.chance(onec ? 0.2 : 0.3);
    if (dropInn) {
      q.inn = '';
      q.kpp = '';
      q.ogrn = '';
      chosen.add('no_inn');
    }
    if (r.chance(0.5)) q.phones = q.phones.slice(0, 1);
    if (r.chance(0.5)) q.emails = [];
    return { party: q, variants: [...chosen], title: this.description(q) };
  }

  private member(system: 'onec' | 'crm', id: string, name: string, inn: string): TruthMember {
    return { system, id, name, inn };
  }

  // ---- 1C rows ----

  private nextVersion(): string {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(++this.version, 0);
    return b.toString('base64');
  }

  private nextCode(): string {
    return `00-${String(++this.codeSeq).padStart(6, '0')}`;
  }

  private counterpartyRow(c: Counterparty, parentKey: string): ODataRow {
    const p = c.party;
    const row: ODataRow = {
      Ref_Key: c.ref,
      DataVersion: this.nextVersion(),
      DeletionMark: c.deleted,
      Parent_Key: parentKey,
      IsFolder: false,
      Code: this.nextCode(),
      Description: this.description(p),
      НаименованиеПолное: this.fullName(p),
      ЮридическоеФизическоеЛицо: p.kind === 'legal' ? 'ЮридическоеЛицо' : 'ФизическоеЛицо',
      ИНН: p.inn,
      // Fixed-length attributes come right-padded; the client trims
      // (docs/protocols/onec-odata.md#value-shapes).
      КПП: p.kind === 'legal' ? p.kpp : p.kpp.padEnd(9, ' '),
      РегистрационныйНомер: p.ogrn,
      КонтактнаяИнформация: this.contactInfo(c.ref, p.phones, p.emails, p.region),
    };
    if (!this.o.lean) {
      row.ГоловнойКонтрагент_Key = c.ref;
      row.ОсновноеКонтактноеЛицо_Key = EMPTY;
      row.КодПоОКПО = '';
      row.Комментарий = c.duplicateOf ? 'Завели повторно' : '';
      row.ДополнительныеРеквизиты = [];
    }
    return row;
  }

  private contactInfo(ref: string, phones: string[], emails: string[], region?: Party['region']): ODataRow[] {
    const rows: ODataRow[] = [];
    let line = 0;
    for (const d of phones) {
      const shown = formatPhone(this.rng, d);
      const row: ODataRow = {
        Ref_Key: ref,
        LineNumber: String(++line),
        Тип: 'Телефон',
        Представление: shown,
        НомерТелефона: this.rng.chance(0.6) ? d : '',
        АдресЭП: '',
      };
      if (!this.o.lean) {
        row.Вид_Key = PHONE_KIND_KEY;
        row.Значение = JSON.stringify({ version: 4, value: shown, type: 'Телефон' });
      }
      rows.push(row);
    }
    for (const e of emails) {
      const row: ODataRow = {
        Ref_Key: ref,
        LineNumber: String(++line),
        Тип: 'АдресЭлектроннойПочты',
        Представление: e,
        НомерТелефона: '',
        АдресЭП: this.rng.chance(0.8) ? e : '',
      };
      if (!this.o.lean) {
        row.Вид_Key = EMAIL_KIND_KEY;
        row.Значение = e;
      }
      rows.push(row);
    }
    if (region && !this.o.lean && this.rng.chance(0.6)) {
      const r = this.rng;
      const address = `${r.int(101000, 699999)}, ${region.locality}, ${r.pick(STREETS)}, д. ${r.int(1, 150)}${r.chance(0.4) ? `, офис ${r.int(1, 600)}` : ''}`;
      rows.push({
        Ref_Key: ref,
        LineNumber: String(line + 1),
        Тип: 'Адрес',
        Вид_Key: ADDRESS_KIND_KEY,
        Представление: address,
        Значение: '',
        НомерТелефона: '',
        АдресЭП: '',
      });
    }
    return rows;
  }

  private plantCounterpartyInvalid(c: Counterparty, row: ODataRow): void {
    const r = this.rng;
    const p = c.party;
    const fields: TruthInvalid['field'][] = ['inn', 'inn', 'phones', 'emails'];
    if (p.kind === 'legal') fields.push('kpp', 'ogrn');
    if (p.kind === 'entrepreneur') fields.push('ogrn');
    const field = r.pick(fields);
    const info = row.КонтактнаяИнформация as ODataRow[];
    const push = (value: string, reason: string) =>
      this.invalid.push({ system: 'onec', entity: 'counterparties', ref: c.ref, field, value, reason });
    if (field === 'inn') {
      const v = badInn(r, p.inn);
      row.ИНН = v;
      push(v, failReason(checkInn(v)));
    } else if (field === 'kpp') {
      const v = r.chance(0.5) ? p.kpp.slice(0, 8) : `${p.kpp.slice(0, 4)}АБ${p.kpp.slice(6)}`;
      row.КПП = v;
      push(v, failReason(checkKpp(v)));
    } else if (field === 'ogrn') {
      const v = p.ogrn.slice(0, -1) + ((Number(p.ogrn.at(-1)) + r.int(1, 9)) % 10);
      row.РегистрационныйНомер = v;
      push(v, failReason(checkOgrn(v)));
    } else if (field === 'phones') {
      const v = badPhone(r);
      info.push({
        Ref_Key: c.ref,
        LineNumber: String(info.length + 1),
        Тип: 'Телефон',
        Представление: v,
        НомерТелефона: '',
        АдресЭП: '',
      });
      push(v, 'not a valid phone number');
    } else {
      const v = badEmail(r, p);
      info.push({
        Ref_Key: c.ref,
        LineNumber: String(info.length + 1),
        Тип: 'АдресЭлектроннойПочты',
        Представление: v,
        НомерТелефона: '',
        АдресЭП: v,
      });
      push(v, 'not a valid e-mail address');
    }
  }

  private contactRow(owner: Counterparty | null): ODataRow {
    const r = this.rng;
    const female = r.chance(0.45);
    const base = r.pick(LAST_NAMES);
    const last = female ? feminineSurname(base) : base;
    const first = female ? r.pick(FEMALE_FIRST_NAMES) : r.pick(MALE_FIRST_NAMES);
    const middle = patronymic(r.pick(PATRONYMIC_BASES), female);
    const ref = r.guid();
    const phones = r.chance(0.8) ? [this.phoneDigits(null)] : [];
    const emails = r.chance(0.6) ? [`${latinSlug(first)}.${latinSlug(last)}@${r.pick(MAIL_DOMAINS)}`] : [];
    const info = this.contactInfo(ref, phones, emails);
    const row: ODataRow = {
      Ref_Key: ref,
      DataVersion: this.nextVersion(),
      DeletionMark: r.chance(0.03),
      Code: `00-${String(++this.contactCodeSeq).padStart(6, '0')}`,
      Description: `${last} ${first} ${middle}`,
      Фамилия: last,
      Имя: first,
      Отчество: middle,
      Должность: r.pick(POSITIONS),
      ОбъектВладелец: owner ? owner.ref : r.chance(0.5) ? r.guid() : '',
      ОбъектВладелец_Type: owner ? COUNTERPARTY_TYPE : 'StandardODATA.Catalog_Организации',
      ВидКонтактногоЛица: owner ? 'КонтактноеЛицоКонтрагента' : 'ПрочееКонтактноеЛицо',
      КонтактнаяИнформация: info,
    };
    if (!owner && row.ОбъектВладелец === '') row.ОбъектВладелец_Type = UNDEFINED_TYPE;
    if (!this.o.lean) {
      Object.assign(row, {
        Predefined: false,
        PredefinedDataName: '',
        ДатаРождения: '0001-01-01T00:00:00',
        Роль_Key: EMPTY,
        Описание: '',
        ПользовательЛичногоКонтакта_Key: EMPTY,
        ДополнительныеРеквизиты: [],
      });
    }
    // Deletion-marked contacts are not validated by reconciliation: nothing planted on them.
    if (owner && r.chance(this.o.invalidRate / 2) && !row.DeletionMark) {
      const field = r.chance(0.5) ? 'phones' : 'emails';
      const v = field === 'phones' ? badPhone(r) : badEmail(r, null);
      info.push({
        Ref_Key: ref,
        LineNumber: String(info.length + 1),
        Тип: field === 'phones' ? 'Телефон' : 'АдресЭлектроннойПочты',
        Представление: v,
        НомерТелефона: '',
        АдресЭП: field === 'emails' ? v : '',
      });
      this.invalid.push({
        system: 'onec',
        entity: 'contacts',
        ref,
        field,
        value: v,
        reason: field === 'phones' ? 'not a valid phone number' : 'not a valid e-mail address',
      });
    }
    return row;
  }

  private orderRow(c: Counterparty): ODataRow {
    const r = this.rng;
    const deleted = r.chance(0.03);
    const posted = !deleted && r.chance(0.93);
    const asOf = new Date(`${this.o.asOf}T00:00:00Z`).getTime();
    const day = new Date(asOf - r.int(1, 230) * 86_400_000).toISOString().slice(0, 10);
    // Minutes on a 5-minute grid: several orders share a timestamp, so (Date, Number) paging matters.
    const date = `${day}T${pad2(r.int(9, 18))}:${pad2(r.int(0, 11) * 5)}:00`;
    const kop = BigInt(r.int(1_000_00, 2_000_000_99));
    const row: ODataRow = {
      Ref_Key: r.guid(),
      DataVersion: this.nextVersion(),
      DeletionMark: deleted,
      Number: `ЦБ-${String(++this.orderSeq).padStart(6, '0')}`,
      Date: date,
      Posted: posted,
      Организация_Key: ORG_KEY,
      Партнер_Key: PARTNER_KEY,
      Контрагент_Key: c.ref,
      СуммаДокумента: Number(formatKopecks(kop)),
      Статус: r.weighted(STATUSES),
      Согласован: r.chance(0.7),
      Комментарий: r.pick(ORDER_COMMENTS),
    };
    if (!this.o.lean) {
      Object.assign(row, {
        Соглашение_Key: EMPTY,
        Валюта_Key: RUB_KEY,
        ХозяйственнаяОперация: 'РеализацияКлиенту',
        ДокументОснование: '',
        ДокументОснование_Type: UNDEFINED_TYPE,
        Товары: [],
      });
    }
    return row;
  }

  private balances(live: Counterparty[]): {
    balances: ODataRow[];
    byRef: Record<string, string>;
    kop: Map<string, bigint>;
  } {
    const r = this.rng;
    const rows: ODataRow[] = [];
    const byRef: Record<string, string> = {};
    const kop = new Map<string, bigint>();
    const [a6201, a6202, a6001, a7606] = ACCOUNTS.map((a) => a.Ref_Key);
    for (const c of live) {
      if (!r.chance(0.6)) continue;
      // Lean sets share one contract and leave the settlement document empty (memory for 1M rows).
      const contract = this.o.lean ? LEAN_CONTRACT : r.guid();
      let dr = 0n;
      const n = r.int(1, 3);
      for (let k = 0; k < n; k++) {
        const amount = BigInt(r.int(1_000_00, 500_000_99));
        dr += amount;
        rows.push(balanceRow(c.ref, a6201, contract, this.o.lean ? '' : r.guid(), amount, 0n));
      }
      let cr = 0n;
      const settle = r.next();
      if (settle < 0.08) cr = dr;
      else if (settle < 0.5) cr = (dr * BigInt(r.int(1, 60))) / 100n;
      if (cr > 0n) rows.push(balanceRow(c.ref, a6202, contract, '', 0n, cr));
      byRef[c.ref] = formatKopecks(dr - cr);
      kop.set(c.ref, dr - cr);
      // Other accounts and subconto types: the AccountCondition and the type filter must leave them out.
      if (r.chance(0.05))
        rows.push(balanceRow(c.ref, a6001, contract, r.guid(), 0n, BigInt(r.int(1_000_00, 90_000_00))));
      if (r.chance(0.03))
        rows.push(balanceRow(c.ref, a7606, contract, r.guid(), BigInt(r.int(1_000_00, 90_000_00)), 0n));
    }
    for (let k = 0; k < Math.max(1, Math.round(live.length * 0.005)); k++) {
      const row = balanceRow(r.guid(), a6201, r.guid(), r.guid(), BigInt(r.int(1_000_00, 90_000_00)), 0n);
      row.ExtDimension1_Type = 'StandardODATA.Catalog_ФизическиеЛица';
      rows.push(row);
    }
    r.shuffle(rows);
    return { balances: rows, byRef, kop };
  }

  private invoicePlan(live: Counterparty[], debt: Map<string, bigint>) {
    const r = new Rng(subSeed(this.o.seed, 'invoices'));
    const debtors = live.filter((c) => (debt.get(c.ref) ?? 0n) > 0n);
    const settled = live.filter((c) => debt.get(c.ref) === 0n);
    const n =
      debtors.length < 3 ? debtors.length : Math.max(3, Math.round(debtors.length * this.o.debtMismatchRate));
    const picked = r.shuffle([...debtors]).slice(0, n);
    const crmOpen = new Map<string, bigint>();
    for (const c of live) if (debt.has(c.ref)) crmOpen.set(c.ref, debt.get(c.ref)!);
    picked.forEach((c, i) => {
      const owed = debt.get(c.ref)!;
      const kind = i % 5;
      let crm: bigint;
      if (kind === 0)
        crm = owed + BigInt(r.int(1, 99)) * (r.chance(0.5) ? 1n : -1n); // within tolerance
      else if (kind === 1)
        crm = 0n; // paid in the CRM, still owed in 1C
      else if (kind === 2)
        crm = owed + BigInt(r.int(101, 5_000_000)); // CRM invoices more
      else crm = owed - BigInt(r.int(101, Math.max(101, Number(owed / 2n)))); // CRM invoices less
      if (crm < 0n) crm = 0n;
      if (crm === owed) crm = owed + 137n;
      crmOpen.set(c.ref, crm);
    });
    if (settled.length) {
      const c = r.pick(settled);
      crmOpen.set(c.ref, BigInt(r.int(1_000_00, 50_000_00)));
      picked.push(c);
    }
    const plan: Record<string, PlannedInvoice[]> = {};
    const crmOpenByRef: Record<string, string> = {};
    let openTotal = 0n;
    let seq = 0;
    for (const c of live) {
      const open = crmOpen.get(c.ref);
      if (open === undefined) continue;
      crmOpenByRef[c.ref] = formatKopecks(open);
      openTotal += open;
      const invoices: PlannedInvoice[] = [];
      const parts = open > 0n ? r.int(1, 3) : 0;
      let left = open;
      for (let k = 0; k < parts; k++) {
        const amount = k === parts - 1 ? left : (left * BigInt(r.int(20, 70))) / 100n;
        if (amount <= 0n) continue;
        left -= amount;
        invoices.push({
          xmlId: `sim-inv-${++seq}`,
          stageId: r.chance(0.7) ? 'DT31_2:N' : 'DT31_2:S',
          amount: formatKopecks(amount),
          date: invoiceDate(r, this.o.asOf),
        });
      }
      const paid = this.o.lean ? 0 : r.int(0, 2);
      for (let k = 0; k < paid; k++)
        invoices.push({
          xmlId: `sim-inv-${++seq}`,
          stageId: 'DT31_2:P',
          amount: formatKopecks(BigInt(r.int(1_000_00, 300_000_00))),
          date: invoiceDate(r, this.o.asOf),
        });
      if (!this.o.lean && r.chance(0.05))
        invoices.push({
          xmlId: `sim-inv-${++seq}`,
          stageId: 'DT31_2:D',
          amount: formatKopecks(BigInt(r.int(1_000_00, 300_000_00))),
          date: invoiceDate(r, this.o.asOf),
        });
      plan[c.ref] = invoices;
    }
    const mismatches = picked
      .map((c) => {
        const onec = debt.get(c.ref)!;
        const crm = crmOpen.get(c.ref)!;
        const delta = crm - onec;
        return {
          ref: c.ref,
          onec: formatKopecks(onec),
          crm: formatKopecks(crm),
          delta: formatKopecks(delta),
          withinTolerance: (delta < 0n ? -delta : delta) <= DEFAULT_TOLERANCE_KOP,
        };
      })
      .sort((a, b) => (a.ref < b.ref ? -1 : 1));
    return { plan, crmOpenByRef, crmOpenTotal: formatKopecks(openTotal), mismatches };
  }

  // ---- CRM ----

  private crmCompanies(candidates: Counterparty[], _plan: Record<string, PlannedInvoice[]>) {
    const r = new Rng(subSeed(this.o.seed, 'crm'));
    // Variant spelling and new parties use this.rng: swap in the CRM stream for this part.
    const saved = this.rng;
    this.rng = r;
    type Draft = {
      title: string;
      party: Party | null;
      requisite: 'full' | 'no_inn' | 'none';
      phones: string[];
      emails: string[];
    };
    const drafts: Draft[] = [];
    const crossPlans: { source: Counterparty; draft: Draft; variants: VariantKind[] }[] = [];
    const crmPairs: { a: Draft; b: Draft; variants: VariantKind[] }[] = [];
    const lookalikePlans: { source: Counterparty; draft: Draft }[] = [];
    const n = this.o.counterparties;
    const crossCount = Math.round(n * this.o.crmDuplicateRate);
    const shuffled = r.shuffle([...candidates]);
    for (const source of shuffled.slice(0, crossCount)) {
      const v = this.variantParty(source.party, false);
      const hasInn = !v.variants.includes('no_inn');
      const draft: Draft = {
        title: v.title,
        party: v.party,
        requisite: hasInn ? 'full' : r.chance(0.5) ? 'none' : 'no_inn',
        phones: r.chance(0.5) ? source.party.phones.slice(0, 1) : [],
        emails: r.chance(0.3) ? source.party.emails.map((e) => e.toLowerCase()) : [],
      };
      drafts.push(draft);
      crossPlans.push({ source, draft, variants: v.variants });
    }
    const newCount = Math.round(n * this.o.crmNewRate);
    for (let k = 0; k < newCount; k++) {
      const party = this.newParty();
      const a: Draft = {
        title: this.description(party),
        party,
        requisite: r.chance(0.7) ? 'full' : 'none',
        phones: party.phones.slice(0, 1),
        emails: party.emails,
      };
      drafts.push(a);
      if (k % 3 === 0) {
        const v = this.variantParty(party, false);
        const b: Draft = {
          title: v.title,
          party: v.party,
          requisite: v.variants.includes('no_inn') ? 'none' : 'full',
          phones: a.phones,
          emails: [],
        };
        drafts.push(b);
        crmPairs.push({ a, b, variants: v.variants });
      }
    }
    const lookCount = n >= 50 ? Math.max(2, Math.round(n * 0.005)) : 0;
    for (const source of shuffled.slice(crossCount, crossCount + lookCount)) {
      if (source.party.kind !== 'legal') continue;
      let party = this.newParty();
      while (party.kind !== 'legal') party = this.newParty();
      party.core = source.party.core;
      party.form = LEGAL_FORMS.find((f) => f.short !== source.party.form!.short)!;
      const draft: Draft = {
        title: this.description(party),
        party,
        requisite: 'full',
        phones: party.phones.slice(0, 1),
        emails: [],
      };
      drafts.push(draft);
      lookalikePlans.push({ source, draft });
    }
    this.rng = saved;

    r.shuffle(drafts);
    const companies: CrmCompanyItem[] = [];
    const requisites: CrmRequisiteRow[] = [];
    const idOf = new Map<Draft, number>();
    let fmId = 0;
    drafts.forEach((d, i) => {
      const id = i + 1;
      idOf.set(d, id);
      const created = crmTime(r);
      const fm: CrmCompanyItem['fm'] = [
        ...d.phones.map((p) => ({
          id: ++fmId,
          typeId: 'PHONE' as const,
          valueType: 'WORK',
          value: formatPhone(r, p),
        })),
        ...d.emails.map((e) => ({ id: ++fmId, typeId: 'EMAIL' as const, valueType: 'WORK', value: e })),
      ];
      companies.push({
        id,
        title: d.title,
        createdTime: created,
        updatedTime: created,
        createdBy: 1,
        updatedBy: 1,
        assignedById: r.int(1, 5),
        opened: 'Y',
        companyTypeId: 'CUSTOMER',
        originatorId: null,
        originId: null,
        originVersion: null,
        contactIds: [],
        comments: '',
        hasPhone: fm.some((f) => f.typeId === 'PHONE') ? 'Y' : 'N',
        hasEmail: fm.some((f) => f.typeId === 'EMAIL') ? 'Y' : 'N',
        fm,
      });
      if (d.requisite !== 'none' && d.party) {
        const p = d.party;
        const legal = p.kind === 'legal';
        requisites.push({
          ID: String(requisites.length + 1),
          ENTITY_TYPE_ID: '4',
          ENTITY_ID: String(id),
          PRESET_ID: legal ? '1' : p.kind === 'entrepreneur' ? '3' : '5',
          NAME: legal ? 'Организация' : p.kind === 'entrepreneur' ? 'ИП' : 'Физ. лицо',
          XML_ID: null,
          ACTIVE: 'Y',
          RQ_INN: d.requisite === 'full' ? p.inn : '',
          RQ_KPP: d.requisite === 'full' && legal ? p.kpp : '',
          RQ_OGRN: d.requisite === 'full' && legal ? p.ogrn : '',
          RQ_OGRNIP: d.requisite === 'full' && p.kind === 'entrepreneur' ? p.ogrn : '',
          RQ_COMPANY_NAME: d.title,
          RQ_COMPANY_FULL_NAME: legal ? this.fullName(p) : '',
        });
      }
    });
    const innOf = (d: Draft) => (d.requisite === 'full' && d.party ? d.party.inn : '');
    for (const c of crossPlans) {
      this.clusters.push({
        id: '',
        scope: 'cross',
        members: [
          this.member('onec', c.source.ref, this.description(c.source.party), c.source.party.inn),
          this.member('crm', String(idOf.get(c.draft)), c.draft.title, innOf(c.draft)),
        ],
        variants:
          c.draft.requisite === 'full'
            ? c.variants.filter((v) => v !== 'no_inn')
            : [...new Set([...c.variants, 'no_inn' as const])],
      });
    }
    for (const p of crmPairs) {
      this.clusters.push({
        id: '',
        scope: 'crm',
        members: [
          this.member('crm', String(idOf.get(p.a)), p.a.title, innOf(p.a)),
          this.member('crm', String(idOf.get(p.b)), p.b.title, innOf(p.b)),
        ],
        variants:
          p.b.requisite === 'full'
            ? p.variants.filter((v) => v !== 'no_inn')
            : [...new Set([...p.variants, 'no_inn' as const])],
      });
    }
    return {
      companies,
      requisites,
      maxFmId: fmId,
      lookalikes: lookalikePlans.map((l) => ({
        crmId: String(idOf.get(l.draft)),
        onecRef: l.source.ref,
        note: 'same name, other legal form and INN',
      })),
      counts: {
        companies: companies.length,
        requisites: requisites.length,
        crossDuplicates: crossPlans.length,
        crmDuplicates: crmPairs.length,
        newCompanies: newCount + lookalikePlans.length,
      },
    };
  }
}

// ---- helpers ----

/**
 * Adds the bound helpers as non-enumerable properties. Built outside the generator so the closures
 * do not keep the generator's working sets (1M-row runs) alive.
 */
function assemble(data: Omit<Dataset, 'invoicesFor' | 'writeDataset'>): Dataset {
  const dataset = data as Dataset;
  dataset.truth.drift = planDrift(dataset, dataset.seed);
  Object.defineProperty(dataset, 'invoicesFor', {
    enumerable: false,
    value: (linked: LinkedCompanies) => invoicesFor(dataset, linked),
  });
  Object.defineProperty(dataset, 'writeDataset', {
    enumerable: false,
    value: (dir: string) => writeDataset(dataset, dir),
  });
  return dataset;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Integer around `avg`: floor(avg) plus one with probability frac(avg), ±1 jitter. */
function count(r: Rng, avg: number): number {
  if (avg <= 0) return 0;
  const base = Math.floor(avg) + (r.chance(avg - Math.floor(avg)) ? 1 : 0);
  const jitter = base > 0 ? r.int(-1, 1) : 0;
  return Math.max(0, base + jitter);
}

function nameKey(s: string): string {
  return s
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[^a-zа-я0-9]/g, '');
}

/** Mixed real-world phone spellings of `7XXXXXXXXXX`. */
export function formatPhone(r: Rng, d: string): string {
  const c = d.slice(1, 4);
  const l = d.slice(4);
  const dashed = `${l.slice(0, 3)}-${l.slice(3, 5)}-${l.slice(5)}`;
  switch (r.int(0, 6)) {
    case 0:
      return `+7 (${c}) ${dashed}`;
    case 1:
      return `8 (${c}) ${dashed}`;
    case 2:
      return `8${c}${l}`;
    case 3:
      return `+7${c}${l}`;
    case 4:
      return `7(${c})${l}`;
    case 5:
      return `+7 ${c} ${l}`;
    default:
      return `8-${c}-${dashed}`;
  }
}

function latinize(r: Rng, s: string): string {
  const idx = [...s].map((ch, i) => (LATIN_LOOKALIKE[ch] ? i : -1)).filter((i) => i >= 0);
  if (!idx.length) return s;
  const chars = [...s];
  const times = Math.min(idx.length, r.int(1, 2));
  for (const i of r.shuffle(idx).slice(0, times)) chars[i] = LATIN_LOOKALIKE[chars[i]];
  return chars.join('');
}

function typo(r: Rng, s: string): string {
  const chars = [...s];
  const letters = chars.map((ch, i) => (/[а-яёА-ЯЁ]/.test(ch) ? i : -1)).filter((i) => i > 0);
  if (letters.length < 4) return s + s.at(-1);
  const i = r.pick(letters.slice(0, -1));
  const kind = r.int(0, 2);
  if (kind === 0 && /[а-яё]/i.test(chars[i + 1] ?? '')) [chars[i], chars[i + 1]] = [chars[i + 1], chars[i]];
  else if (kind === 1) chars.splice(i, 1);
  else chars.splice(i, 0, chars[i]);
  const out = chars.join('');
  return out === s ? s + s.at(-1) : out;
}

function capitalizeWords(s: string): string {
  return s.replace(/(^|[\s-])([а-яёa-z])/g, (_m, a: string, b: string) => a + b.toUpperCase());
}

function failReason(check: { ok: boolean; reason?: string }): string {
  return check.ok ? 'valid' : check.reason!;
}

function badInn(r: Rng, inn: string): string {
  switch (r.int(0, 2)) {
    case 0:
      return inn.slice(0, -1) + ((Number(inn.at(-1)) + r.int(1, 9)) % 10);
    case 1:
      return inn.slice(0, -1);
    default:
      return `${inn.slice(0, 3)}O${inn.slice(4)}`;
  }
}

function badPhone(r: Rng): string {
  for (;;) {
    const v = r.pick([
      '12-34',
      `+7 (495) ${r.int(10, 99)}-${r.int(10, 99)}`,
      'доб. 123',
      `8 800 ${r.digits(3)}`,
      `+7 ${r.digits(4)}`,
    ]);
    if (normalizePhone(v) === null) return v;
  }
}

function badEmail(r: Rng, p: Party | null): string {
  const base = p && p.kind === 'legal' ? latinSlug(p.core).slice(0, 20) || 'firma' : 'ivanov';
  for (;;) {
    const v = r.pick([
      `info@${base}`,
      `${base}.mail.ru`,
      `info@@${base}.ru`,
      `${base} info@mail.ru`,
      `info@${base}.ru,`,
    ]);
    if (normalizeEmail(v) === null) return v;
  }
}

function balanceRow(
  ref: string,
  account: string,
  contract: string,
  doc: string,
  dr: bigint,
  cr: bigint,
): ODataRow {
  return {
    Account_Key: account,
    ExtDimension1: ref,
    ExtDimension1_Type: COUNTERPARTY_TYPE,
    ExtDimension2: contract,
    ExtDimension2_Type: 'StandardODATA.Catalog_ДоговорыКонтрагентов',
    ExtDimension3: doc,
    ExtDimension3_Type: doc ? 'StandardODATA.Document_РеализацияТоваровУслуг' : UNDEFINED_TYPE,
    Организация_Key: ORG_KEY,
    СуммаBalance: Number(formatKopecks(dr - cr)),
    СуммаBalanceDr: Number(formatKopecks(dr)),
    СуммаBalanceCr: Number(formatKopecks(cr)),
  };
}

function invoiceDate(r: Rng, asOf: string): string {
  const t = new Date(`${asOf}T00:00:00Z`).getTime() - r.int(1, 200) * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

function crmTime(r: Rng): string {
  const t = Date.UTC(2025, 0, 1) + r.int(0, 600) * 86_400_000 + r.int(8 * 3600, 19 * 3600) * 1000;
  return `${new Date(t).toISOString().slice(0, 19)}+03:00`;
}
