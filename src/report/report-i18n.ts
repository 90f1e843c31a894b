import type {
  DiscrepancyKind,
  DuplicateScope,
  ReconcileEntity,
  RunStatus,
  RunTrigger,
  Severity,
} from '../common/vocabulary.js';
import type { ReportCheck } from './report-thresholds.constants.js';

/**
 * The report's strings in Russian (default) and English. Pure. Everything a reader sees comes from
 * here (or from the items' own texts, written in REPORT_LOCALE): kinds, entities, severities, fields
 * and stages are never shown as codes.
 */
export type ReportLocale = 'ru' | 'en';
export type CheckStatus = 'ok' | 'warning' | 'critical' | 'not_run';

/** What the CRM holds beyond the linked records (see EntityCounts.crmExtras). */
export interface ExtrasParts {
  extra: number;
  unowned: number;
  otherIntegrations: number;
  orphans: number;
  rest: number;
}

export interface ReportStrings {
  title: string;
  discrepancies(n: number): string;
  newOnes(n: number): string;
  noDiscrepancies: string;
  partialRun: string;
  failedRun: string;
  unfinishedRun: string;
  verdictOk: string;
  /** Duplicates are counted apart from the discrepancies: said once, with their number. */
  duplicatesAside(n: number): string;
  /** Field conflicts waiting for a decision (the manual strategy), with where to decide. */
  conflictsNote(n: number): string;
  /** Conflict to-dos in the CRM past their deadline, and who is late (people with their counts). */
  matchesNote(n: number): string;
  overdueTodosNote(
    n: number,
    late: { name: string | null; id: string | null; count: number }[],
    more: number,
  ): string;
  verdictIssues(total: number, fresh: number | null): string;
  verdictPartial(skipped: string[]): string;
  verdictFailed: string;
  verdictUnfinished: string;
  run: string;
  trigger: Record<RunTrigger, string>;
  /** How the run went, said apart from what it found. */
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
  totalRow: string;
  notInTotal: string;
  recordsHeading: string;
  entity: string;
  entities: Record<ReconcileEntity, string>;
  linked: string;
  onec: string;
  crm: string;
  /** The CRM's records beyond the linked ones, part by part. */
  crmExtras(entity: ReconcileEntity, p: ExtrasParts): string;
  /** Live 1C records with no CRM card. */
  onecMissing(entity: ReconcileEntity, n: number): string;
  debtsHeading: string;
  debtOnec: string;
  debtCrm: string;
  debtDifference: string;
  debtMismatched: string;
  rub: string;
  topHeading: string;
  kinds: Record<DiscrepancyKind, string>;
  severities: Record<Severity, string>;
  shownOf(shown: number, total: number): string;
  record: string;
  field: string;
  detail: string;
  /** Column heads of invalid values: the 1C value and what is wrong with it. */
  onecValueHead: string;
  whatsWrong: string;
  isNew: string;
  inn: string;
  crmCard: string;
  onecCard: string;
  nextStepLabel: string;
  /** One sentence per section: who fixes it, where. */
  nextSteps: Record<DiscrepancyKind | 'duplicates', string>;
  openList: string;
  duplicatesHeading: string;
  scopes: Record<DuplicateScope, string>;
  score: string;
  reasons: string;
  linksHeading: string;
  openInApi: string;
  openReport: string;
  openInGrafana: string;
  attachmentNote: string;
  footer: string;
  skipped: string;
  csvHeader: string[];
  csvFileName(date: string): string;
  yes: string;
  differsInMaskedPart: string;
}

const ruPlural = new Intl.PluralRules('ru');
const ru3 = (n: number, one: string, few: string, many: string) => {
  const f = ruPlural.select(n);
  return f === 'one' ? one : f === 'few' ? few : many;
};
const enN = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "a, b и c" / "a, b and c". */
function list(parts: string[], and: string): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} ${and} ${parts.at(-1)}`;
}

const RU_CARDS: Record<ReconcileEntity, [string, string, string]> = {
  counterparties: ['компания', 'компании', 'компаний'],
  contacts: ['контакт', 'контакта', 'контактов'],
  deals: ['сделка', 'сделки', 'сделок'],
  debts: ['компания', 'компании', 'компаний'],
};
const EN_CARDS: Record<ReconcileEntity, [string, string]> = {
  counterparties: ['company', 'companies'],
  contacts: ['contact', 'contacts'],
  deals: ['deal', 'deals'],
  debts: ['company', 'companies'],
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
  duplicatesAside: (n) =>
    `Отдельно от расхождений: ${n} ${ru3(n, 'группа', 'группы', 'групп')} возможных дубликатов.`,
  conflictsNote: (n) => `Ждут решения конфликты полей: ${n} (GET /api/v1/conflicts?status=open).`,
  matchesNote: (n) =>
    `Ждут решения о сопоставлении: ${n} ${ru3(n, 'запись', 'записи', 'записей')} 1С — в CRM несколько похожих карточек, ` +
    `запись не выгружается, пока оператор не выберет карточку или не велит создать новую (GET /api/v1/matches?status=open).`,
  overdueTodosNote: (n, late, more) =>
    `Просрочены задачи менеджерам по конфликтам: ${n} — ` +
    late
      .map(
        (p) =>
          `${p.name || (p.id ? `пользователь CRM ${p.id}` : 'пользователь CRM по умолчанию')} (${p.count})`,
      )
      .join(', ') +
    (more > 0 ? ` и ещё ${more}` : '') +
    '.',
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
  trigger: {
    schedule: 'по расписанию',
    api: 'через API',
    cli: 'из командной строки',
    feed: 'по изменениям из 1С',
  },
  runStatus: {
    queued: 'в очереди',
    running: 'выполняется',
    succeeded: 'сверка выполнена полностью',
    partial: 'сверка выполнена частично',
    failed: 'сверка не выполнена',
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
    duplicates: 'Возможные дубликаты (группы)',
    validation: 'Проверка данных 1С',
    sync_failures: 'Ошибки синхронизации',
    conflicts: 'Конфликты полей (ждут решения)',
  },
  checkStatus: { ok: 'норма', warning: 'внимание', critical: 'критично', not_run: 'не выполнена' },
  totalRow: 'Всего расхождений',
  notInTotal: 'Не входят в число расхождений',
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
  crmExtras: (e, p) => {
    const [one, few, many] = RU_CARDS[e];
    const parts = [
      p.unowned ? `${p.unowned} заведены вручную (без источника)` : '',
      p.otherIntegrations ? `${p.otherIntegrations} — другими интеграциями` : '',
      p.orphans
        ? `${p.orphans} — их записи в 1С удалены или помечены на удаление (раздел «Лишние в CRM»)`
        : '',
      p.rest
        ? `${p.rest} — карточки Sverka вне проверки (заказ помечен на удаление, вторая карточка той же записи)`
        : '',
    ].filter(Boolean);
    return `В CRM на ${p.extra} ${ru3(p.extra, one, few, many)} больше, чем связано с 1С: ${list(parts, 'и')}.`;
  },
  onecMissing: (e, n) =>
    `В 1С ${n} ${ru3(n, 'запись', 'записи', 'записей')} без карточки в CRM — раздел «Нет в CRM».`,
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
  severities: { critical: 'критично', warning: 'внимание', info: 'к сведению' },
  shownOf: (s, t) => (s === t ? `${t}` : `${s} из ${t}`),
  record: 'Запись',
  field: 'Поле',
  detail: 'Описание',
  onecValueHead: 'Значение в 1С',
  whatsWrong: 'Что не так',
  isNew: 'Новое',
  inn: 'ИНН',
  crmCard: 'карточка в CRM',
  onecCard: 'в 1С',
  nextStepLabel: 'Что делать',
  nextSteps: {
    missing_in_crm:
      'Следующая синхронизация создаст эти карточки в CRM сама; если запись останется в списке и завтра, администратор Sverka смотрит ошибки синхронизации (GET /api/v1/sync/status).',
    orphan_in_crm:
      'Менеджер — ответственный за карточку — решает в CRM, что с ней делать: закрыть сделки, передать другому или удалить вручную (Sverka сама ничего не удаляет).',
    field_mismatch:
      'Эти поля ведёт 1С: если ошибка в 1С, её исправляет тот, кто ведёт 1С, — синхронизация перенесёт значение в CRM; ИНН, КПП и ОГРН администратор Sverka проверяет сегодня же.',
    status_mismatch:
      'Стадию сделки задаёт статус заказа в 1С: синхронизация вернёт стадию сама, а если права стадия в CRM — менеджер просит изменить статус заказа в 1С.',
    debt_mismatch:
      'Менеджер клиента с бухгалтерией сверяют открытые счета в CRM с оплатами в 1С (счета 62.01, 62.02) и закрывают или исправляют счета в CRM.',
    count_mismatch:
      'Это итог разделов «Нет в CRM» и «Лишние в CRM»: когда они разобраны, количество сходится; иначе — к администратору Sverka.',
    invalid_value:
      'Исправляет тот, кто ведёт 1С, — в карточке контрагента или контактного лица (ссылка «в 1С» в строке); синхронизация перенесёт исправление в CRM.',
    sync_failure:
      'Администратор Sverka устраняет причину из описания и запускает синхронизацию заново (POST /api/v1/sync/runs).',
    duplicates:
      'Дубли внутри 1С объединяет бухгалтерия в 1С; дубли в CRM и между CRM и 1С — менеджеры в CRM, оставляя карточку, созданную Sverka.',
  },
  openList: 'весь список в API',
  duplicatesHeading: 'Возможные дубликаты',
  scopes: { onec: 'внутри 1С', crm: 'внутри CRM', cross: 'CRM ↔ 1С' },
  score: 'сходство',
  reasons: 'Почему',
  linksHeading: 'Подробнее',
  openInApi: 'Запуск в API',
  openReport: 'Отчёт в API (HTML, CSV)',
  openInGrafana: 'Панель в Grafana',
  attachmentNote: 'Полный список расхождений — во вложении (CSV, открывается в Excel).',
  footer:
    'Письмо отправлено Sverka автоматически. Телефоны и адреса почты частично скрыты; ИНН, КПП и ОГРН показаны полностью.',
  skipped: 'Не выполнено',
  csvHeader: [
    'Тип',
    'Объект',
    'Важность',
    'Название',
    'ИНН',
    'Поле',
    'Значение в 1С',
    'Значение в CRM',
    'Описание',
    'Новое',
    'Карточка в CRM',
    'Ссылка в 1С',
    'Ссылка 1С (GUID)',
    'ID в CRM',
  ],
  csvFileName: (d) => `sverka-rashozhdeniya-${d}.csv`,
  yes: 'да',
  differsInMaskedPart: 'различаются в скрытой части',
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
  duplicatesAside: (n) =>
    `Apart from the discrepancies: ${enN(n, 'group', 'groups')} of possible duplicates.`,
  conflictsNote: (n) => `Field conflicts waiting for a decision: ${n} (GET /api/v1/conflicts?status=open).`,
  matchesNote: (n) =>
    `Waiting for a matching decision: ${n} 1C ${n === 1 ? 'record' : 'records'} with several look-alike CRM cards — ` +
    `not synced until an operator picks a card or asks for a new one (GET /api/v1/matches?status=open).`,
  overdueTodosNote: (n, late, more) =>
    `Conflict to-dos past their deadline: ${n} — ` +
    late
      .map((p) => `${p.name || (p.id ? `CRM user ${p.id}` : "the CRM's default user")} (${p.count})`)
      .join(', ') +
    (more > 0 ? ` and ${more} more` : '') +
    '.',
  verdictIssues: (t, f) =>
    `Found ${t} ${t === 1 ? 'discrepancy' : 'discrepancies'}` +
    (f === null ? '.' : f === 0 ? ', none new.' : `, ${f} of them new since the previous run.`),
  verdictPartial: (s) =>
    `The run was partial: could not run ${s.join(', ')}. The figures below are incomplete.`,
  verdictFailed: 'The reconciliation failed: there are no results. Check the service log and run it again.',
  verdictUnfinished: 'The reconciliation is still running: results appear when it finishes.',
  run: 'Run',
  trigger: {
    schedule: 'scheduled',
    api: 'via API',
    cli: 'from the command line',
    feed: 'by the 1C change feed',
  },
  runStatus: {
    queued: 'queued',
    running: 'running',
    succeeded: 'run completed',
    partial: 'run partly completed',
    failed: 'run failed',
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
    duplicates: 'Possible duplicates (groups)',
    validation: '1C data validation',
    sync_failures: 'Sync failures',
    conflicts: 'Field conflicts awaiting a decision',
  },
  checkStatus: { ok: 'ok', warning: 'warning', critical: 'critical', not_run: 'not run' },
  totalRow: 'Total discrepancies',
  notInTotal: 'Not counted as discrepancies',
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
  crmExtras: (e, p) => {
    const [one, many] = EN_CARDS[e];
    const parts = [
      p.unowned ? `${p.unowned} created by people (no origin)` : '',
      p.otherIntegrations ? `${p.otherIntegrations} by other integrations` : '',
      p.orphans ? `${p.orphans} whose 1C records are gone or marked for deletion ("Orphans in the CRM")` : '',
      p.rest
        ? `${p.rest} of Sverka's outside the check (order marked for deletion, a second card of a record)`
        : '',
    ].filter(Boolean);
    return `The CRM has ${enN(p.extra, one, many)} more than are linked to 1C: ${list(parts, 'and')}.`;
  },
  onecMissing: (e, n) => `1C has ${enN(n, 'record', 'records')} with no CRM card: see "Missing in the CRM".`,
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
  severities: { critical: 'critical', warning: 'warning', info: 'info' },
  shownOf: (s, t) => (s === t ? `${t}` : `${s} of ${t}`),
  record: 'Record',
  field: 'Field',
  detail: 'Detail',
  onecValueHead: '1C value',
  whatsWrong: "What's wrong",
  isNew: 'New',
  inn: 'INN',
  crmCard: 'CRM card',
  onecCard: 'in 1C',
  nextStepLabel: 'What to do',
  nextSteps: {
    missing_in_crm:
      'The next sync creates these cards in the CRM by itself; if a record is still listed tomorrow, the Sverka administrator checks the sync errors (GET /api/v1/sync/status).',
    orphan_in_crm:
      "The card's responsible manager decides in the CRM what to do with it: close its deals, hand it over or delete it by hand (Sverka never deletes).",
    field_mismatch:
      'These fields are kept in 1C: a mistake in 1C is fixed by whoever keeps 1C and sync carries the value to the CRM; the Sverka administrator checks INN, KPP and OGRN today.',
    status_mismatch:
      "A deal's stage follows its 1C order status: sync puts the stage back, and if the CRM stage is right, the manager asks for the order status to be changed in 1C.",
    debt_mismatch:
      "The client's manager and accounting compare the open CRM invoices with the payments in 1C (accounts 62.01, 62.02) and close or correct the invoices in the CRM.",
    count_mismatch:
      'This sums up "Missing in the CRM" and "Orphans in the CRM": once they are dealt with, the counts agree; otherwise ask the Sverka administrator.',
    invalid_value:
      'Whoever keeps 1C fixes the value on the counterparty or contact person (the "in 1C" link of the row); sync carries the fix to the CRM.',
    sync_failure:
      'The Sverka administrator removes the cause given in the detail and runs the sync again (POST /api/v1/sync/runs).',
    duplicates:
      "Duplicates within 1C are merged by accounting in 1C; those in the CRM and between the CRM and 1C by managers in the CRM, keeping Sverka's card.",
  },
  openList: 'the whole list in the API',
  duplicatesHeading: 'Possible duplicates',
  scopes: { onec: 'within 1C', crm: 'within the CRM', cross: 'CRM ↔ 1C' },
  score: 'score',
  reasons: 'Why',
  linksHeading: 'More',
  openInApi: 'The run in the API',
  openReport: 'The report in the API (HTML, CSV)',
  openInGrafana: 'Grafana dashboard',
  attachmentNote: 'The full list of discrepancies is attached (CSV, opens in Excel).',
  footer:
    'Sent automatically by Sverka. Phones and e-mail addresses are partly masked; INN, KPP and OGRN are shown in full.',
  skipped: 'Not run',
  csvHeader: [
    'Kind',
    'Entity',
    'Severity',
    'Name',
    'INN',
    'Field',
    '1C value',
    'CRM value',
    'Detail',
    'New',
    'CRM card',
    '1C link',
    '1C ref (GUID)',
    'CRM id',
  ],
  csvFileName: (d) => `sverka-discrepancies-${d}.csv`,
  yes: 'yes',
  differsInMaskedPart: 'differ in the masked part',
};

export function reportStrings(locale: ReportLocale): ReportStrings {
  return locale === 'en' ? en : ru;
}
