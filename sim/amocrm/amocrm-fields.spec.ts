import { fieldValuesOut, predefinedFields, readFieldWrites, type AmoField } from './amocrm-fields.js';

describe('custom field values of the fake amoCRM account', () => {
  let next = 100;
  const fields: AmoField[] = [
    ...predefinedFields(() => next++).filter((f) => f.entity_type === 'companies'),
    {
      id: 900,
      name: 'ИНН',
      code: null,
      type: 'text',
      entity_type: 'companies',
      sort: 600,
      is_predefined: false,
      is_deletable: true,
      is_api_only: false,
      enums: null,
    },
  ];
  const phone = fields.find((f) => f.code === 'PHONE')!;

  it('reads writes by field_id or field_code; no enum means the first (WORK); values: null clears', () => {
    const { set, errors } = readFieldWrites(
      [
        {
          field_code: 'PHONE',
          values: [{ value: '+74951234567' }, { value: 79160001122, enum_code: 'MOB' }],
        },
        { field_id: 900, values: [{ value: 7701234567 }] },
        { field_code: 'EMAIL', values: null },
      ],
      fields,
    );
    expect(errors).toEqual([]);
    const mob = phone.enums!.find((e) => e.value === 'MOB')!;
    expect([...set.entries()]).toEqual([
      [
        phone.id,
        [
          { value: '+74951234567', enum_id: phone.enums![0].id, enum_code: 'WORK' },
          { value: '79160001122', enum_id: mob.id, enum_code: 'MOB' },
        ],
      ],
      [900, [{ value: '7701234567' }]],
      [fields.find((f) => f.code === 'EMAIL')!.id, null],
    ]);
  });

  it('reports each bad value at the path amoCRM uses', () => {
    const { errors } = readFieldWrites(
      [
        { field_id: 1, values: [{ value: 'x' }] },
        { field_code: 'NOPE', values: [] },
        { field_code: 'PHONE', values: [{ value: '1', enum_code: 'CELL' }, { value: {} }] },
        { field_id: 900, values: 'x' },
      ],
      fields,
    );
    expect(errors.map((e) => `${e.code} ${e.path}`)).toEqual([
      'NotSupportedChoice custom_fields_values.0.field_id',
      'NotSupportedChoice custom_fields_values.1.field_code',
      'NotSupportedChoice custom_fields_values.2.values.0.enum_code',
      'InvalidType custom_fields_values.2.values.1.value',
      'InvalidType custom_fields_values.3.values',
    ]);
  });

  it('reads back with names, codes, types and enum codes; null when nothing is set', () => {
    expect(fieldValuesOut(new Map(), fields)).toBeNull();
    const out = fieldValuesOut(new Map([[900, [{ value: '7701234567' }]]]), fields);
    expect(out).toEqual([
      {
        field_id: 900,
        field_name: 'ИНН',
        field_code: null,
        field_type: 'text',
        values: [{ value: '7701234567' }],
      },
    ]);
  });
});
