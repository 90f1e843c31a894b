/**
 * Legal forms (организационно-правовые формы) in any position and spelling, extracted from a name into
 * a separate attribute. Pure.
 */

/** Canonical legal-form codes and the family each belongs to (forms of one family can replace each other). */
export const LEGAL_FORMS = {
  ООО: 'llc',
  АО: 'jsc',
  ПАО: 'jsc',
  ЗАО: 'jsc',
  ОАО: 'jsc',
  НАО: 'jsc',
  ИП: 'person',
  КФХ: 'person',
  ГУП: 'unitary',
  МУП: 'unitary',
  ФГУП: 'unitary',
  ГБУ: 'institution',
  МБУ: 'institution',
  ФГБУ: 'institution',
  ГКУ: 'institution',
  МКУ: 'institution',
  ГАУ: 'institution',
  МАУ: 'institution',
  АНО: 'nonprofit',
  НКО: 'nonprofit',
  НП: 'nonprofit',
  ТСЖ: 'nonprofit',
  СНТ: 'nonprofit',
  ПК: 'coop',
  СПК: 'coop',
  ТОО: 'partnership',
  ОДО: 'llc',
} as const;
export type LegalForm = keyof typeof LEGAL_FORMS;
export type LegalFamily = (typeof LEGAL_FORMS)[LegalForm];

/**
 * Spellings as folded words (see fold-text). Abbreviations in Cyrillic and in Latin transliteration,
 * full Russian names, and English equivalents (LLC, Ltd, JSC, PJSC, Inc…).
 */
const SPELLINGS: Record<LegalForm, string[]> = {
  ООО: [
    'ооо',
    'ooo',
    'общество с ограниченной ответственностью',
    'llc',
    'ltd',
    'limited',
    'limited liability company',
    'gmbh',
  ],
  АО: [
    'ао',
    'ao',
    'акционерное общество',
    'jsc',
    'joint stock company',
    'inc',
    'corp',
    'corporation',
    'ag',
    'sa',
  ],
  ПАО: ['пао', 'pao', 'публичное акционерное общество', 'pjsc', 'plc', 'public joint stock company'],
  ЗАО: ['зао', 'zao', 'закрытое акционерное общество', 'cjsc', 'closed joint stock company'],
  ОАО: ['оао', 'oao', 'открытое акционерное общество', 'ojsc', 'open joint stock company'],
  НАО: ['нао', 'nao', 'непубличное акционерное общество'],
  ИП: [
    'ип',
    'ip',
    'индивидуальный предприниматель',
    'индивидуальный предприниматель глава',
    'чп',
    'частный предприниматель',
    'sole proprietor',
    'individual entrepreneur',
  ],
  КФХ: [
    'кфх',
    'kfh',
    'глава кфх',
    'ип глава кфх',
    'ип кфх',
    'крестьянское фермерское хозяйство',
    'крестьянское хозяйство',
    'фермерское хозяйство',
    'глава крестьянского фермерского хозяйства',
    'ип глава крестьянского фермерского хозяйства',
    'глава крестьянского хозяйства',
    'глава фермерского хозяйства',
  ],
  ГУП: ['гуп', 'государственное унитарное предприятие', 'sue', 'state unitary enterprise'],
  МУП: ['муп', 'муниципальное унитарное предприятие', 'mue', 'municipal unitary enterprise'],
  ФГУП: [
    'фгуп',
    'federal state unitary enterprise',
    'fsue',
    'федеральное государственное унитарное предприятие',
  ],
  ГБУ: ['гбу', 'государственное бюджетное учреждение'],
  МБУ: ['мбу', 'муниципальное бюджетное учреждение'],
  ФГБУ: ['фгбу', 'федеральное государственное бюджетное учреждение'],
  ГКУ: ['гку', 'государственное казенное учреждение'],
  МКУ: ['мку', 'муниципальное казенное учреждение'],
  ГАУ: ['гау', 'государственное автономное учреждение'],
  МАУ: ['мау', 'муниципальное автономное учреждение'],
  АНО: ['ано', 'ano', 'автономная некоммерческая организация', 'autonomous non profit organization'],
  НКО: ['нко', 'некоммерческая организация'],
  НП: ['нп', 'некоммерческое партнерство'],
  ТСЖ: ['тсж', 'товарищество собственников жилья', 'товарищество собственников недвижимости', 'тсн'],
  СНТ: ['снт', 'садоводческое некоммерческое товарищество', 'садовое некоммерческое товарищество', 'снт сн'],
  ПК: ['пк', 'производственный кооператив'],
  СПК: ['спк', 'сельскохозяйственный производственный кооператив'],
  ТОО: ['тоо', 'товарищество с ограниченной ответственностью'],
  ОДО: ['одо', 'общество с дополнительной ответственностью'],
};

interface Spelling {
  form: LegalForm;
  words: string[];
}

/** Longest spellings first, so `ип глава кфх` wins over `ип`. */
const BY_FIRST_WORD: Map<string, Spelling[]> = (() => {
  const map = new Map<string, Spelling[]>();
  for (const [form, list] of Object.entries(SPELLINGS) as [LegalForm, string[]][]) {
    for (const s of list) {
      const words = s.split(' ');
      const bucket = map.get(words[0]) ?? [];
      bucket.push({ form, words });
      map.set(words[0], bucket);
    }
  }
  for (const bucket of map.values()) bucket.sort((a, b) => b.words.length - a.words.length);
  return map;
})();

export interface ExtractedLegalForm {
  /** The first legal form found, in canonical spelling (null: none). */
  form: LegalForm | null;
  /** The name's words without any legal-form words. */
  words: string[];
}

/**
 * Finds legal forms anywhere in the folded words and removes them.
 *
 * Tie-breaks: the longest spelling at a position wins (`глава КФХ` over nothing, `ИП глава КФХ` → КФХ);
 * when a name carries several forms, the first one (left to right) is the attribute and all are removed;
 * a name that is only a legal form (`ООО`) keeps its words, since an empty name compares with nothing.
 * The short English words `ag`, `sa`, `limited`, `corp` are forms only as the last word (`SA Group` keeps its `sa`).
 */
export function extractLegalForm(words: readonly string[]): ExtractedLegalForm {
  const out: string[] = [];
  let form: LegalForm | null = null;
  for (let i = 0; i < words.length;) {
    const bucket = BY_FIRST_WORD.get(words[i]);
    let matched: Spelling | undefined;
    if (bucket) {
      for (const s of bucket) {
        if (s.words.length > words.length - i) continue;
        let ok = true;
        for (let k = 1; k < s.words.length; k++) {
          if (words[i + k] !== s.words[k]) {
            ok = false;
            break;
          }
        }
        if (
          ok &&
          s.words.length === 1 &&
          (s.words[0] === 'ag' || s.words[0] === 'sa' || s.words[0] === 'limited' || s.words[0] === 'corp') &&
          i !== words.length - 1
        ) {
          ok = false; // short English words count as a form only at the end of the name
        }
        if (ok) {
          matched = s;
          break;
        }
      }
    }
    if (matched) {
      form ??= matched.form;
      i += matched.words.length;
    } else {
      out.push(words[i]);
      i += 1;
    }
  }
  if (out.length === 0) return { form, words: [...words] };
  return { form, words: out };
}

export function legalFamily(form: LegalForm | null): LegalFamily | null {
  return form ? LEGAL_FORMS[form] : null;
}

/** Two forms are compatible when either is missing or both are of one family (ЗАО → АО after a reform). */
export function legalFormsCompatible(a: LegalForm | null, b: LegalForm | null): boolean {
  return !a || !b || LEGAL_FORMS[a] === LEGAL_FORMS[b];
}
