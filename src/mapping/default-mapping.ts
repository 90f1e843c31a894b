import type { Mapping } from './mapping.types.js';

/**
 * The built-in default mapping (service-contract §6, the reference sheets in shared/reference):
 * БП 3.0 for counterparties, contacts and receivables; УТ 11 for customer orders.
 */
export function defaultMapping(originatorId = 'sverka-1c'): Mapping {
  return {
    originatorId,
    deletions: 'flag',
    counterparties: {
      onecSet: 'Catalog_Контрагенты',
      strategy: 'onec_wins',
      presets: { legal: 'Организация', entrepreneur: 'ИП', person: 'Физ. лицо' },
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
        name: { owner: 'onec', transforms: ['trim'] },
        secondName: { owner: 'onec', transforms: ['trim'] },
        companyId: { owner: 'onec' },
        phones: { owner: 'both', strategy: 'onec_wins', transforms: ['phone_e164'] },
        emails: { owner: 'both', strategy: 'onec_wins', transforms: ['email_lower'] },
      },
    },
    deals: {
      onecSet: 'Document_ЗаказКлиента',
      strategy: 'onec_wins',
      categoryId: '0',
      currencyId: 'RUB',
      statusMap: {
        НеСогласован: 'NEW',
        КОбеспечению: 'PREPARATION',
        КВыполнению: 'EXECUTING',
        КОтгрузке: 'FINAL_INVOICE',
        Закрыт: 'WON',
      },
      deletedStage: 'LOSE',
      fields: {
        title: { owner: 'onec' },
        opportunity: { owner: 'onec' },
        currencyId: { owner: 'onec' },
        companyId: { owner: 'onec' },
        stageId: { owner: 'onec' },
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
