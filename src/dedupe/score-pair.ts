import levenshtein from 'fast-levenshtein';
import { maskEmail, maskPhone } from '../common/contact-values.js';
import {
  DEFAULT_THRESHOLDS,
  type DedupeThresholds,
  type PairReason,
  type PairScore,
  type ReasonCode,
} from './dedupe.types.js';
import { legalFormsCompatible } from './normalize/legal-forms.js';
import { comparePersonNames } from './normalize/person-name.js';
import { phoneString, type RecordTable } from './record-table.js';
import { similarityCodes } from './text-distance.js';
import type { TextPool } from './text-pool.js';

/**
 * Scores one candidate pair of rows: how likely two records are one party, in 0..1, with the
 * evidence. Pure. The same function runs on the hot path (`explain` false: numbers only, nothing
 * allocated beyond a few strings) and for accepted pairs (`explain` true: reasons with values).
 *
 * The score, step by step:
 * 1. Name similarity `n` (0..1): the best of (a) edit distance on the normalised compact names,
 *    (b) edit distance on the transliteration key with words sorted (×0.98: script and word order
 *    ignored), (c) a fuzzy token overlap (×0.95). Different numbers in the names (`Автобаза 3` /
 *    `Автобаза 5`) take 0.25 off. For two sole traders, person-name rules apply: the same person in any
 *    word order or with agreeing initials lifts `n` to at least 0.9; a common surname with other
 *    initials is a conflict.
 * 2. Identity: the same valid INN (and, unless branches count as one party, no different KPPs), or
 *    the same valid OGRN → 0.9 + 0.1·n. The tax number outweighs any spelling.
 * 3. Otherwise: 0.85·n plus contact evidence, at most +0.2 in all: the same rare phone +0.12 (a phone
 *    shared by more than `commonPhoneCount` records is a switchboard: +0.02), the same corporate
 *    e-mail +0.15, the same free-mail address +0.08, the same corporate domain +0.08.
 *    Contacts that disagree (both sides list phones and share none; likewise e-mails/corporate domains)
 *    take 0.08 each: a namesake in another city has other numbers, while a copy keeps a subset or none.
 *    A name carried by two or more parties with different valid INNs (known namesakes) takes 0.1 off
 *    when no identifier or shared contact decides: a copy without INN could belong to either.
 * 4. Incompatible legal forms (ООО vs АО; ИП vs ООО) take 0.1 off.
 *    A name with `филиал` against one without, when INN/OGRN agree, is a branch as well.
 * 5. Conflicts cap the score at 0.3, whatever came before: two different valid INNs, two different
 *    valid OGRNs, a branch (same INN, different KPP) when branches are separate parties, two sole
 *    traders who are different people (without an identity match).
 * Tie-breaks: when several name measures tie, the order above (compact, transliteration, tokens) names
 * the reason; reasons are listed strongest first.
 */

export interface ScoreContext {
  thresholds: DedupeThresholds;
  branchesAreSameParty: boolean;
  commonPhoneCount: number;
}

export const DEFAULT_SCORE_CONTEXT: ScoreContext = {
  thresholds: DEFAULT_THRESHOLDS,
  branchesAreSameParty: false,
  commonPhoneCount: 6,
};

const CONFLICT_CAP = 0.3;
const CONTACT_CAP = 0.2;

/** True when b is a with two adjacent letters swapped (`Трейд` / `Тредй`): one slip of the fingers, not two. */
export function isOneTransposition(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (i >= a.length - 1) return false;
  return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

/** Edit distance (fast-levenshtein), counting one adjacent transposition as one edit instead of two. */
function distance(a: string, b: string): number {
  const d = levenshtein.get(a, b);
  return d === 2 && isOneTransposition(a, b) ? 1 : d;
}

/** 1 − distance / longer length, on strings that are already normalised. */
export function similarity(a: string, b: string): number {
  if (a === b) return a.length > 0 ? 1 : 0;
  const max = Math.max(a.length, b.length);
  if (max === 0) return 0;
  // Lengths far apart cannot be similar: skip the edit distance.
  if (Math.abs(a.length - b.length) / max > 0.5) return 1 - Math.abs(a.length - b.length) / max;
  return 1 - distance(a, b) / max;
}

let codesA: Uint16Array = new Uint16Array(64);
let codesB: Uint16Array = new Uint16Array(64);

/** `similarity` of entries `a` and `b` of a text column, on their code units (no string is made). */
function pooledSimilarity(pool: TextPool, a: number, b: number): number {
  codesA = pool.codes(a, codesA);
  codesB = pool.codes(b, codesB);
  return similarityCodes(codesA, pool.length(a), codesB, pool.length(b));
}

/**
 * How much two different name words agree: their similarity when they are one edit apart in words of
 * 6+ letters (two edits in words of 9+), else 0. A one-letter difference in a short word (`Кочина` /
 * `Кочира`) is another name, not a typo.
 */
function tokenAgreement(a: string, b: string): number {
  const min = Math.min(a.length, b.length);
  if (min < 6 || Math.abs(a.length - b.length) > 2) return 0;
  const d = distance(a, b);
  return d <= (min >= 9 ? 2 : 1) ? 1 - d / Math.max(a.length, b.length) : 0;
}

/** Fuzzy Dice overlap of two token-id lists (sorted, distinct): exact ids count 1, near words their similarity. */
function tokenOverlap(t: RecordTable, a: number, b: number): number {
  const tok = t.tok.data;
  const a0 = t.tokOff.data[a];
  const a1 = t.tokOff.data[a + 1];
  const b0 = t.tokOff.data[b];
  const b1 = t.tokOff.data[b + 1];
  const na = a1 - a0;
  const nb = b1 - b0;
  if (na === 0 || nb === 0) return 0;
  let matched = 0;
  let unA: number[] | null = null;
  let unB: number[] | null = null;
  let i = a0;
  let j = b0;
  while (i < a1 || j < b1) {
    if (j >= b1 || (i < a1 && tok[i] < tok[j])) (unA ??= []).push(tok[i++]);
    else if (i >= a1 || tok[j] < tok[i]) (unB ??= []).push(tok[j++]);
    else {
      matched++;
      i++;
      j++;
    }
  }
  if (unA && unB) {
    const used = new Uint8Array(unB.length);
    for (const x of unA) {
      const sx = t.tokens.values[x];
      for (let k = 0; k < unB.length; k++) {
        if (used[k]) continue;
        const agree = tokenAgreement(sx, t.tokens.values[unB[k]]);
        if (agree > 0) {
          used[k] = 1;
          matched += agree;
          break;
        }
      }
    }
  }
  return (2 * matched) / (na + nb);
}

function numbersOf(core: string): string[] {
  return core.split(' ').filter((w) => /^\d+$/.test(w));
}

function sameSet(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

class Reasons {
  constructor(
    readonly on: boolean,
    readonly list: PairReason[] = [],
  ) {}
  add(
    code: ReasonCode,
    weight: number,
    text: string,
    values: Record<string, string | number>,
    maskedText = text,
  ): void {
    if (this.on) this.list.push({ code, weight: Math.round(weight * 100) / 100, text, maskedText, values });
  }
}

const r2 = (x: number) => Math.round(x * 100) / 100;
/** The reasons of every unexplained score: none, shared (frozen, so nobody adds to it by mistake). */
const SILENT = new Reasons(false, Object.freeze([]) as unknown as PairReason[]);

/** Penalty when the exact name is shared by 2+ parties with different valid INNs (namesakes are known). */
const AMBIGUOUS_NAME = 0.1;
/** Penalty per kind of contact (phones, e-mails) that both sides list without a common value. */
const DISAGREE = 0.08;
const phonesOn = (t: RecordTable, r: number) => t.phOff.data[r + 1] > t.phOff.data[r];
const emailsOn = (t: RecordTable, r: number) => t.emOff.data[r + 1] > t.emOff.data[r];
function sharesPhone(t: RecordTable, a: number, b: number): boolean {
  for (let i = t.phOff.data[a]; i < t.phOff.data[a + 1]; i++)
    for (let j = t.phOff.data[b]; j < t.phOff.data[b + 1]; j++)
      if (t.ph.data[i] === t.ph.data[j]) return true;
  return false;
}
function sharesEmailOrDomain(t: RecordTable, a: number, b: number): boolean {
  for (let i = t.emOff.data[a]; i < t.emOff.data[a + 1]; i++) {
    for (let j = t.emOff.data[b]; j < t.emOff.data[b + 1]; j++) {
      const ea = t.em.data[i];
      const eb = t.em.data[j];
      if (ea === eb) return true;
      const da = t.emailDomain.data[ea];
      if (da === t.emailDomain.data[eb] && t.domainFree.data[da] === 0) return true;
    }
  }
  return false;
}

/** Scores rows `a` and `b` of the table. */
export function scorePair(
  t: RecordTable,
  a: number,
  b: number,
  ctx: ScoreContext = DEFAULT_SCORE_CONTEXT,
  explain = false,
): PairScore {
  const R = explain ? new Reasons(true) : SILENT;

  // 1. Name.
  let name = pooledSimilarity(t.compact, a, b);
  let how: ReasonCode = 'name_similarity';
  if (name < 1) {
    const tr = 0.98 * pooledSimilarity(t.sortedKey, a, b);
    if (tr > name) {
      name = tr;
      how = 'name_transliterated';
    }
    if (name < 0.95) {
      const tk = 0.95 * tokenOverlap(t, a, b);
      if (tk > name) {
        name = tk;
        how = 'name_tokens';
      }
    }
  }
  let personConflict = false;
  const bothPersons = t.person.data[a] === 1 && t.person.data[b] === 1;
  if (bothPersons) {
    const m = comparePersonNames(t.core[a].split(' '), t.core[b].split(' '));
    if (m === 'conflict') personConflict = true;
    else if (m === 'same' && name < 1) {
      name = 1;
      how = 'person_name_compatible';
    } else if (m === 'compatible' && name < 0.9) {
      name = 0.9;
      how = 'person_name_compatible';
    }
  }
  if (explain) {
    const v = { similarity: r2(name), a: t.name(a), b: t.name(b) };
    if (how === 'name_similarity')
      R.add(how, 0.85 * name, `name similarity ${r2(name).toFixed(2)} after normalisation`, v);
    else if (how === 'name_transliterated')
      R.add(
        how,
        0.85 * name,
        `name similarity ${r2(name).toFixed(2)} after transliteration and word order`,
        v,
      );
    else if (how === 'name_tokens') R.add(how, 0.85 * name, `name words in common ${r2(name).toFixed(2)}`, v);
    else R.add(how, 0.85 * name, 'same person name (word order, initials)', v);
  }
  if (t.digits.data[a] === 1 && t.digits.data[b] === 1) {
    const na = numbersOf(t.core[a]);
    const nb = numbersOf(t.core[b]);
    if (na.length > 0 && nb.length > 0 && !sameSet(na, nb)) {
      name = Math.max(0, name - 0.25);
      if (explain)
        R.add('numbers_differ', -0.25, `different numbers in the names: ${na.join(',')} / ${nb.join(',')}`, {
          a: na.join(','),
          b: nb.join(','),
        });
    }
  }

  // 2. Identifiers.
  let identity = false;
  let conflict = false;
  const innA = t.inn.data[a];
  const innB = t.inn.data[b];
  if (!Number.isNaN(innA) && !Number.isNaN(innB)) {
    // Texts and values are built only when explaining (the hot path allocates nothing for reasons).
    const inn = explain ? (t.innString(a) ?? '') : '';
    if (innA === innB) {
      const kA = t.kpp.data[a];
      const kB = t.kpp.data[b];
      if (kA >= 0 && kB >= 0 && kA !== kB) {
        if (ctx.branchesAreSameParty) identity = true;
        else conflict = true;
        if (explain) {
          const kpps = { inn, kppA: t.kpps.values[kA], kppB: t.kpps.values[kB] };
          if (identity)
            R.add('same_inn', 0.9, `same INN ${inn} (branches: KPP ${kpps.kppA} / ${kpps.kppB})`, kpps);
          else
            R.add(
              'branch_same_inn',
              -1,
              `branch: same INN ${inn}, different KPP ${kpps.kppA} / ${kpps.kppB}`,
              kpps,
            );
        }
      } else {
        identity = true;
        if (explain) R.add('same_inn', 0.9, `same INN ${inn}`, { inn });
      }
    } else {
      conflict = true;
      if (explain) {
        const ia = t.innString(a) ?? '';
        const ib = t.innString(b) ?? '';
        R.add('different_inn', -1, `different INN ${ia} / ${ib}`, { a: ia, b: ib });
      }
    }
  }
  const ogA = t.ogrn.data[a];
  const ogB = t.ogrn.data[b];
  if (!Number.isNaN(ogA) && !Number.isNaN(ogB)) {
    if (ogA === ogB) {
      identity = true;
      if (explain) R.add('same_ogrn', 0.9, `same OGRN ${ogA}`, { ogrn: String(ogA) });
    } else {
      conflict = true;
      if (explain)
        R.add('different_ogrn', -1, `different OGRN ${ogA} / ${ogB}`, { a: String(ogA), b: String(ogB) });
    }
  }

  // A branch by name: one record says `филиал`, the other does not, yet INN/OGRN agree (a CRM copy
  // without KPP cannot show the branch by its KPP).
  if (identity && !ctx.branchesAreSameParty && t.branch.data[a] !== t.branch.data[b] && !conflict) {
    identity = false;
    conflict = true;
    // Names come out of the table's string pool: only when explaining.
    if (explain)
      R.add(
        'branch_same_inn',
        -1,
        `branch: one name says филиал, the other does not (${t.name(a)} / ${t.name(b)})`,
        { a: t.name(a), b: t.name(b) },
      );
  }

  // 3. Contacts.
  let contacts = 0;
  {
    const ph = t.ph.data;
    let best = 0;
    for (let i = t.phOff.data[a]; i < t.phOff.data[a + 1]; i++) {
      for (let j = t.phOff.data[b]; j < t.phOff.data[b + 1]; j++) {
        if (ph[i] !== ph[j]) continue;
        const count = Math.max(t.phCount[i] ?? 0, t.phCount[j] ?? 0);
        const w = count > ctx.commonPhoneCount ? 0.02 : 0.12;
        if (w > best) best = w;
        if (!explain) continue;
        const p = phoneString(ph[i]);
        if (w === 0.12) R.add('same_phone', w, `same phone ${p}`, { phone: p }, `same phone ${maskPhone(p)}`);
        else
          R.add(
            'shared_switchboard_phone',
            w,
            `same phone ${p}, shared by ${count} records (switchboard: weak)`,
            { phone: p, records: count },
            `same phone ${maskPhone(p)}, shared by ${count} records (switchboard: weak)`,
          );
      }
    }
    contacts += best;
  }
  {
    const em = t.em.data;
    let best = 0;
    for (let i = t.emOff.data[a]; i < t.emOff.data[a + 1]; i++) {
      for (let j = t.emOff.data[b]; j < t.emOff.data[b + 1]; j++) {
        const ea = em[i];
        const eb = em[j];
        const da = t.emailDomain.data[ea];
        const free = t.domainFree.data[da] === 1;
        if (ea === eb) {
          const e = t.emails.values[ea];
          const w = free ? 0.08 : 0.15;
          if (w > best) best = w;
          if (!explain) continue;
          if (free)
            R.add(
              'same_free_email',
              w,
              `same e-mail ${e} (free mail: weaker)`,
              { email: e },
              `same e-mail ${maskEmail(e)} (free mail: weaker)`,
            );
          else R.add('same_email', w, `same e-mail ${e}`, { email: e }, `same e-mail ${maskEmail(e)}`);
        } else if (!free && da === t.emailDomain.data[eb]) {
          if (0.08 > best) best = 0.08;
          if (!explain) continue;
          const d = t.domains.values[da];
          R.add('same_email_domain', 0.08, `same e-mail domain ${d}`, { domain: d });
        }
      }
    }
    contacts += best;
  }
  contacts = Math.min(CONTACT_CAP, contacts);
  {
    // Contacts that disagree: both sides list phones (e-mails) and none is shared. Mild evidence that a
    // namesake is another party (another city has other numbers); one side without any says nothing.
    if (phonesOn(t, a) && phonesOn(t, b) && !sharesPhone(t, a, b)) {
      contacts -= DISAGREE;
      if (explain) R.add('different_phones', -DISAGREE, 'no phone in common', {});
    }
    if (emailsOn(t, a) && emailsOn(t, b) && !sharesEmailOrDomain(t, a, b)) {
      contacts -= DISAGREE;
      if (explain) R.add('different_emails', -DISAGREE, 'no e-mail or corporate domain in common', {});
    }
  }

  let score = identity ? 0.9 + 0.1 * name : Math.min(1, 0.85 * name + contacts);

  // A name that several parties with different INNs carry is weaker evidence on its own (a shared
  // phone or e-mail settles which namesake it is, so the penalty applies only without one).
  if (!identity && !conflict && contacts <= 0) {
    const carriers = Math.max(t.nameInns[a] ?? 0, t.nameInns[b] ?? 0);
    if (carriers >= 2) {
      score -= AMBIGUOUS_NAME;
      if (explain)
        R.add(
          'ambiguous_name',
          -AMBIGUOUS_NAME,
          `the name is carried by ${carriers} parties with different INNs`,
          { parties: carriers },
        );
    }
  }

  // 4. Legal forms.
  const fa = t.legalForm(a);
  const fb = t.legalForm(b);
  if (!legalFormsCompatible(fa, fb)) {
    score -= 0.1;
    if (explain)
      R.add('different_legal_form', -0.1, `different legal forms ${fa} / ${fb}`, {
        a: fa ?? '',
        b: fb ?? '',
      });
  }

  // 5. Conflicts.
  if (personConflict && !identity) {
    conflict = true;
    if (explain)
      R.add('person_name_conflict', -1, `different people: ${t.name(a)} / ${t.name(b)}`, {
        a: t.name(a),
        b: t.name(b),
      });
  }
  if (conflict) score = Math.min(score, CONFLICT_CAP);
  score = r2(Math.max(0, Math.min(1, score)));

  const level =
    score >= ctx.thresholds.duplicate ? 'duplicate' : score >= ctx.thresholds.possible ? 'possible' : null;
  if (explain) R.list.sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight));
  return { score, level, conflict, reasons: R.list };
}
