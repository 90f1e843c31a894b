import type {
  DiscrepancyKind,
  DuplicateScope,
  ReconcileEntity,
  RunStatus,
  RunTrigger,
} from '../common/vocabulary.js';
import type { ReportCheck } from './report-thresholds.constants.js';

/** The report's strings in Russian (default) and English. Pure. */
export type ReportLocale = 'ru' | 'en';
export type CheckStatus = 'ok' | 'warning' | 'critical' | 'not_run';

export interface ReportStrings {
  title: string;
  discrepancies(n: number): string;
  newOnes(n: number): string;
  noDiscrepancies: string;
  partialRun: string;
  failedRun: string;
  unfinishedRun: string;
  verdictOk: string;
  duplicatesNote(n: number): string;
  /** Field conflicts waiting for a decision (the manual strategy), with where to decide. */
  conflictsNote(n: number): string;
  verdictIssues(total: number, fresh: number | null): string;
  verdictPartial(skipped: string[]): string;
  verdictFailed: string;
  verdictUnfinished: string;
  run: string;
  trigger: Record<RunTrigger, string>;
  runStatus: Record<RunStatus, string>;
  started: string;
  finished: string;
  checksHeading: string;
  check: string;
  status: string;
  found: string;
  change: string;
  noPrevious: string;
  checks: Record<ReportCheck, string>;
  checkStatus: Record<CheckStatus, string>;
  recordsHeading: string;
  entity: string;
  entities: Record<ReconcileEntity, string>;
  linked: string;
  onec: string;
  crm: string;
  debtsHeading: string;
  debtOnec: string;
  debtCrm: string;
  debtDifference: string;
  debtMismatched: string;
  rub: string;
  topHeading: string;
  kinds: Record<DiscrepancyKind, string>;
  shownOf(shown: number, total: number): string;
  record: string;
  field: string;
  detail: string;
  isNew: string;
  duplicatesHeading: string;
  scopes: Record<DuplicateScope, string>;
  score: string;
  reasons: string;
  linksHeading: string;
  openInApi: string;
  openInGrafana: string;
  attachmentNote: string;
  footer: string;
  skipped: string;
  csvHeader: string[];
  csvFileName(date: string): string;
  yes: string;
  differsInMaskedPart: string;
  /** Display names of the canonical field names (unknown names are shown as they are). */
  fields: Record<string, string>;
}

const ruPlural = new Intl.PluralRules('ru');
const ru3 = (n: number, one: string, few: string, many: string) => {
  const f = ruPlural.select(n);
  return f === 'one' ? one : f === 'few' ? few : many;
};

const ru: ReportStrings = {
  title: 'Сверка 1С ↔ CRM',
  discrepancies: (n) => `${n} ${ru3(n, 'расхождение', 'расхождения', 'расхождений')}`,
  newOnes: (n) => `${n} ${ru3(n, 'новое', 'новых', 'новых')}`,
  noDiscrepancies: 'расхождений нет',
  partialRun: 'выполнена частично',
  failedRun: 'СВЕРКА НЕ ВЫПОЛНЕНА',
  unfinishedRun: 'сверка ещё не закончилась',
  verdictOk: 'Всё сходится: 1С и CRM совпадают по всем проверкам.',
  duplicatesNote: (n) => `Возможных дубликатов: ${n}.`,
  conflictsNote: (n) => `Ждут решения конфликты полей: ${n} (GET /api/v1/conflicts?status=open).`,
  verdictIssues: (t, f) =>
    `Найдено ${t} ${ru3(t, 'расхождение', 'расхождения', 'расхождений')}` +
    (f === null
      ? '.'
      : f === 0
        ? ', новых нет.'
        : `, из них ${f} ${ru3(f, 'новое', 'новых', 'новых')} со времени прошлой сверки.`),
  verdictPartial: (s) =>
    `Сверка выполнена частично: не удалось выполнить ${s.join(', ')}. Цифры ниже неполные.`,
  verdictFailed: 'Сверка не выполнена: результатов нет. Проверьте журнал сервиса и повторите запуск.',
  verdictUnfinished: 'Сверка ещё идёт: результаты появятся, когда она закончится.',
  run: 'Запуск',
  trigger: { schedule: 'по расписанию', api: 'через API', cli: 'из командной строки' },
  runStatus: {
    queued: 'в очереди',
    running: 'выполняется',
    succeeded: 'успешно',
    partial: 'частично',
    failed: 'ошибка',
  },
  started: 'Начало',
  finished: 'Окончание',
  checksHeading: 'Итоги по проверкам',
  check: 'Проверка',
  status: 'Статус',
  found: 'Найдено',
  change: 'Изм.',
  noPrevious: 'нет прошлой сверки',
  checks: {
    counts: 'Количество записей и связи',
    statuses: 'Статусы сделок',
    debts: 'Долги',
    fields: 'Поля',
    duplicates: 'Дубликаты',
    validation: 'Проверка данных 1С',
    sync_failures: 'Ошибки синхронизации',
    conflicts: 'Конфликты полей (ждут решения)',
  },
  checkStatus: { ok: 'норма', warning: 'внимание', critical: 'критично', not_run: 'не выполнена' },
  recordsHeading: 'Записи',
  entity: 'Объект',
  entities: {
    counterparties: 'Контрагенты',
    contacts: 'Контактные лица',
    deals: 'Заказы / сделки',
    debts: 'Долги',
  },
  linked: 'Связано',
  onec: '1С',
  crm: 'CRM',
  debtsHeading: 'Открытая задолженность',
  debtOnec: 'Долг по 1С (62.01, 62.02)',
  debtCrm: 'Открытые счета в CRM',
  debtDifference: 'Разница',
  debtMismatched: 'Контрагентов с расхождением',
  rub: '₽',
  topHeading: 'Главные расхождения',
  kinds: {
    missing_in_crm: 'Нет в CRM',
    orphan_in_crm: 'Лишние в CRM',
    field_mismatch: 'Различаются поля',
    status_mismatch: 'Не та стадия сделки',
    debt_mismatch: 'Не сходится долг',
    count_mismatch: 'Не сходится количество',
    invalid_value: 'Некорректные данные в 1С',
    sync_failure: 'Синхронизация не удалась',
  },
  shownOf: (s, t) => (s === t ? `${t}` : `${s} из ${t}`),
  record: 'Запись',
  field: 'Поле',
  detail: 'Описание',
  isNew: 'Новое',
  duplicatesHeading: 'Возможные дубликаты',
  scopes: { onec: 'внутри 1С', crm: 'внутри CRM', cross: 'CRM ↔ 1С' },
  score: 'сходство',
  reasons: 'Почему',
  linksHeading: 'Подробнее',
  openInApi: 'Запуск в API',
  openInGrafana: 'Панель в Grafana',
  attachmentNote: 'Полный список расхождений — во вложении (CSV, открывается в Excel).',
  footer: 'Письмо отправлено Sverka автоматически. Телефоны и адреса почты скрыты.',
  skipped: 'Не выполнено',
  csvHeader: [
    'Тип',
    'Объект',
    'Важность',
    'Ссылка 1С',
    'ID в CRM',
    'Поле',
    'Значение в 1С',
    'Значение в CRM',
    'Описание',
    'Новое',
  ],
  csvFileName: (d) => `sverka-rashozhdeniya-${d}.csv`,
  yes: 'да',
  differsInMaskedPart: 'различаются в скрытой части',
  fields: {
    title: 'Название',
    fullName: 'Полное наименование',
    inn: 'ИНН',
    kpp: 'КПП',
    ogrn: 'ОГРН',
    phones: 'Телефоны',
    emails: 'E-mail',
    lastName: 'Фамилия',
    name: 'Имя',
    secondName: 'Отчество',
    companyId: 'Компания',
    opportunity: 'Сумма',
    currencyId: 'Валюта',
    stageId: 'Стадия',
    debt: 'Долг',
  },
};

const en: ReportStrings = {
  title: 'Reconciliation 1C ↔ CRM',
  discrepancies: (n) => `${n} ${n === 1 ? 'discrepancy' : 'discrepancies'}`,
  newOnes: (n) => `${n} new`,
  noDiscrepancies: 'no discrepancies',
  partialRun: 'PARTIAL run',
  failedRun: 'RUN FAILED',
  unfinishedRun: 'run not finished yet',
  verdictOk: 'All clear: 1C and the CRM agree on every check.',
  duplicatesNote: (n) => `Possible duplicates: ${n}.`,
  conflictsNote: (n) => `Field conflicts waiting for a decision: ${n} (GET /api/v1/conflicts?status=open).`,
  verdictIssues: (t, f) =>
    `Found ${t} ${t === 1 ? 'discrepancy' : 'discrepancies'}` +
    (f === null ? '.' : f === 0 ? ', none new.' : `, ${f} of them new since the previous run.`),
  verdictPartial: (s) =>
    `The run was partial: could not run ${s.join(', ')}. The figures below are incomplete.`,
  verdictFailed: 'The reconciliation failed: there are no results. Check the service log and run it again.',
  verdictUnfinished: 'The reconciliation is still running: results appear when it finishes.',
  run: 'Run',
  trigger: { schedule: 'scheduled', api: 'via API', cli: 'from the command line' },
  runStatus: {
    queued: 'queued',
    running: 'running',
    succeeded: 'succeeded',
    partial: 'partial',
    failed: 'failed',
  },
  started: 'Started',
  finished: 'Finished',
  checksHeading: 'Checks',
  check: 'Check',
  status: 'Status',
  found: 'Found',
  change: 'Change',
  noPrevious: 'no previous run',
  checks: {
    counts: 'Record counts and links',
    statuses: 'Deal stages',
    debts: 'Debts',
    fields: 'Fields',
    duplicates: 'Duplicates',
    validation: '1C data validation',
    sync_failures: 'Sync failures',
    conflicts: 'Field conflicts awaiting a decision',
  },
  checkStatus: { ok: 'ok', warning: 'warning', critical: 'critical', not_run: 'not run' },
  recordsHeading: 'Records',
  entity: 'Entity',
  entities: {
    counterparties: 'Counterparties',
    contacts: 'Contacts',
    deals: 'Orders / deals',
    debts: 'Debts',
  },
  linked: 'Linked',
  onec: '1C',
  crm: 'CRM',
  debtsHeading: 'Open debt',
  debtOnec: '1C receivables (62.01, 62.02)',
  debtCrm: 'CRM open invoices',
  debtDifference: 'Difference',
  debtMismatched: 'Counterparties that differ',
  rub: 'RUB',
  topHeading: 'Top discrepancies',
  kinds: {
    missing_in_crm: 'Missing in the CRM',
    orphan_in_crm: 'Orphans in the CRM',
    field_mismatch: 'Fields differ',
    status_mismatch: 'Wrong deal stage',
    debt_mismatch: 'Debt differs',
    count_mismatch: 'Counts differ',
    invalid_value: 'Invalid 1C data',
    sync_failure: 'Sync failed',
  },
  shownOf: (s, t) => (s === t ? `${t}` : `${s} of ${t}`),
  record: 'Record',
  field: 'Field',
  detail: 'Detail',
  isNew: 'New',
  duplicatesHeading: 'Possible duplicates',
  scopes: { onec: 'within 1C', crm: 'within the CRM', cross: 'CRM ↔ 1C' },
  score: 'score',
  reasons: 'Why',
  linksHeading: 'More',
  openInApi: 'The run in the API',
  openInGrafana: 'Grafana dashboard',
  attachmentNote: 'The full list of discrepancies is attached (CSV, opens in Excel).',
  footer: 'Sent automatically by Sverka. Phones and e-mail addresses are masked.',
  skipped: 'Not run',
  csvHeader: [
    'Kind',
    'Entity',
    'Severity',
    '1C ref',
    'CRM id',
    'Field',
    '1C value',
    'CRM value',
    'Detail',
    'New',
  ],
  csvFileName: (d) => `sverka-discrepancies-${d}.csv`,
  yes: 'yes',
  differsInMaskedPart: 'differ in the masked part',
  fields: {
    title: 'Title',
    fullName: 'Full name',
    inn: 'INN',
    kpp: 'KPP',
    ogrn: 'OGRN',
    phones: 'Phones',
    emails: 'E-mails',
    lastName: 'Last name',
    name: 'First name',
    secondName: 'Middle name',
    companyId: 'Company',
    opportunity: 'Amount',
    currencyId: 'Currency',
    stageId: 'Stage',
    debt: 'Debt',
  },
};

export function reportStrings(locale: ReportLocale): ReportStrings {
  return locale === 'en' ? en : ru;
}
