import { CrmErrorCode } from '../../crm.error.js';
import type { CrmWrite } from '../../crm.types.js';
import { fixture } from './fixtures.util.js';
import { toAmoPipelines } from './stage.converter.js';
import { toAmoItem, wholeRubles, type WriteContext } from './write.converter.js';

describe('CrmPort writes → amoCRM add/update items', () => {
  const pipeline = toAmoPipelines(fixture('ok', 'pipelines.json')).find((p) => p.isMain)!;
  const companies: WriteContext = {
    fields: { key: 280010, deleted: 280011, inn: 280001, kpp: 280002, ogrn: 280004, fullName: 280003 },
    fieldNames: new Map([[280001, 'ИНН']]),
    pipeline,
  };
  const leads: WriteContext = { fields: { key: 280030, deleted: 280031 }, fieldNames: new Map(), pipeline };
  const contacts: WriteContext = { fields: { key: 280020, deleted: 280021 }, fieldNames: new Map(), pipeline };
  const tax = { kind: 'legal' as const, inn: '5024089920', kpp: '', ogrn: '1075024006144', fullName: 'ООО "ТЕХНО"', name: 'ТЕХНО' };

  it('a new company: name, the 1C key, its tax fields (empty ones left out), phones and e-mails as WORK', () => {
    const w: CrmWrite = {
      op: 'create',
      key: 'ref-1',
      entity: 'companies',
      external: { source: 'sverka-1c', key: 'ref-1' },
      fields: { title: 'ТЕХНО', sourceVersion: 'v1', phones: { add: ['+74951234567'], remove: [] }, emails: { add: [], remove: [] }, taxIds: tax },
    };
    expect(toAmoItem(w, companies)).toEqual({
      item: {
        name: 'ТЕХНО',
        custom_fields_values: [
          { field_id: 280010, values: [{ value: 'sverka-1c:ref-1' }] },
          { field_id: 280001, values: [{ value: '5024089920' }] },
          { field_id: 280004, values: [{ value: '1075024006144' }] },
          { field_id: 280003, values: [{ value: 'ООО "ТЕХНО"' }] },
          { field_code: 'PHONE', values: [{ value: '+74951234567', enum_code: 'WORK' }] },
        ],
      },
      cfNames: ['280010', 'ИНН', '280004', '280003', 'Телефон'],
    });
  });

  it('an update: an emptied tax field is cleared, phones applied to the current list, the flag set or cleared', () => {
    const current = { phones: [{ value: '+79160001122', enum_code: 'MOB' }, { value: '+74951234567', enum_code: 'WORK' }], emails: [], lastName: '', firstName: '', middleName: '', companyId: null, price: null };
    const w: CrmWrite = {
      op: 'update',
      key: 'ref-1',
      entity: 'companies',
      id: '77',
      fields: { taxIds: { ...tax, inn: '', kpp: '501701001' }, phones: { add: ['+74957654321'], remove: ['+74951234567'] }, flagged: false },
    };
    expect(toAmoItem(w, { ...companies, current })!.item).toEqual({
      id: 77,
      custom_fields_values: [
        { field_id: 280001, values: null },
        { field_id: 280002, values: [{ value: '501701001' }] },
        { field_id: 280004, values: [{ value: '1075024006144' }] },
        { field_id: 280003, values: [{ value: 'ООО "ТЕХНО"' }] },
        { field_code: 'PHONE', values: [{ value: '+79160001122', enum_code: 'MOB' }, { value: '+74957654321', enum_code: 'WORK' }] },
        { field_id: 280011, values: null },
      ],
    });
    expect(toAmoItem({ ...w, fields: { flagged: true } }, companies)!.item).toEqual({
      id: 77,
      custom_fields_values: [{ field_id: 280011, values: [{ value: true }] }],
    });
    // Nothing amoCRM keeps (the 1C DataVersion) → no request.
    expect(toAmoItem({ ...w, fields: { sourceVersion: 'v9' } }, companies)).toBeNull();
    // Phones of a record that is gone cannot be changed.
    expect(() => toAmoItem(w, companies)).toThrow(expect.objectContaining({ code: CrmErrorCode.NOT_FOUND }));
  });

  it('contacts: «Фамилия Имя Отчество» as name, built from the current name when a part changes', () => {
    const create: CrmWrite = {
      op: 'create',
      key: 'c-1',
      entity: 'contacts',
      external: { source: 'sverka-1c', key: 'c-1' },
      fields: { lastName: 'Петрова', firstName: 'Анна', middleName: 'Сергеевна', companyId: '5' },
    };
    expect(toAmoItem(create, contacts)!.item).toEqual({
      last_name: 'Петрова',
      first_name: 'Анна',
      name: 'Петрова Анна Сергеевна',
      custom_fields_values: [{ field_id: 280020, values: [{ value: 'sverka-1c:c-1' }] }],
    });
    const current = { phones: [], emails: [], lastName: 'Петрова', firstName: 'Анна', middleName: 'Сергеевна', companyId: '5', price: null };
    const update: CrmWrite = { op: 'update', key: 'c-1', entity: 'contacts', id: '9', fields: { middleName: 'Викторовна', companyId: '6' } };
    expect(toAmoItem(update, { ...contacts, current })!.item).toEqual({ id: 9, name: 'Петрова Анна Викторовна' });
    // Only the company changes: the item is empty (the link is made through the links API).
    expect(toAmoItem({ ...update, fields: { companyId: '6' } }, { ...contacts, current })).toBeNull();
  });

  it('leads: price in whole rubles, the status by the mapping’s key in the pipeline (142/143 with it), the company on create', () => {
    const w: CrmWrite = {
      op: 'create',
      key: 'd-1',
      entity: 'deals',
      external: { source: 'sverka-1c', key: 'd-1' },
      fields: { title: 'Заказ 1', stage: 'Новый заказ', amount: '1234.50', currency: 'RUB', companyId: '77', comments: 'не пишется' },
    };
    expect(toAmoItem(w, leads)!.item).toEqual({
      name: 'Заказ 1',
      price: 1235,
      status_id: 40000001,
      pipeline_id: 7700001,
      _embedded: { companies: [{ id: 77 }] },
      custom_fields_values: [{ field_id: 280030, values: [{ value: 'sverka-1c:d-1' }] }],
    });
    expect(toAmoItem({ op: 'update', key: 'd-1', entity: 'deals', id: '5', fields: { stage: '143' } }, leads)!.item).toEqual({
      id: 5,
      status_id: 143,
      pipeline_id: 7700001,
    });
    expect(() => toAmoItem({ ...w, fields: { ...w.fields, stage: 'Нет такого' } }, leads)).toThrow(
      'amoCRM pipeline «Воронка» has no status «Нет такого» (the mapping\'s deals.statusMap names it)',
    );
    // An amount that rounds to the lead's price is not written again; another one is.
    const lead = { phones: [], emails: [], lastName: '', firstName: '', middleName: '', companyId: '77', price: 1235 };
    expect(toAmoItem({ op: 'update', key: 'd-1', entity: 'deals', id: '5', fields: { amount: '1234.56' } }, { ...leads, current: lead })).toBeNull();
    expect(toAmoItem({ op: 'update', key: 'd-1', entity: 'deals', id: '5', fields: { amount: '1236.00' } }, { ...leads, current: lead })!.item).toEqual({ id: 5, price: 1236 });
    expect([wholeRubles('1234.49'), wholeRubles('1234.50'), wholeRubles('0.00'), wholeRubles('-10.50')]).toEqual([1234, 1235, 0, -11]);
  });
});
