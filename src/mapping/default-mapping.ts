import type { CrmMappingDefaults, Mapping } from './mapping.types.js';

/**
 * The built-in default mapping (docs/mapping.md): БП 3.0 for counterparties, contacts and receivables;
 * УТ 11 for customer orders. The deal stages come from the CRM adapter in use (its defaults file).
 */
export function defaultMapping(source: string, crm: CrmMappingDefaults): Mapping {
  return {
    source,
    deletions: 'flag',
    conflicts: { todo: true, todoDeadlineHours: 48 },
    matching: { counterparties: 'inn_kpp', contacts: 'name_email_phone', onAmbiguous: 'hold' },
    scope: {},
    crm: {},
    counterparties: {
      onecSet: 'Catalog_Контрагенты',
      strategy: 'onec_wins',
      fields: {
        title: { owner: 'onec', transforms: ['trim'] },
        fullName: { owner: 'onec', transforms: ['trim'] },
        inn: { owner: 'onec', transforms: ['trim'], pushInvalid: true },
        kpp: { owner: 'onec', transforms: ['trim'], pushInvalid: true },
        ogrn: { owner: 'onec', transforms: ['trim'], pushInvalid: true },
        phones: { owner: 'onec', transforms: ['phone_e164'] },
        emails: { owner: 'onec', transforms: ['email_lower'] },
      },
    },
    contacts: {
      onecSet: 'Catalog_КонтактныеЛица',
      strategy: 'onec_wins',
      fields: {
        lastName: { owner: 'onec', transforms: ['trim'] },
        firstName: { owner: 'onec', transforms: ['trim'] },
        middleName: { owner: 'onec', transforms: ['trim'] },
        companyId: { owner: 'onec' },
        phones: { owner: 'both', strategy: 'onec_wins', transforms: ['phone_e164'] },
        emails: { owner: 'both', strategy: 'onec_wins', transforms: ['email_lower'] },
      },
    },
    deals: {
      onecSet: 'Document_ЗаказКлиента',
      strategy: 'onec_wins',
      currency: 'RUB',
      statusMap: { ...crm.statusMap },
      deletedStage: crm.deletedStage,
      fields: {
        title: { owner: 'onec' },
        amount: { owner: 'onec' },
        currency: { owner: 'onec' },
        companyId: { owner: 'onec' },
        stage: { owner: 'onec' },
        comments: { owner: 'crm' },
      },
    },
    debts: {
      register: 'AccountingRegister_Хозрасчетный',
      chartOfAccounts: 'ChartOfAccounts_Хозрасчетный',
      accounts: ['62.01', '62.02'],
      tolerance: '1.00',
    },
  };
}
