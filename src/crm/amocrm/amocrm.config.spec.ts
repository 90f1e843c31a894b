import { parseAmoCrmConfig } from './amocrm.config.js';

describe("the mapping's amocrm: section", () => {
  it('defaults: the main pipeline and the field names of docs/amocrm.md', () => {
    expect(parseAmoCrmConfig(undefined)).toEqual({
      config: {
        pipeline: null,
        fields: { key: 'Ключ 1С', inn: 'ИНН', kpp: 'КПП', ogrn: 'ОГРН', fullName: 'Полное наименование', deleted: 'Удалён в 1С' },
      },
      problems: [],
    });
  });

  it('takes a pipeline and field names; `deleted: false` turns the flag off', () => {
    const { config, problems } = parseAmoCrmConfig({ pipeline: 'Опт', fields: { inn: 'ИНН клиента', deleted: false } });
    expect(problems).toEqual([]);
    expect(config).toEqual({
      pipeline: 'Опт',
      fields: { key: 'Ключ 1С', inn: 'ИНН клиента', kpp: 'КПП', ogrn: 'ОГРН', fullName: 'Полное наименование', deleted: null },
    });
  });

  it('names each mistake by its path', () => {
    expect(parseAmoCrmConfig({ pipeline: '', fields: { inn: 5, colour: 'red' }, stages: {} }).problems).toEqual([
      'amocrm.pipeline: a pipeline name',
      'amocrm.fields.inn: Invalid input: expected string, received number',
      'amocrm.fields: unknown key(s): colour',
      'amocrm: unknown key(s): stages',
    ]);
    expect(parseAmoCrmConfig({ fields: { kpp: 'ИНН' } }).problems).toEqual([
      'amocrm.fields.kpp: the same field as amocrm.fields.inn ("ИНН")',
    ]);
  });
});
