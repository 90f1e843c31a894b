import type { SystemName } from '../common/vocabulary.js';
import type { DedupeRecord } from './dedupe.types.js';
import { normalizeCompanyName } from './normalize/company-name.js';
import {
  emailDomain,
  innCode,
  isFreeMailDomain,
  normalizeEmails,
  normalizePhones,
  phoneCode,
  validInn,
  validKpp,
  validOgrn,
} from './normalize/identifiers.js';
import { LEGAL_FORMS, type LegalForm } from './normalize/legal-forms.js';
import { TextPool } from './text-pool.js';

/**
 * Prepared records in columns: one row per record, typed arrays for numbers and flags, interned ids for
 * tokens, KPPs and e-mails, and texts in shared string tables (`TextPool`: one byte per Russian
 * character, 5 bytes of bookkeeping per entry): the names edit distance reads on every pair, and the
 * output texts (ids, names, invalid INNs). No object per record and none per pair, so a million records
 * fit in about 200 MB. Pure (no clock, no I/O).
 */

export const FORM_LIST = Object.keys(LEGAL_FORMS) as LegalForm[];

/** Distinct strings numbered in order of arrival. The lookup map is only needed while rows are added. */
class Interner {
  private ids: Map<string, number> | null = new Map();
  readonly values: string[] = [];
  id(value: string): number {
    // After `release` (rows added later, or a second run): rebuild the map from the values.
    this.ids ??= new Map(this.values.map((v, i) => [v, i]));
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
    }
    return id;
  }
  /** Drops the lookup map (a third of an interner's memory); `id` rebuilds it when called again. */
  release(): void {
    this.ids = null;
  }
}

/** Growable column of a typed array. */
class Column<T extends Int32Array | Float64Array | Uint8Array> {
  data: T;
  length = 0;
  constructor(
    private readonly make: (n: number) => T,
    capacity = 1024,
  ) {
    this.data = make(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = v;
  }
  private grow(): void {
    const next = this.make(this.data.length * 2);
    next.set(this.data);
    this.data = next;
  }
  /** The filled part (a view; valid until the next push). */
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
  /** Drops unused capacity (`data` becomes a new array of `length`; a later push grows it again). */
  trim(): void {
    if (this.data.length > this.length) this.data = this.data.slice(0, Math.max(1, this.length)) as T;
  }
}

const i32 = (n: number) => new Int32Array(n);
const f64 = (n: number) => new Float64Array(n);
const u8 = (n: number) => new Uint8Array(n);

export class RecordTable {
  // Output fields, as given (read for cluster members and reasons only).
  private readonly idText = new TextPool();
  private readonly nameText = new TextPool();
  /** The INN as given when it is not a valid one ('' when valid or absent). */
  private readonly rawInn = new TextPool();
  // Name.
  /** Folded words joined without spaces: the edit-distance string, and the name order of rows. */
  readonly compact = new TextPool();
  /** Transliteration keys sorted and joined: insensitive to script and word order. */
  readonly sortedKey = new TextPool();
  /** 1 when the compact name holds a digit (the numbers rule applies). */
  readonly digits = new Column(u8);
  /**
   * Folded words without the legal form, space-joined — only for sole traders and names with digits,
   * the rows whose words a rule reads (person-name rules, numbers); '' for every other row.
   */
  readonly core: string[] = [];
  readonly system = new Column(u8); // 0 onec, 1 crm
  readonly linked = new Column(u8);
  readonly form = new Column(u8); // 0 none, else FORM_LIST index + 1
  readonly person = new Column(u8);
  readonly branch = new Column(u8);
  /** Transliteration tokens (distinct, sorted ids) in CSR form: tokens of row r are tok[tokOff[r]..tokOff[r+1]). */
  readonly tokOff = new Column(i32);
  readonly tok = new Column(i32);
  readonly tokens = new Interner();
  // Identifiers.
  readonly inn = new Column(f64); // innCode or NaN
  readonly kpp = new Column(i32); // interned or -1
  readonly kpps = new Interner();
  readonly ogrn = new Column(f64); // number or NaN
  readonly phOff = new Column(i32);
  readonly ph = new Column(f64); // phoneCode
  /** How many rows carry each phone entry's number (filled by blocking; 0 until then). */
  phCount = new Int32Array(0);
  readonly emOff = new Column(i32);
  readonly em = new Column(i32); // interned e-mail ids
  readonly emails = new Interner();
  /** Per e-mail id: domain id. */
  readonly emailDomain = new Column(i32);
  readonly domains = new Interner();
  /** Per domain id: 1 when a free-mail provider. */
  readonly domainFree = new Column(u8);

  constructor() {
    this.tokOff.push(0);
    this.phOff.push(0);
    this.emOff.push(0);
  }

  get size(): number {
    return this.compact.size;
  }

  add(r: DedupeRecord): number {
    const row = this.compact.size;
    const inn = validInn(r.inn);
    const name = normalizeCompanyName(r.name ?? '', { fullName: r.fullName, personHint: inn?.length === 12 });
    this.idText.add(String(r.id));
    this.nameText.add(r.name || r.fullName || '');
    this.rawInn.add(inn ? '' : (r.inn?.trim() ?? ''));
    this.compact.add(name.compact);
    this.sortedKey.add(name.sortedKey);
    const digits = /\d/.test(name.compact);
    this.digits.push(digits ? 1 : 0);
    this.core.push(name.isPerson || digits ? name.words.join(' ') : '');
    this.system.push(r.system === 'crm' ? 1 : 0);
    this.linked.push(r.system === 'crm' && r.linkedTo ? 1 : 0);
    this.form.push(name.legalForm ? FORM_LIST.indexOf(name.legalForm) + 1 : 0);
    this.person.push(name.isPerson ? 1 : 0);
    this.branch.push(name.isBranch ? 1 : 0);
    const toks = [...new Set(name.keys.filter((k) => k.length > 0))]
      .map((k) => this.tokens.id(k))
      .sort((a, b) => a - b);
    for (const t of toks) this.tok.push(t);
    this.tokOff.push(this.tok.length);
    this.inn.push(inn ? innCode(inn) : NaN);
    const kpp = validKpp(r.kpp);
    this.kpp.push(kpp ? this.kpps.id(kpp) : -1);
    const ogrn = validOgrn(r.ogrn);
    this.ogrn.push(ogrn ? Number(ogrn) : NaN);
    for (const p of normalizePhones(r.phones ?? [])) this.ph.push(phoneCode(p));
    this.phOff.push(this.ph.length);
    for (const e of normalizeEmails(r.emails ?? [])) {
      const before = this.emails.values.length;
      const id = this.emails.id(e);
      if (id === before) {
        const d = emailDomain(e);
        const dBefore = this.domains.values.length;
        const did = this.domains.id(d);
        if (did === dBefore) this.domainFree.push(isFreeMailDomain(d) ? 1 : 0);
        this.emailDomain.push(did);
      }
      this.em.push(id);
    }
    this.emOff.push(this.em.length);
    return row;
  }

  /** The record's id as given (1C ref or CRM id). */
  id(row: number): string {
    return this.idText.get(row);
  }

  /** The record's name as given (or its full name when the name is empty). */
  name(row: number): string {
    return this.nameText.get(row);
  }

  /** Valid INN, or the given text when it is invalid, or null: what a cluster member shows. */
  innText(row: number): string | null {
    return this.innString(row) ?? (this.rawInn.get(row) || null);
  }

  /**
   * Frees what only adding rows needs (the interners' lookup maps) and the columns' spare capacity.
   * Rows may still be added afterwards (at the cost of rebuilding the maps).
   */
  release(): void {
    for (const i of [this.tokens, this.kpps, this.emails, this.domains]) i.release();
    for (const c of [
      this.system,
      this.digits,
      this.linked,
      this.form,
      this.person,
      this.branch,
      this.tokOff,
      this.tok,
      this.inn,
      this.kpp,
      this.ogrn,
      this.phOff,
      this.ph,
      this.emOff,
      this.em,
      this.emailDomain,
      this.domainFree,
    ])
      c.trim();
    for (const p of [this.idText, this.nameText, this.rawInn, this.compact, this.sortedKey]) p.trim();
  }

  /**
   * Per row: how many distinct valid INNs carry exactly this normalised name (capped at 255; 0 until
   * computed). Two or more means known namesakes: a copy without INN could belong to either.
   */
  nameInns = new Uint8Array(0);

  /** Fills `nameInns` from the rows in name order (runs of equal `compact`). */
  countNameInns(byName: Int32Array): void {
    const out = new Uint8Array(this.size);
    let start = 0;
    const inn = this.inn.data;
    for (let i = 1; i <= byName.length; i++) {
      if (i < byName.length && this.compact.equals(byName[i], byName[start])) continue;
      let distinct = 0;
      if (i - start > 1) {
        const seen: number[] = [];
        for (let k = start; k < i; k++) {
          const v = inn[byName[k]];
          if (!Number.isNaN(v) && !seen.includes(v)) {
            seen.push(v);
            if (seen.length >= 255) break;
          }
        }
        distinct = seen.length;
      }
      for (let k = start; k < i; k++) out[byName[k]] = distinct;
      start = i;
    }
    this.nameInns = out;
  }

  /** Fills `phCount`: for each phone entry, how many rows carry that number. */
  countPhones(): void {
    const ph = this.ph.view();
    const sorted = Float64Array.from(ph).sort();
    const counts = new Int32Array(ph.length);
    for (let i = 0; i < ph.length; i++) {
      const v = ph[i];
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      let k = lo;
      while (k < sorted.length && sorted[k] === v) k++;
      counts[i] = k - lo;
    }
    this.phCount = counts;
  }

  systemName(row: number): SystemName {
    return this.system.data[row] === 1 ? 'crm' : 'onec';
  }

  legalForm(row: number): LegalForm | null {
    const f = this.form.data[row];
    return f ? FORM_LIST[f - 1] : null;
  }

  innString(row: number): string | null {
    const c = this.inn.data[row];
    if (Number.isNaN(c)) return null;
    return c >= 1e13 ? String(c - 1e13).padStart(12, '0') : String(c).padStart(10, '0');
  }

  /** Member identity in canonical order: system (onec first), then id. */
  compareRows(a: number, b: number): number {
    const s = this.system.data[a] - this.system.data[b];
    if (s !== 0) return s;
    return this.idText.compare(a, b) || a - b;
  }
}

export function phoneString(code: number): string {
  return `+${code}`;
}
