import { parseAmoCrmConfig } from './amocrm.config.js';
import { planFields, type AmoFieldRow } from './field-plan.js';

describe('the custom fields Sverka needs on an amoCRM account', () => {
  const config = parseAmoCrmConfig({}).config;
  const predefined: AmoFieldRow[] = [
    { id: 1, name: 'Телефон', code: 'PHONE', type: 'multitext' },
    { id: 2, name: 'Email', code: 'EMAIL', type: 'multitext' },
  ];

  it('creates every missing one (text fields, the checkbox) on a fresh account', () => {
    expect(planFields('companies', predefined, config)).toEqual({
      ids: {},
      create: [
        { role: 'key', name: 'Ключ 1С', type: 'text' },
        { role: 'inn', name: 'ИНН', type: 'text' },
        { role: 'kpp', name: 'КПП', type: 'text' },
        { role: 'ogrn', name: 'ОГРН', type: 'text' },
        { role: 'fullName', name: 'Полное наименование', type: 'text' },
        { role: 'deleted', name: 'Удалён в 1С', type: 'checkbox' },
      ],
      problems: [],
    });
    expect(planFields('leads', [], config).create.map((c) => c.role)).toEqual(['key', 'deleted']);
  });

  it('finds them by code, by name, or by name in another case; a full name may be a textarea', () => {
    const existing: AmoFieldRow[] = [
      ...predefined,
      { id: 10, name: 'Внешний ключ', code: 'Ключ 1С', type: 'text' },
      { id: 11, name: ' инн ', code: null, type: 'text' },
      { id: 12, name: 'КПП', code: null, type: 'text' },
      { id: 13, name: 'ОГРН', code: null, type: 'text' },
      { id: 14, name: 'Полное наименование', code: null, type: 'textarea' },
      { id: 15, name: 'Удалён в 1С', code: null, type: 'checkbox' },
    ];
    expect(planFields('companies', existing, config)).toEqual({
      ids: { key: 10, inn: 11, kpp: 12, ogrn: 13, fullName: 14, deleted: 15 },
      create: [],
      problems: [],
    });
  });

  it('names a field of the wrong type and the setting that would point elsewhere; PHONE gone is a problem', () => {
    const existing: AmoFieldRow[] = [
      { id: 1, name: 'Телефон', code: 'PHONE', type: 'multitext' },
      { id: 11, name: 'ИНН', code: null, type: 'numeric' },
    ];
    expect(planFields('companies', existing, config).problems).toEqual([
      "the company field «ИНН» (id 11) is of type numeric; Sverka needs text — change it in amoCRM or name another field in the mapping's amocrm.fields.inn",
      "the company field EMAIL (amoCRM's predefined multitext field) is missing",
    ]);
  });

  it('wants no checkbox when the mapping turns the flag off', () => {
    const off = parseAmoCrmConfig({ fields: { deleted: false } }).config;
    expect(planFields('contacts', predefined, off).create.map((c) => c.role)).toEqual(['key']);
  });
});
