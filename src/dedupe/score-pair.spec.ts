import { innWithCheckDigits, ogrnCheckDigit } from '../common/ru-ids.js';
import type { DedupeRecord } from './dedupe.types.js';
import { scoreRecords } from './find-duplicates.js';

const INN_A = innWithCheckDigits('770123456');
const INN_B = innWithCheckDigits('165512345');
const INN_IP_1 = innWithCheckDigits('7712345678');
const INN_IP_2 = innWithCheckDigits('7798765432');
const OGRN_A = '102770013219' + ogrnCheckDigit('102770013219');
const OGRN_B = '102165501234' + ogrnCheckDigit('102165501234');

let n = 0;
function rec(p: Partial<DedupeRecord> & { name: string }): DedupeRecord {
  return { system: 'onec', id: `r${++n}`, phones: [], emails: [], ...p };
}
const codes = (s: { reasons: { code: string }[] }) => s.reasons.map((r) => r.code);

describe('scorePair: the same party', () => {
  it('same INN and the same name in other spellings → duplicate 1.0', () => {
    const s = scoreRecords(
      rec({ name: 'ООО «Ромашка»', inn: INN_A }),
      rec({ name: 'Ромашка, общество с ограниченной ответственностью', inn: INN_A }),
    );
    expect(s.level).toBe('duplicate');
    expect(s.score).toBe(1);
    expect(codes(s)).toEqual(expect.arrayContaining(['same_inn', 'name_similarity']));
    expect(s.reasons.find((r) => r.code === 'same_inn')).toMatchObject({
      text: `same INN ${INN_A}`,
      values: { inn: INN_A },
    });
  });

  it('ё/е, Latin look-alikes and quotes: name similarity 1 after normalisation', () => {
    const s = scoreRecords(
      rec({ name: 'ООО "Берёзка"', phones: ['+7 495 123-45-67'] }),
      rec({ name: 'OOO «Бepeзкa»', phones: ['8 (495) 123-45-67'] }),
    );
    expect(s.reasons[0].text).toBe('name similarity 1.00 after normalisation');
    expect(s.reasons.find((r) => r.code === 'same_phone')).toMatchObject({
      text: 'same phone +74951234567',
      maskedText: 'same phone +7******4567',
      values: { phone: '+74951234567' },
    });
    expect(s.level).toBe('duplicate');
  });

  it('transliteration: "Romashka LLC" ≈ "ООО Ромашка" with a shared corporate e-mail', () => {
    const s = scoreRecords(
      rec({ name: 'Romashka LLC', emails: ['Info@romashka.ru'] }),
      rec({ name: 'ООО Ромашка', emails: ['info@romashka.ru'] }),
    );
    expect(codes(s)).toEqual(expect.arrayContaining(['name_transliterated', 'same_email']));
    expect(s.reasons.find((r) => r.code === 'same_email')?.maskedText).toBe('same e-mail i***@romashka.ru');
    expect(s.level).toBe('duplicate');
  });

  it('a typo and no INN on one side: possible on the name alone, duplicate with a shared phone', () => {
    const a = rec({ name: 'ООО Стройинвестгрупп', inn: INN_A, phones: ['+74951112233'] });
    const alone = scoreRecords(a, rec({ name: 'Стройинвестгруп', phones: [] }));
    expect(alone.level).toBe('possible');
    const withPhone = scoreRecords(a, rec({ name: 'Стройинвестгруп', phones: ['84951112233'] }));
    expect(withPhone.level).toBe('duplicate');
  });

  it('same OGRN counts as identity', () => {
    const s = scoreRecords(rec({ name: 'АО Заря', ogrn: OGRN_A }), rec({ name: 'ЗАО "Заря"', ogrn: OGRN_A }));
    expect(s.level).toBe('duplicate');
    expect(codes(s)).toContain('same_ogrn');
  });

  it('ИП in another word order and with initials', () => {
    const s = scoreRecords(
      rec({ name: 'ИП Иванов Иван Иванович', inn: INN_IP_1 }),
      rec({ name: 'Иванов И.И. (ИП)', inn: INN_IP_1 }),
    );
    expect(s.level).toBe('duplicate');
    const noInn = scoreRecords(
      rec({ name: 'Иван Иванович Иванов ИП' }),
      rec({ name: 'Индивидуальный предприниматель Иванов Иван Иванович' }),
    );
    expect(noInn.score).toBeGreaterThanOrEqual(0.83);
  });
});

describe('scorePair: hard negatives', () => {
  it('the same name in two cities with different INNs is two parties', () => {
    const s = scoreRecords(
      rec({ name: 'ООО «Ромашка»', inn: INN_A, phones: ['+74951234567'] }),
      rec({ name: 'ООО «Ромашка»', inn: INN_B, phones: ['+78432123456'] }),
    );
    expect(s.level).toBeNull();
    expect(s.conflict).toBe(true);
    expect(s.score).toBeLessThanOrEqual(0.3);
    expect(s.reasons.find((r) => r.code === 'different_inn')?.text).toBe(`different INN ${INN_A} / ${INN_B}`);
  });

  it('different valid OGRNs are two parties', () => {
    const s = scoreRecords(rec({ name: 'АО Заря', ogrn: OGRN_A }), rec({ name: 'АО Заря', ogrn: OGRN_B }));
    expect(s.level).toBeNull();
  });

  it('ИП with a common surname: ИП Иванов И.И. vs ИП Иванов П.С. is not a duplicate', () => {
    const s = scoreRecords(rec({ name: 'ИП Иванов И.И.' }), rec({ name: 'ИП Иванов П.С.' }));
    expect(s.level).toBeNull();
    expect(codes(s)).toContain('person_name_conflict');
    const withInns = scoreRecords(
      rec({ name: 'ИП Иванов И.И.', inn: INN_IP_1 }),
      rec({ name: 'ИП Иванов И.И.', inn: INN_IP_2 }),
    );
    expect(withInns.level).toBeNull();
  });

  it('the same business-centre switchboard phone is weak evidence', () => {
    // phCount comes from the table: build a table where the phone is shared by many records.
    const phone = '+74959999999';
    const s = scoreRecords(
      rec({ name: 'ООО Альфа Консалт', phones: [phone] }),
      rec({ name: 'ООО Альфа Логистик', phones: [phone] }),
    );
    // Two records only: the phone counts as rare, yet different names keep the pair below `possible`.
    expect(s.level).toBeNull();
  });

  it('branches: same INN, different KPP — separate parties by default, one party when configured', () => {
    const a = rec({ name: 'ООО Ромашка', inn: INN_A, kpp: '770101001' });
    const b = rec({ name: 'ООО Ромашка (филиал в Казани)', inn: INN_A, kpp: '165501001' });
    const separate = scoreRecords(a, b);
    expect(separate.level).toBeNull();
    expect(separate.reasons.find((r) => r.code === 'branch_same_inn')?.text).toBe(
      `branch: same INN ${INN_A}, different KPP 770101001 / 165501001`,
    );
    const same = scoreRecords(a, b, { branchesAreSameParty: true });
    expect(same.level).toBe('duplicate');
    // Same INN and the same KPP is simply the same party.
    expect(scoreRecords(a, rec({ name: 'Ромашка', inn: INN_A, kpp: '770101001' })).level).toBe('duplicate');
  });

  it('a branch by name: same INN/OGRN but one name says филиал (a CRM copy without KPP)', () => {
    const parent = rec({ name: 'ООО «Ромашка»', inn: INN_A, ogrn: OGRN_A });
    const branch = rec({ name: 'ООО «Ромашка» (филиал Казань)', ogrn: OGRN_A });
    expect(scoreRecords(parent, branch).level).toBeNull();
    expect(scoreRecords(parent, branch, { branchesAreSameParty: true }).level).toBe('duplicate');
  });

  it('different numbers in the names: Автобаза № 3 vs Автобаза № 5', () => {
    const s = scoreRecords(rec({ name: 'МУП Автобаза № 3' }), rec({ name: 'МУП Автобаза № 5' }));
    expect(s.level).toBeNull();
    expect(codes(s)).toContain('numbers_differ');
  });

  it('different legal-form families cost 0.1', () => {
    const same = scoreRecords(rec({ name: 'ООО Вектор' }), rec({ name: 'Вектор' }));
    const other = scoreRecords(rec({ name: 'ООО Вектор' }), rec({ name: 'АО Вектор' }));
    expect(same.score - other.score).toBeCloseTo(0.1, 5);
    expect(codes(other)).toContain('different_legal_form');
  });

  it('a free-mail address is weaker than a corporate one, and a shared free-mail domain is nothing', () => {
    const corp = scoreRecords(
      rec({ name: 'Вектор', emails: ['buh@vektor.ru'] }),
      rec({ name: 'Вектор', emails: ['buh@vektor.ru'] }),
    );
    const free = scoreRecords(
      rec({ name: 'Вектор', emails: ['vektor@mail.ru'] }),
      rec({ name: 'Вектор', emails: ['vektor@mail.ru'] }),
    );
    const domain = scoreRecords(
      rec({ name: 'Вектор', emails: ['a@mail.ru'] }),
      rec({ name: 'Вектор', emails: ['b@mail.ru'] }),
    );
    expect(corp.score).toBeGreaterThan(free.score);
    expect(free.score).toBeGreaterThan(domain.score);
    expect(codes(domain)).not.toContain('same_email_domain');
  });

  it('similar but different names without identifiers stay below possible', () => {
    expect(scoreRecords(rec({ name: 'ООО Ромашка' }), rec({ name: 'ООО Ромашка Плюс' })).level).toBeNull();
    expect(scoreRecords(rec({ name: 'ООО Альфа Строй' }), rec({ name: 'ООО Бета Строй' })).level).toBeNull();
  });
});
