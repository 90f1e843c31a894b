import { renameOldKeys } from './mapping-renames.js';

describe('renameOldKeys', () => {
  it('moves 0.1 keys to their new paths and warns once per key', () => {
    const { value, warnings } = renameOldKeys({
      originatorId: 'base-1',
      deletionMarker: { field: 'ufCrmX', value: 'Удалён' },
      deals: { categoryId: '3', currencyId: 'USD', fields: { opportunity: { owner: 'crm' }, title: { owner: 'onec' } } },
      contacts: { fields: { name: { owner: 'both' } } },
    });
    expect(value).toEqual({
      source: 'base-1',
      bitrix24: { deletionMarker: { field: 'ufCrmX', value: 'Удалён' }, dealCategoryId: '3' },
      deals: { currency: 'USD', fields: { amount: { owner: 'crm' }, title: { owner: 'onec' } } },
      contacts: { fields: { firstName: { owner: 'both' } } },
    });
    expect(warnings).toEqual([
      '"originatorId" is now "source" (the old name still works; rename it when convenient)',
      '"deletionMarker" is now "bitrix24.deletionMarker" (the old name still works; rename it when convenient)',
      '"deals.categoryId" is now "bitrix24.dealCategoryId" (the old name still works; rename it when convenient)',
      '"deals.currencyId" is now "deals.currency" (the old name still works; rename it when convenient)',
      '"contacts.fields.name" is now "contacts.fields.firstName" (the old name still works; rename it when convenient)',
      '"deals.fields.opportunity" is now "deals.fields.amount" (the old name still works; rename it when convenient)',
    ]);
  });

  it('a new key given too wins over the old one; files without old keys pass unchanged', () => {
    expect(renameOldKeys({ source: 'new', originatorId: 'old' }).value).toEqual({ source: 'new' });
    const clean = { source: 'x', deals: { currency: 'RUB' } };
    expect(renameOldKeys(clean)).toEqual({ value: clean, warnings: [] });
  });
});
