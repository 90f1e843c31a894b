import { generateDataset } from '../dataset/generate-dataset.js';
import { AmoCrmState } from './amocrm-state.js';
import { amoSeedFromDataset, companyFromBitrix24 } from './amocrm-seed.converter.js';

describe('the data set as an amoCRM account', () => {
  it('keeps ids and names, puts INN/KPP/full name in text fields and phones/e-mails in PHONE/EMAIL', () => {
    const ds = generateDataset({ seed: 3, counterparties: 400 });
    const state = new AmoCrmState(amoSeedFromDataset(ds.crm));
    expect(state.count('companies')).toBe(ds.crm.companies.length);
    for (const c of ds.crm.companies) {
      const got = state.get('companies', c.id)!;
      expect(got.name).toBe(c.title);
      const rq = ds.crm.requisites.find((r) => r.ENTITY_ID === String(c.id));
      expect(state.valueOf('companies', c.id, 'ИНН')).toBe(rq?.RQ_INN || undefined);
      expect(state.valueOf('companies', c.id, 'КПП')).toBe(rq?.RQ_KPP || undefined);
      expect(state.valueOf('companies', c.id, 'Полное наименование')).toBe(
        rq?.RQ_COMPANY_FULL_NAME || undefined,
      );
      const phones = c.fm.filter((f) => f.typeId === 'PHONE').map((f) => f.value);
      expect(state.valueOf('companies', c.id, 'PHONE')).toBe(phones[0]);
      expect(got.created_at).toBe(Math.floor(Date.parse(c.createdTime) / 1000));
    }
  });

  it('maps Bitrix24 value types to amoCRM enum codes and assignedById to a user', () => {
    const item = companyFromBitrix24(
      {
        title: 'ООО Ромашка',
        createdTime: '2026-09-02T11:00:00+03:00',
        updatedTime: '2026-09-02T11:00:00+03:00',
        createdBy: 3,
        updatedBy: 3,
        assignedById: 2,
        opened: 'Y',
        companyTypeId: 'CUSTOMER',
        originatorId: null,
        originId: null,
        originVersion: null,
        contactIds: [],
        comments: '',
        hasPhone: 'Y',
        hasEmail: 'Y',
        fm: [
          { id: 1, typeId: 'PHONE', valueType: 'MOBILE', value: '+79160001122' },
          { id: 2, typeId: 'PHONE', valueType: 'PAGER', value: '+74950000000' },
          { id: 3, typeId: 'EMAIL', valueType: 'HOME', value: 'a@b.ru' },
        ],
      },
      { RQ_INN: '7701234567', RQ_KPP: '', RQ_COMPANY_FULL_NAME: '' },
    );
    expect(item).toEqual({
      name: 'ООО Ромашка',
      responsible_user_id: 504142,
      created_by: 504143,
      updated_by: 504143,
      created_at: 1788336000,
      updated_at: 1788336000,
      custom_fields_values: [
        {
          field_code: 'PHONE',
          values: [
            { value: '+79160001122', enum_code: 'MOB' },
            { value: '+74950000000', enum_code: 'OTHER' },
          ],
        },
        { field_code: 'EMAIL', values: [{ value: 'a@b.ru', enum_code: 'PRIV' }] },
        { field_id: 280001, values: [{ value: '7701234567' }] },
      ],
    });
  });
});
