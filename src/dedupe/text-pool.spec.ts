import { mulberry32 } from '../../sim/common/prng.js';
import { TextPool } from './text-pool.js';

describe('TextPool', () => {
  const samples = [
    '',
    'a',
    '01352908-1c00-11e5-0a9b-000000000000',
    '1000001',
    'ООО «Ромашка»',
    'ИП Фёдоров Пётр Семёнович',
    'АО "Звёздный" № 5 — филиал',
    'Café Zoë', // é, ë: not on the narrow page → stored wide
    'emoji 🙂 and 中文',
    'Ґ ґ Ђ џ € ™ …',
    '\u0000\u007f\u0080\u00ff\uffff',
  ];

  it('gives back every string exactly, narrow or wide', () => {
    const p = new TextPool();
    const ids = samples.map((s) => p.add(s));
    expect(ids).toEqual(samples.map((_, i) => i));
    expect(samples.map((_, i) => p.get(i))).toEqual(samples);
    expect(samples.map((_, i) => p.length(i))).toEqual(samples.map((s) => s.length));
    expect(p.size).toBe(samples.length);
  });

  it('stores Russian text one byte a character', () => {
    const p = new TextPool();
    const before = p.retainedBytes;
    for (let i = 0; i < 1000; i++) p.add('ООО «Ромашка» №1');
    p.trim();
    // 16 characters + 4 bytes of offset + 1 byte of flag per entry, against 2 bytes a character in UTF-16.
    expect(p.retainedBytes).toBeLessThan(before + 1000 * 22);
    expect(p.get(999)).toBe('ООО «Ромашка» №1');
  });

  it('compares entries exactly as JavaScript compares the strings', () => {
    const rnd = mulberry32(7);
    const alphabet = [
      'a',
      'b',
      'Z',
      '0',
      '-',
      'а',
      'я',
      'Ё',
      'ё',
      '«',
      '№',
      'é',
      '中',
      '\u0000',
      '\uffff',
      '🙂',
    ];
    const strings = [...samples];
    for (let i = 0; i < 300; i++) {
      let s = '';
      const len = Math.floor(rnd() * 6);
      for (let k = 0; k < len; k++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      strings.push(s);
    }
    const p = new TextPool();
    for (const s of strings) p.add(s);
    for (let i = 0; i < strings.length; i++) {
      for (let j = 0; j < strings.length; j++) {
        const want = strings[i] < strings[j] ? -1 : strings[i] > strings[j] ? 1 : 0;
        if (p.compare(i, j) !== want) throw new Error(`compare(${strings[i]}, ${strings[j]}) ≠ ${want}`);
      }
    }
  });

  it('copies code units into a scratch array (growing it when short) and tells equal entries', () => {
    const p = new TextPool();
    for (const s of samples) p.add(s);
    p.add('ООО «Ромашка»');
    let scratch: Uint16Array = new Uint16Array(4);
    samples.forEach((s, i) => {
      scratch = p.codes(i, scratch);
      expect(String.fromCharCode(...scratch.subarray(0, p.length(i)))).toBe(s);
    });
    const again = samples.length;
    expect(p.equals(4, again)).toBe(true);
    expect(p.equals(4, 5)).toBe(false);
    expect(p.equals(0, 0)).toBe(true);
    expect(samples.some((_, i) => i !== 4 && p.equals(i, again))).toBe(false);
  });

  it('keeps working after trim and across buffer growth, with long entries', () => {
    const p = new TextPool();
    const long = 'Ш'.repeat(10_000) + 'é';
    p.add('x');
    p.trim();
    p.add(long);
    for (let i = 0; i < 5000; i++) p.add(`id-${i}`);
    expect(p.get(0)).toBe('x');
    expect(p.get(1)).toBe(long);
    expect(p.get(5001)).toBe('id-4999');
    expect(p.compare(0, 1)).toBe(-1); // 'x' < 'Ш'
    expect(p.compare(1, 0)).toBe(1);
  });
});
