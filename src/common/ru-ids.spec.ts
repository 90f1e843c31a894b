import { checkInn, checkKpp, checkOgrn, innWithCheckDigits, ogrnCheckDigit } from './ru-ids.js';

describe('ru-ids', () => {
  it('accepts real-world valid INNs of both lengths', () => {
    expect(checkInn('7707083893')).toEqual({ ok: true }); // Сбербанк
    expect(checkInn('5024089920').ok).toBe(innWithCheckDigits('502408992') === '5024089920');
    expect(checkInn('500100732259')).toEqual({ ok: true });
  });
  it('rejects a wrong check digit, a wrong length and letters, with a reason', () => {
    expect(checkInn('7707083894')).toEqual({ ok: false, reason: 'INN check digit is wrong' });
    expect(checkInn('77070838')).toEqual({ ok: false, reason: 'INN must have 10 or 12 digits' });
    expect(checkInn('77070838A3').ok).toBe(false);
    expect(checkInn('0000000000').ok).toBe(false);
  });
  it('makes valid INNs from bodies', () => {
    for (const body of ['123456789', '987654321', '1234567890'])
      expect(checkInn(innWithCheckDigits(body)).ok).toBe(true);
  });
  it('checks KPP format', () => {
    expect(checkKpp('773601001').ok).toBe(true);
    expect(checkKpp('7736AB001').ok).toBe(true);
    expect(checkKpp('77360100').ok).toBe(false);
    expect(checkKpp('7736ab001').ok).toBe(false);
  });
  it('checks OGRN and OGRNIP check digits', () => {
    expect(checkOgrn('1027700132195')).toEqual({ ok: true }); // Сбербанк
    expect(checkOgrn('1027700132196').ok).toBe(false);
    const ip = '30450011690010';
    expect(checkOgrn(ip + ogrnCheckDigit(ip)).ok).toBe(true);
    expect(checkOgrn('123').ok).toBe(false);
  });
});
