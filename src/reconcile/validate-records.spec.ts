import { innWithCheckDigits, ogrnCheckDigit } from '../common/ru-ids.js';
import type { OneCContact, OneCCounterparty } from '../onec/onec.types.js';
import { validateContact, validateCounterparty } from './validate-records.js';

const legalInn = innWithCheckDigits('770123456');
const personInn = innWithCheckDigits('7701234567');
const ogrn = (body: string) => body + String(ogrnCheckDigit(body));

const legal = (over: Partial<OneCCounterparty> = {}): OneCCounterparty => ({
  ref: 'r1',
  dataVersion: 'v',
  deletionMark: false,
  code: '1',
  name: 'ООО «Ромашка»',
  parentRef: null,
  fullName: 'Общество «Ромашка»',
  kind: 'legal',
  inn: legalInn,
  kpp: '770101001',
  regNumber: ogrn('102770000000'),
  phones: ['8 (495) 123-45-67'],
  emails: ['Info@Romashka.ru'],
  ...over,
});
const contact = (over: Partial<OneCContact> = {}): OneCContact => ({
  ref: 'c1',
  dataVersion: 'v',
  deletionMark: false,
  code: '1',
  lastName: 'Иванов',
  firstName: 'Иван',
  middleName: '',
  position: '',
  ownerRef: 'r1',
  phones: ['+7 916 123-45-67'],
  emails: ['ivan@example.ru'],
  ...over,
});

describe('validateCounterparty', () => {
  it('accepts a valid legal entity, entrepreneur and person', () => {
    expect(validateCounterparty(legal())).toEqual([]);
    expect(
      validateCounterparty(
        legal({ kind: 'person', inn: personInn, kpp: '', regNumber: ogrn('30477000000000') }),
      ),
    ).toEqual([]);
    expect(validateCounterparty(legal({ kind: 'person', inn: personInn, kpp: '', regNumber: '' }))).toEqual(
      [],
    );
  });
  it('flags a wrong INN check digit, a bad length and letters', () => {
    const bad = legalInn.slice(0, 9) + String((Number(legalInn[9]) + 1) % 10);
    expect(validateCounterparty(legal({ inn: bad }))).toEqual([
      { field: 'inn', value: bad, reason: 'INN check digit is wrong' },
    ]);
    expect(validateCounterparty(legal({ inn: '12345' }))[0]).toMatchObject({
      field: 'inn',
      reason: 'INN must have 10 or 12 digits',
    });
    expect(validateCounterparty(legal({ inn: '77012345AB' }))[0]).toMatchObject({ field: 'inn' });
  });
  it('requires an INN for a legal entity only', () => {
    expect(validateCounterparty(legal({ inn: '' }))).toEqual([
      { field: 'inn', value: '', reason: 'required field is empty' },
    ]);
    expect(validateCounterparty(legal({ kind: 'person', inn: '', kpp: '', regNumber: '' }))).toEqual([]);
  });
  it('flags a KPP of the wrong shape (8 digits, Cyrillic letters), not an empty KPP of an entrepreneur', () => {
    expect(validateCounterparty(legal({ kpp: '77010100' }))[0]).toMatchObject({
      field: 'kpp',
      value: '77010100',
    });
    expect(validateCounterparty(legal({ kpp: '7701АБ001' }))[0]).toMatchObject({ field: 'kpp' });
    expect(validateCounterparty(legal({ kpp: '7701AB001' }))).toEqual([]);
  });
  it('flags an OGRN / OGRNIP with a wrong check digit', () => {
    const good = ogrn('102770000000');
    const bad = good.slice(0, 12) + String((Number(good[12]) + 1) % 10);
    expect(validateCounterparty(legal({ regNumber: bad }))).toEqual([
      { field: 'ogrn', value: bad, reason: 'OGRN check digit is wrong' },
    ]);
  });
  it('flags each unparseable phone and e-mail, and a missing name', () => {
    const r = validateCounterparty(
      legal({ name: ' ', phones: ['8 (495) 123-45-67', '12-34'], emails: ['ok@x.ru', 'not-an-email'] }),
    );
    expect(r).toEqual([
      { field: 'title', value: '', reason: 'required field is empty' },
      { field: 'phones', value: '12-34', reason: 'not a valid phone number' },
      { field: 'emails', value: 'not-an-email', reason: 'not a valid e-mail address' },
    ]);
  });
});

describe('validateContact', () => {
  it('accepts a valid contact and flags bad phones/e-mails and no name', () => {
    expect(validateContact(contact())).toEqual([]);
    expect(
      validateContact(contact({ lastName: '', firstName: '', phones: ['000'], emails: ['a@b'] })).map(
        (f) => f.field,
      ),
    ).toEqual(['lastName', 'phones', 'emails']);
  });
});
