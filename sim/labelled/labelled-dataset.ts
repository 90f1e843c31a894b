import { innWithCheckDigits, ogrnCheckDigit } from '../../src/common/ru-ids.js';
import type { DuplicateScope } from '../../src/common/vocabulary.js';
import type { DedupeRecord } from '../../src/dedupe/dedupe.types.js';
import {
  BRAND_SYLLABLES,
  LAST_NAMES,
  LEGAL_FORMS,
  MAILBOXES,
  MAIL_DOMAINS,
  MALE_FIRST_NAMES,
  NAME_ROOTS,
  NAME_SECOND,
  NAME_TAILS,
  PATRONYMIC_BASES,
  REGIONS,
  patronymic,
} from '../common/names.js';
import { Rng } from '../common/prng.js';
import { LATIN_LOOKALIKE, latinSlug, toLatin } from '../common/translit.js';

/**
 * A seeded, labelled data set for duplicate detection (tests and benchmarks): base parties with valid
 * identifiers, planted duplicates spelled otherwise, and hard negatives. Each record carries the party
 * it belongs to, so pairwise precision/recall can be computed exactly.
 *
 * Why not sim/dataset: that generator produces raw 1C OData rows and Bitrix24 items (with
 * orders, contacts, balances) for the simulators; this one streams `DedupeRecord`s directly, a million
 * in seconds, and plants what dedupe must tell apart and it does not: transliterated names, business-
 * centre switchboard phones, branches with one INN and other KPPs, namesakes in other cities.
 *
 * Planted duplicate spellings (one to three per copy): legal form moved, spelled in full or in
 * English, other quotes, ё/е, Latin look-alike letters, a typo, upper case, missing INN (the CRM
 * rarely has it), transliteration (`Romashka LLC`), ИП with initials or another word order, phone
 * in another format or dropped, e-mail in other case or dropped.
 *
 * Hard negatives: parties with the same or a similar name and other identifiers (two cities), sole
 * traders with a common surname, switchboard phones shared by unrelated parties, branches (distinct
 * parties under the default `branchesAreSameParty: false`).
 */

export interface LabelledDatasetOptions {
  seed: number;
  /** Distinct parties (records are about 1.6× this). */
  parties: number;
  /** Share of parties with planted duplicates (default 0.05). */
  duplicateRate?: number;
  /** Share of parties that also exist as a namesake in another city (default 0.02). */
  namesakeRate?: number;
  /** Share of parties whose main phone is a business-centre switchboard (default 0.03). */
  switchboardRate?: number;
  /** Share of legal parties with a branch record (default 0.005). */
  branchRate?: number;
  /** Stop after this many records (the party in progress is cut short at the limit). */
  maxRecords?: number;
}

export interface LabelledRecord {
  record: DedupeRecord;
  /** The party (ground truth): records with the same party are duplicates when their scope allows. */
  party: number;
}

interface Party {
  legal: boolean;
  /** Legal: name without form; ИП: surname, first name, patronymic. */
  core: string;
  last: string;
  first: string;
  middle: string;
  form: number;
  style: number;
  inn: string;
  kpp: string | null;
  ogrn: string | null;
  phones: string[];
  emails: string[];
}

/** Encodes a row number into a GUID-shaped 1C ref (the last 12 hex digits), so benches map ids back cheaply. */
export function refOf(row: number, salt: number): string {
  const h = (salt >>> 0).toString(16).padStart(8, '0');
  return `${h}-1c00-11e5-0a9b-${row.toString(16).padStart(12, '0')}`;
}

/** Row number of an id made by `refOf` (1C) or `crmIdOf` (CRM). */
export function rowOfId(id: string): number {
  return id.includes('-') ? parseInt(id.slice(-12), 16) : Number(id) - 1_000_000;
}

function crmIdOf(row: number): string {
  return String(1_000_000 + row);
}

/**
 * Streams labelled records; all records of one party come one after another. Record ids encode their row (position in the stream): 1C refs via
 * `refOf`, CRM ids as `1000000 + row`. `linkedTo` of a CRM copy names the 1C record it mirrors.
 */
export function* generateLabelledRecords(opts: LabelledDatasetOptions): Generator<LabelledRecord> {
  let n = 0;
  const max = opts.maxRecords ?? Infinity;
  for (const x of generateAll(opts)) {
    if (n++ >= max) return;
    yield x;
  }
}

function* generateAll(opts: LabelledDatasetOptions): Generator<LabelledRecord> {
  const rng = new Rng(opts.seed);
  const rnd = rng.next;
  const int = (a: number, b: number) => rng.int(a, b);
  const pick = <T>(xs: readonly T[]): T => rng.pick(xs);
  const chance = (p: number) => rng.chance(p);
  const cities = REGIONS.map((r) => r.city);
  const formWeights = LEGAL_FORMS.map((f, i) => [i, f.weight] as const);
  const dupRate = opts.duplicateRate ?? 0.05;
  const namesakeRate = opts.namesakeRate ?? 0.02;
  const switchRate = opts.switchboardRate ?? 0.03;
  const branchRate = opts.branchRate ?? 0.005;
  const switchboards = Array.from(
    { length: Math.max(3, Math.round(opts.parties / 2000)) },
    () => `+7 495 ${int(100, 999)}-${int(10, 99)}-${int(10, 99)}`,
  );
  let row = 0;
  let partySeq = 0;
  // INN/OGRN/phones from a bijection of the party number: unique without a set.
  const innFor = (k: number, person: boolean, region: string) =>
    person
      ? innWithCheckDigits(region + String((k * 7919 + 13) % 1e8).padStart(8, '0'))
      : innWithCheckDigits(region + String((k * 7919 + 17) % 1e7).padStart(7, '0'));
  const ogrnFor = (k: number, person: boolean, region: string) => {
    const body = person
      ? `3${int(10, 24)}${region}${String((k * 104729 + 7) % 1e9).padStart(9, '0')}`
      : `1${int(10, 24)}${region}${String((k * 104729 + 7) % 1e7).padStart(7, '0')}`;
    return body + ogrnCheckDigit(body);
  };
  const phoneFor = (k: number, area: string, salt: number) => {
    const n = String((k * 2654435761 + salt * 40503) % 1e7).padStart(7, '0');
    return chance(0.5) ? `+7 (${area}) ${n.slice(0, 3)}-${n.slice(3, 5)}-${n.slice(5)}` : `8${area}${n}`;
  };
  const mobileFor = (k: number) =>
    `8 9${int(0, 9)}${int(0, 9)} ${String((k * 40503 + 11) % 1e7).padStart(7, '0')}`;
  const brand = () => {
    // Invented brand words: 3 or 4 syllables (2-syllable ones would make every fifth name a namesake).
    const n = chance(0.7) ? 3 : 4;
    let s = '';
    for (let i = 0; i < n; i++) s += pick(BRAND_SYLLABLES);
    return s[0].toUpperCase() + s.slice(1);
  };
  const core = (): string => {
    const roll = rnd();
    let c: string;
    if (roll < 0.65)
      c =
        brand() + (chance(0.3) ? ` ${pick(NAME_SECOND)[0].toUpperCase()}${pick(NAME_SECOND).slice(1)}` : '');
    else if (roll < 0.93) {
      // A two-word root ("Зелёный Мир") is a name of its own: never glued to a second part.
      const root = pick(NAME_ROOTS);
      if (roll < 0.75) c = root.includes(' ') ? root : root + pick(NAME_SECOND);
      else c = `${root} ${brand()}`;
    } else c = `${pick(NAME_ROOTS)}-${pick(NAME_SECOND)}${pick(NAME_TAILS)}`;
    return c + (chance(0.15) ? pick(NAME_TAILS) : '');
  };
  const newParty = (): Party & { k: number } => {
    const k = ++partySeq;
    const place = pick(REGIONS);
    const region = place.code;
    const area = place.areas[0];
    const legal = chance(0.8);
    const form = rng.weighted(formWeights);
    const p: Party & { k: number } = {
      k,
      legal,
      core: '',
      last: pick(LAST_NAMES),
      first: pick(MALE_FIRST_NAMES),
      middle: patronymic(pick(PATRONYMIC_BASES), false),
      form,
      style: int(0, 3),
      inn: innFor(k, !legal, region),
      kpp: null,
      ogrn: null,
      phones: [],
      emails: [],
    };
    if (legal) {
      p.core = core();
      p.kpp = `${region}${int(10, 99)}01001`;
      if (chance(0.6)) p.ogrn = ogrnFor(k, false, region);
      if (chance(switchRate)) p.phones.push(pick(switchboards));
      else if (chance(0.85)) p.phones.push(phoneFor(k, area, 1));
      if (chance(0.3)) p.phones.push(mobileFor(k));
      if (chance(0.7)) p.emails.push(`${pick(MAILBOXES)}@${latinSlug(p.core)}-${k.toString(36)}.ru`);
    } else {
      p.core = `${p.last} ${p.first} ${p.middle}`;
      if (chance(0.5)) p.ogrn = ogrnFor(k, true, region);
      if (chance(0.8)) p.phones.push(mobileFor(k));
      if (chance(0.6)) p.emails.push(`${latinSlug(p.first)}.${latinSlug(p.last)}${k}@${pick(MAIL_DOMAINS)}`);
    }
    return p;
  };
  const title = (p: Party, style = p.style, formVariant: 'short' | 'full' | 'english' = 'short'): string => {
    if (!p.legal) {
      if (style === 0) return `ИП ${p.core}`;
      if (style === 1) return `${p.core} ИП`;
      if (style === 2) return `Индивидуальный предприниматель ${p.core}`;
      return `ИП ${p.core}`;
    }
    const lf = LEGAL_FORMS[p.form];
    const f = formVariant === 'short' ? lf.short : formVariant === 'full' ? lf.full : lf.english;
    if (style === 0) return `${f} "${p.core}"`;
    if (style === 1) return `${f} «${p.core}»`;
    if (style === 2) return `${p.core} ${f}`;
    return `${f} ${p.core}`;
  };
  const record = (
    system: 'onec' | 'crm',
    p: Party,
    name: string,
    extra: Partial<DedupeRecord> = {},
  ): DedupeRecord => ({
    system,
    id: system === 'onec' ? refOf(row, opts.seed) : crmIdOf(row),
    name,
    inn: p.inn,
    kpp: p.kpp,
    ogrn: p.ogrn,
    phones: p.phones,
    emails: p.emails,
    ...extra,
  });
  const typo = (s: string): string => {
    const words = s.split(' ');
    const idx = words.map((w, i) => [w, i] as const).filter(([w]) => w.length >= 5);
    if (idx.length === 0) return s;
    const [w, i] = pick(idx);
    const pos = int(1, w.length - 2);
    const op = int(0, 2);
    const letters = 'аеиоуклмнрст';
    const nw =
      op === 0
        ? w.slice(0, pos) + w.slice(pos + 1)
        : op === 1
          ? w.slice(0, pos) + pick([...letters]) + w.slice(pos + 1)
          : w.slice(0, pos) + w[pos + 1] + w[pos] + w.slice(pos + 2);
    words[i] = nw;
    return words.join(' ');
  };
  const variant = (p: Party, crm: boolean): DedupeRecord => {
    const q: Party = { ...p, phones: [...p.phones], emails: [...p.emails] };
    let style = p.style;
    let formVariant: 'short' | 'full' | 'english' = 'short';
    let latin = false;
    let upper = false;
    let initials = false;
    const n = chance(0.35) ? 2 : chance(0.15) ? 3 : 1;
    for (let i = 0; i < n; i++) {
      const kind = int(0, 8);
      if (kind === 0)
        style = (style + int(1, 3)) % 4; // legal form moved / quotes
      else if (kind === 1) formVariant = chance(0.7) ? 'full' : 'english';
      else if (kind === 2)
        q.core = /[ёЁ]/.test(q.core)
          ? q.core.replace(/ё/g, 'е').replace(/Ё/g, 'Е')
          : q.core.replace(/е/, 'ё');
      else if (kind === 3)
        q.core = q.core.replace(/[аеорсхуАВЕКМНОРСТХ]/g, (c) => (chance(0.5) ? LATIN_LOOKALIKE[c] : c));
      else if (kind === 4 || kind === 5) q.core = typo(q.core);
      else if (kind === 6) upper = true;
      else if (kind === 7 && !p.legal) initials = true;
      else if (kind === 7 || kind === 8) latin = chance(0.4);
    }
    if (initials)
      q.core = chance(0.5) ? `${p.last} ${p.first[0]}.${p.middle[0]}.` : `${p.first} ${p.middle} ${p.last}`;
    let name = title(q, style, formVariant);
    if (latin) name = p.legal ? `${toLatin(p.core)} ${LEGAL_FORMS[p.form].english}` : `IP ${toLatin(p.core)}`;
    if (upper) name = name.toUpperCase();
    // The CRM rarely carries INN/KPP/OGRN; a 1C re-entry mostly does.
    if (chance(crm ? 0.5 : 0.2)) {
      q.inn = '';
      q.kpp = null;
      q.ogrn = null;
    }
    if (chance(0.3)) q.phones = q.phones.slice(0, 1).map((x) => x.replace(/\D/g, '').replace(/^8/, '7'));
    if (chance(0.25)) q.phones = [];
    if (chance(0.3)) q.emails = q.emails.map((e) => e.toUpperCase());
    if (chance(0.3)) q.emails = [];
    return record(crm ? 'crm' : 'onec', q, name, {
      inn: q.inn || (chance(0.5) ? null : ''),
      kpp: q.kpp,
      ogrn: q.ogrn,
      phones: q.phones,
      emails: q.emails,
    });
  };

  const maxRecords = opts.maxRecords ?? Infinity;
  for (let i = 0; i < opts.parties && row < maxRecords; i++) {
    const p = newParty();
    const party = p.k;
    const inOneC = chance(0.95);
    if (inOneC) {
      const r = record('onec', p, title(p));
      const onecId = r.id;
      yield { record: r, party };
      row++;
      if (chance(0.6)) {
        yield {
          record: record('crm', p, title(p), { linkedTo: onecId, inn: chance(0.7) ? p.inn : null }),
          party,
        };
        row++;
      }
    } else {
      yield { record: record('crm', p, title(p), { inn: chance(0.4) ? p.inn : null }), party };
      row++;
    }
    if (chance(dupRate)) {
      const copies = chance(0.15) ? 2 : 1;
      for (let c = 0; c < copies; c++) {
        const crm = !inOneC || chance(0.6);
        yield { record: variant(p, crm), party };
        row++;
      }
    }
    if (chance(namesakeRate)) {
      // Same (or nearly the same) name, another city: another party with its own identifiers.
      const o = newParty();
      o.legal = p.legal;
      o.core = chance(0.7) ? p.core : `${p.core} ${pick(cities)}`;
      o.last = p.last;
      o.form = p.form;
      if (!p.legal)
        o.core = chance(0.5)
          ? p.core
          : `${p.last} ${pick(MALE_FIRST_NAMES)} ${patronymic(pick(PATRONYMIC_BASES), false)}`;
      if (!p.legal) o.inn = innFor(o.k, true, '16');
      yield {
        record: record(chance(0.7) ? 'onec' : 'crm', o, title(o), { inn: chance(0.9) ? o.inn : null }),
        party: o.k,
      };
      row++;
    }
    if (p.legal && chance(branchRate)) {
      // A branch: same INN, its own KPP, its own party under the default setting.
      const b = newParty();
      const kpp = `${p.kpp!.slice(0, 4)}${int(10, 99)}0${int(10, 99)}`;
      yield {
        record: record('onec', p, `${title(p)} (филиал ${pick(cities)})`, {
          kpp,
          ogrn: p.ogrn,
          phones: b.phones,
          emails: [],
        }),
        party: b.k,
      };
      row++;
    }
  }
}

export interface LabelledDataset {
  records: DedupeRecord[];
  /** Party per record (same index). */
  party: Int32Array;
}

export function generateLabelledDataset(opts: LabelledDatasetOptions): LabelledDataset {
  const records: DedupeRecord[] = [];
  const party: number[] = [];
  for (const x of generateLabelledRecords(opts)) {
    records.push(x.record);
    party.push(x.party);
  }
  return { records, party: Int32Array.from(party) };
}

/** Scope of a pair of records, or null when no scope compares them (a 1C record and its linked CRM copy). */
export function pairScope(a: DedupeRecord, b: DedupeRecord): DuplicateScope | null {
  if (a.system === 'onec' && b.system === 'onec') return 'onec';
  if (a.system === 'crm' && b.system === 'crm') return 'crm';
  const crm = a.system === 'crm' ? a : b;
  return crm.linkedTo ? null : 'cross';
}
