import { DedupeInputError, recordFromRow } from './dedupe-file.util.js';

describe('recordFromRow', () => {
  it('reads a CSV row: ;-separated phones and e-mails, empty cells as null', () => {
    expect(
      recordFromRow(
        {
          system: 'crm',
          id: '2919',
          name: 'Ромашка ООО',
          inn: '',
          phones: '8 495 123-45-67; +7 916 000-11-22',
          emails: 'a@b.ru',
          linkedTo: '',
        },
        2,
      ),
    ).toEqual({
      system: 'crm',
      id: '2919',
      name: 'Ромашка ООО',
      fullName: undefined,
      inn: null,
      kpp: null,
      ogrn: null,
      phones: ['8 495 123-45-67', '+7 916 000-11-22'],
      emails: ['a@b.ru'],
      linkedTo: null,
    });
  });

  it('reads JSON arrays and accepts 1c/1С for onec', () => {
    const r = recordFromRow({ system: '1С', id: 7, name: 'X', phones: ['1', '2'], emails: [] }, 1);
    expect(r).toMatchObject({ system: 'onec', id: '7', phones: ['1', '2'] });
  });

  it('names the row of a bad value', () => {
    expect(() => recordFromRow({ system: 'sap', id: '1', name: 'X' }, 5)).toThrow(
      new DedupeInputError('row 5: system must be onec or crm, got "sap"'),
    );
    expect(() => recordFromRow({ system: 'onec', id: '', name: 'X' }, 6)).toThrow('row 6: id is empty');
    expect(() => recordFromRow({ system: 'onec', id: '1', name: '' }, 7)).toThrow('row 7: name is empty');
  });
});
