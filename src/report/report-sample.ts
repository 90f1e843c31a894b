import type {
  DiscrepancyItem,
  DuplicateCluster,
  ReconciliationRunView,
  RunSummary,
} from '../reconcile/reconcile.types.js';

/**
 * A realistic reconciliation (and its previous run) for report tests and docs/report.png. Every
 * phone and e-mail in here is personal data that must come out masked; the SMTP secret is not here
 * but tests look for it anyway.
 */

export const SAMPLE_RUN_ID = '7d1f0e2a-5b1c-4c1e-9a51-2f3b8d6c9e01';
export const SAMPLE_PREVIOUS_ID = '3a9c2b71-0d4e-4f0a-8c1b-6e5d4c3b2a10';

/** Raw personal data in the sample (none may appear in any rendering). */
export const SAMPLE_RAW_CONTACTS = [
  '+74951234567',
  '+79161112233',
  '+79035556677',
  '8 (812) 333-44-55',
  '+74957654321',
  'ivanov@romashka.ru',
  'sales@romashka.ru',
  'petrova.anna@vektor-m.ru',
  'buh@stroymontazh.ru',
  'info@severtorg.ru',
];

const ref = (n: number) => `a348aa8c-d629-11e5-0a9b-000c295e${(0x30eb + n).toString(16).padStart(4, '0')}`;

/** The sample's portal and 1C publication (links as the ports form them). */
export const SAMPLE_PORTAL = 'https://acme.bitrix24.ru';
const CRM_PATH = { counterparties: 'company', debts: 'company', contacts: 'contact', deals: 'deal' } as const;
const crmUrl = (entity: keyof typeof CRM_PATH, id: string) =>
  `${SAMPLE_PORTAL}/crm/${CRM_PATH[entity]}/details/${id}/`;
const ONEC_OBJECT = {
  counterparties: 'Справочник.Контрагенты',
  debts: 'Справочник.Контрагенты',
  contacts: 'Справочник.КонтактныеЛица',
  deals: 'Документ.ЗаказКлиента',
} as const;
const onecUrl = (entity: keyof typeof ONEC_OBJECT, r: string) => {
  const [p1, p2, p3, p4, p5] = r.split('-');
  return `https://1c.example.ru/bp30/#e1cib/data/${encodeURIComponent(ONEC_OBJECT[entity])}?ref=${p4}${p5}${p3}${p2}${p1}`;
};

/** Links of an item whose records both exist. */
const cards = (entity: keyof typeof CRM_PATH, r: string, id: string) => ({
  crmUrl: crmUrl(entity, id),
  onecUrl: onecUrl(entity, r),
});

let seq = 0;
function item(
  p: Partial<DiscrepancyItem> & Pick<DiscrepancyItem, 'kind' | 'entity' | 'detail'>,
): DiscrepancyItem {
  seq += 1;
  return {
    id: String(seq),
    severity: 'warning',
    onecRef: null,
    crmId: null,
    field: null,
    onecValue: null,
    crmValue: null,
    name: null,
    inn: null,
    crmUrl: null,
    onecUrl: null,
    onecLabel: null,
    crmLabel: null,
    ...p,
  };
}

export function sampleDiscrepancies(): DiscrepancyItem[] {
  seq = 0;
  return [
    item({
      kind: 'field_mismatch',
      entity: 'counterparties',
      severity: 'critical',
      onecRef: ref(1),
      crmId: '2919',
      field: 'inn',
      onecValue: '5024089920',
      crmValue: '5024089921',
      detail: 'Поле «ИНН» различается: в 1С «5024089920», в CRM «5024089921»',
      name: 'ООО «Вектор-М»',
      inn: '5024089920',
      ...cards('counterparties', ref(1), '2919'),
    }),
    item({
      kind: 'field_mismatch',
      entity: 'counterparties',
      onecRef: ref(2),
      crmId: '2920',
      field: 'phones',
      onecValue: '+74951234567, +79161112233',
      crmValue: '+74951234567',
      detail: 'Поле «Телефоны» различается: в 1С «+74951234567, +79161112233», в CRM «+74951234567»',
      name: 'ООО «Ромашка»',
      inn: '7701234567',
      ...cards('counterparties', ref(2), '2920'),
    }),
    item({
      kind: 'field_mismatch',
      entity: 'contacts',
      onecRef: ref(3),
      crmId: '811',
      field: 'emails',
      onecValue: 'petrova.anna@vektor-m.ru',
      crmValue: 'petrova@vektor-m.ru',
      detail: 'Поле «E-mail» различается: в 1С «petrova.anna@vektor-m.ru», в CRM «petrova@vektor-m.ru»',
      name: 'Петрова Анна Викторовна',
      ...cards('contacts', ref(3), '811'),
    }),
    item({
      kind: 'field_mismatch',
      entity: 'counterparties',
      onecRef: ref(4),
      crmId: '2931',
      field: 'title',
      onecValue: 'ООО «Ромашка»',
      crmValue: 'Ромашка ООО',
      detail: 'Поле «Название» различается: в 1С «ООО «Ромашка»», в CRM «Ромашка ООО»',
      name: 'ООО «Ромашка»',
      inn: '7701234567',
      ...cards('counterparties', ref(4), '2931'),
    }),
    item({
      kind: 'field_mismatch',
      entity: 'deals',
      onecRef: ref(5),
      crmId: '15402',
      field: 'amount',
      onecValue: '150000.00',
      crmValue: '145000.00',
      detail: 'Поле «Сумма» различается: в 1С «150000.00», в CRM «145000.00»',
      name: 'Заказ клиента ЦБ-000412 от 21.11.2026',
      ...cards('deals', ref(5), '15402'),
    }),
    item({
      kind: 'missing_in_crm',
      entity: 'counterparties',
      onecRef: ref(6),
      detail: 'Запись 1С не выгружена в CRM: связанной карточки нет',
      name: 'ООО «СтройМонтаж»',
      inn: '7728168971',
      onecUrl: onecUrl('counterparties', ref(6)),
    }),
    item({
      kind: 'missing_in_crm',
      entity: 'contacts',
      onecRef: ref(7),
      detail: 'Запись 1С (тел. 8 (812) 333-44-55) не выгружена в CRM: связанной карточки нет',
      name: 'Соколов Игорь Павлович',
      onecUrl: onecUrl('contacts', ref(7)),
    }),
    item({
      kind: 'orphan_in_crm',
      entity: 'deals',
      crmId: '15388',
      onecRef: ref(8),
      detail: 'Карточка CRM ссылается на запись 1С, помеченную на удаление',
      name: 'Заказ клиента ЦБ-000377 от 02.11.2026',
      ...cards('deals', ref(8), '15388'),
    }),
    item({
      kind: 'status_mismatch',
      entity: 'deals',
      onecRef: ref(9),
      crmId: '15410',
      field: 'stage',
      onecValue: 'FINAL_INVOICE',
      crmValue: 'EXECUTING',
      detail:
        'Статус заказа в 1С «К отгрузке» соответствует стадии «Финальный счёт», а в CRM стадия «В работе»',
      name: 'Заказ клиента ЦБ-000420 от 24.11.2026',
      onecLabel: 'К отгрузке → Финальный счёт',
      crmLabel: 'В работе',
      ...cards('deals', ref(9), '15410'),
    }),
    item({
      kind: 'status_mismatch',
      entity: 'deals',
      onecRef: ref(10),
      crmId: '15411',
      field: 'stage',
      onecValue: 'WON',
      crmValue: 'FINAL_INVOICE',
      detail:
        'Статус заказа в 1С «Закрыт» соответствует стадии «Сделка успешна», а в CRM стадия «Финальный счёт»',
      name: 'Заказ клиента ЦБ-000421 от 24.11.2026',
      onecLabel: 'Закрыт → Сделка успешна',
      crmLabel: 'Финальный счёт',
      ...cards('deals', ref(10), '15411'),
    }),
    item({
      kind: 'debt_mismatch',
      entity: 'debts',
      severity: 'critical',
      onecRef: ref(11),
      crmId: '2940',
      field: 'debt',
      onecValue: '48200.00',
      crmValue: '26200.00',
      detail: 'Долг в 1С 48200.00 ₽, открытые счета в CRM 26200.00 ₽, разница -22000.00 ₽ (допуск 1.00 ₽)',
      name: 'ООО «Лесторг»',
      inn: '7802371046',
      ...cards('debts', ref(11), '2940'),
    }),
    item({
      kind: 'count_mismatch',
      entity: 'counterparties',
      field: 'count',
      onecValue: '1200',
      crmValue: '1195',
      detail: 'Контрагенты: в 1С 1200 действующих, в CRM 1195 с источником 1С, связей 1190',
    }),
    item({
      kind: 'invalid_value',
      entity: 'counterparties',
      severity: 'info',
      onecRef: ref(12),
      field: 'emails',
      onecValue: 'buh@stroymontazh,ru',
      detail: 'Некорректное значение поля «E-mail» в 1С: в домене нет точки и зоны (например, .ru)',
      name: 'ООО «СтройМонтаж»',
      inn: '7728168971',
      onecUrl: onecUrl('counterparties', ref(12)),
    }),
    item({
      kind: 'invalid_value',
      entity: 'counterparties',
      severity: 'info',
      onecRef: ref(13),
      field: 'inn',
      onecValue: '7701234560',
      detail:
        'Некорректное значение поля «ИНН» в 1С: не сходится контрольная цифра — вероятно, опечатка в цифрах',
      name: 'ИП Кузнецов Олег Иванович',
      inn: '7701234560',
      onecUrl: onecUrl('counterparties', ref(13)),
    }),
    item({
      kind: 'sync_failure',
      entity: 'contacts',
      severity: 'critical',
      onecRef: ref(14),
      name: 'Смирнова Ольга Петровна',
      onecUrl: onecUrl('contacts', ref(14)),
      detail:
        'Синхронизация отказалась от записи после всех попыток: CRM отклонила телефон +79035556677 и адрес info@severtorg.ru',
    }),
  ];
}

export function sampleClusters(): DuplicateCluster[] {
  return [
    {
      id: '1',
      scope: 'cross',
      score: 0.93,
      members: [
        {
          system: 'onec',
          id: ref(20),
          name: 'ООО "Ромашка"',
          inn: '7701234567',
          url: onecUrl('counterparties', ref(20)),
        },
        { system: 'crm', id: '2988', name: 'Ромашка ООО', inn: null, url: crmUrl('counterparties', '2988') },
      ],
      reasons: [
        'сходство названий 0.96 после нормализации',
        'общий телефон +74957654321',
        'общий e-mail sales@romashka.ru',
      ],
    },
    {
      id: '2',
      scope: 'crm',
      score: 0.88,
      members: [
        {
          system: 'crm',
          id: '3001',
          name: 'ИП Иванов Сергей Петрович',
          inn: '500100732259',
          url: crmUrl('counterparties', '3001'),
        },
        { system: 'crm', id: '3044', name: 'Иванов С. П.', inn: null, url: crmUrl('counterparties', '3044') },
      ],
      reasons: ['одно и то же ФИО (порядок слов, инициалы)', 'общий e-mail ivanov@romashka.ru'],
    },
    {
      id: '3',
      scope: 'onec',
      score: 0.81,
      members: [
        { system: 'onec', id: ref(21), name: 'АО «Северторг»', inn: '7812014560' },
        { system: 'onec', id: ref(22), name: 'Северторг АО (не использовать)', inn: '7812014560' },
      ],
      reasons: ['один ИНН 7812014560', 'сходство названий 0.84 после нормализации'],
    },
  ];
}

export function sampleSummary(items = sampleDiscrepancies()): RunSummary {
  const discrepancies: RunSummary['discrepancies'] = {};
  for (const d of items) discrepancies[d.kind] = (discrepancies[d.kind] ?? 0) + 1;
  return {
    counts: {
      counterparties: {
        onec: 1200,
        crm: 1236,
        linked: 1190,
        crmWithOrigin: 1195,
        crmExtras: { unowned: 40, otherIntegrations: 5, orphans: 0 },
      },
      contacts: {
        onec: 2314,
        crm: 2313,
        linked: 2313,
        crmExtras: { unowned: 0, otherIntegrations: 0, orphans: 0 },
      },
      deals: {
        onec: 5120,
        crm: 5121,
        linked: 5119,
        crmExtras: { unowned: 0, otherIntegrations: 0, orphans: 1 },
      },
    },
    discrepancies,
    statuses: { onec: { КОтгрузке: 40, Закрыт: 310 }, crm: { FINAL_INVOICE: 39, WON: 309, EXECUTING: 2 } },
    debts: { onecTotal: '1520000.00', crmTotal: '1498000.00', mismatched: 1 },
    duplicates: { onec: 1, crm: 1, cross: 1 },
    sample: { size: 50, mismatched: 0 },
    conflicts: { open: 2, oldestOpenedAt: '2026-11-25T09:14:00.000Z' },
    previousRunId: SAMPLE_PREVIOUS_ID,
  };
}

export function sampleRun(overrides: Partial<ReconciliationRunView> = {}): ReconciliationRunView {
  return {
    id: SAMPLE_RUN_ID,
    status: 'succeeded',
    trigger: 'schedule',
    startedAt: '2026-11-28T03:00:04.000Z',
    finishedAt: '2026-11-28T03:07:41.000Z',
    summary: sampleSummary(),
    ...overrides,
  };
}

/** The previous run: 11 items of which 3 are gone and 0 new; so today 4 items are new. */
export function samplePreviousItems(): DiscrepancyItem[] {
  const now = sampleDiscrepancies();
  // Yesterday had every item of today except four (two fields, one status, the sync failure)...
  const kept = now.filter((_, i) => ![1, 2, 9, 14].includes(i));
  // ...and three that were fixed since.
  seq = 100;
  return [
    ...kept,
    item({ kind: 'missing_in_crm', entity: 'deals', onecRef: ref(30), detail: 'deals: fixed since' }),
    item({ kind: 'missing_in_crm', entity: 'deals', onecRef: ref(31), detail: 'deals: fixed since' }),
    item({
      kind: 'field_mismatch',
      entity: 'contacts',
      onecRef: ref(32),
      crmId: '700',
      field: 'lastName',
      onecValue: 'Смирнов',
      crmValue: 'Смирнова',
      detail: 'fixed since',
    }),
  ];
}

export function samplePreviousRun(): ReconciliationRunView {
  const items = samplePreviousItems();
  return {
    id: SAMPLE_PREVIOUS_ID,
    status: 'succeeded',
    trigger: 'schedule',
    startedAt: '2026-11-27T03:00:03.000Z',
    finishedAt: '2026-11-27T03:07:12.000Z',
    summary: {
      ...sampleSummary(items),
      duplicates: { onec: 1, crm: 2, cross: 1 },
      conflicts: { open: 3, oldestOpenedAt: '2026-11-25T09:14:00.000Z' },
      debts: { onecTotal: '1490000.00', crmTotal: '1478000.00', mismatched: 2 },
      previousRunId: null,
    },
  };
}
