import { innWithCheckDigits } from '../common/ru-ids.js';
import { RecordTable } from './record-table.js';

describe('RecordTable', () => {
  const inn = innWithCheckDigits('027412345'); // leading zero: region 02
  const t = new RecordTable();
  t.add({
    system: 'onec',
    id: 'b',
    name: 'ООО «Ромашка»',
    inn,
    kpp: '027401001',
    phones: ['8 (347) 123-45-67', 'junk'],
    emails: ['Info@Romashka.ru', 'x@mail.ru'],
  });
  t.add({
    system: 'crm',
    id: 'a',
    name: 'Ромашка',
    inn: '1234567890',
    phones: ['+7 347 123 45 67'],
    emails: [],
    linkedTo: 'b',
  });
  t.add({
    system: 'crm',
    id: 'c',
    name: 'ООО Ромашка',
    inn: innWithCheckDigits('770123456'),
    phones: [],
    emails: ['y@mail.ru'],
  });

  it('keeps valid identifiers as numbers and invalid ones only as text for output', () => {
    expect(t.innString(0)).toBe(inn);
    expect(t.innString(1)).toBeNull();
    expect(t.innText(1)).toBe('1234567890');
    expect(t.kpps.values[t.kpp.data[0]]).toBe('027401001');
  });

  it('normalises phones and e-mails, interning e-mails and marking free-mail domains', () => {
    expect(Array.from(t.ph.view())).toEqual([73471234567, 73471234567]);
    expect(t.emails.values).toEqual(['info@romashka.ru', 'x@mail.ru', 'y@mail.ru']);
    expect(t.domains.values).toEqual(['romashka.ru', 'mail.ru']);
    expect(Array.from(t.domainFree.view())).toEqual([0, 1]);
  });

  it('counts phone carriers and namesakes with different INNs', () => {
    t.countPhones();
    expect(Array.from(t.phCount)).toEqual([2, 2]);
    t.countNameInns(Int32Array.from([0, 1, 2]));
    expect(Array.from(t.nameInns)).toEqual([2, 2, 2]);
  });

  it('orders rows canonically: 1C first, then by id', () => {
    expect([2, 1, 0].sort((x, y) => t.compareRows(x, y))).toEqual([0, 1, 2]);
    expect(t.systemName(1)).toBe('crm');
    expect(t.linked.data[1]).toBe(1);
  });
});
