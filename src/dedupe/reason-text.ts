/**
 * Russian texts of the scorer's reasons (score-pair.ts writes them in English, with the values in
 * them). Pure; a reason no pattern knows passes through unchanged. Used where reasons reach people in
 * REPORT_LOCALE=ru: the stored clusters, the API and the e-mail.
 */
const RU: [RegExp, string][] = [
  [/^name similarity ([\d.]+) after normalisation$/, 'сходство названий $1 после нормализации'],
  [
    /^name similarity ([\d.]+) after transliteration and word order$/,
    'сходство названий $1 с учётом транслитерации и порядка слов',
  ],
  [/^name words in common ([\d.]+)$/, 'общие слова в названиях $1'],
  [/^same person name \(word order, initials\)$/, 'одно и то же ФИО (порядок слов, инициалы)'],
  [/^different numbers in the names: (.*) \/ (.*)$/, 'разные числа в названиях: $1 / $2'],
  [/^same INN (\S+) \(branches: KPP (\S*) \/ (\S*)\)$/, 'один ИНН $1 (филиалы: КПП $2 / $3)'],
  [/^branch: same INN (\S+), different KPP (\S*) \/ (\S*)$/, 'филиал: тот же ИНН $1, другой КПП $2 / $3'],
  [
    /^branch: one name says филиал, the other does not \((.*)\)$/,
    'филиал: только в одном названии есть «филиал» ($1)',
  ],
  [/^same INN (\S+)$/, 'один ИНН $1'],
  [/^different INN (\S*) \/ (\S*)$/, 'разные ИНН $1 / $2'],
  [/^same OGRN (\S+)$/, 'один ОГРН $1'],
  [/^different OGRN (\S*) \/ (\S*)$/, 'разные ОГРН $1 / $2'],
  [
    /^same phone (\S+), shared by (\d+) records \(switchboard: weak\)$/,
    'общий телефон $1 у $2 записей (коммутатор: слабый признак)',
  ],
  [/^same phone (\S+)$/, 'общий телефон $1'],
  [/^same e-mail (\S+) \(free mail: weaker\)$/, 'общий e-mail $1 (бесплатная почта: слабее)'],
  [/^same e-mail (\S+)$/, 'общий e-mail $1'],
  [/^same e-mail domain (\S+)$/, 'общий почтовый домен $1'],
  [/^no phone in common$/, 'нет общих телефонов'],
  [/^no e-mail or corporate domain in common$/, 'нет общих e-mail и корпоративных доменов'],
  [
    /^the name is carried by (\d+) parties with different INNs$/,
    'такое название у $1 организаций с разными ИНН',
  ],
  [/^different legal forms (.*) \/ (.*)$/, 'разные организационно-правовые формы $1 / $2'],
  [/^different people: (.*) \/ (.*)$/, 'разные люди: $1 / $2'],
];

export function reasonText(text: string, locale: 'ru' | 'en'): string {
  if (locale === 'en') return text;
  for (const [re, ru] of RU) if (re.test(text)) return text.replace(re, ru);
  return text;
}
