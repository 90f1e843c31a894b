import levenshtein from 'fast-levenshtein';
import { similarity } from './score-pair.js';
import { mulberry32 } from '../../sim/common/prng.js';
import { isOneTranspositionCodes, levenshteinCodes, similarityCodes } from './text-distance.js';

const codes = (s: string) => Uint16Array.from(s, (_, i) => s.charCodeAt(i));
const units = (s: string) => {
  const out = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
};

describe('text distance on code units', () => {
  const rnd = mulberry32(5);
  const alphabet = [...'абвгдеёжзиклмн', ...'abcdeQWJ', '1', '2', ' ', '🙂'];
  const word = (max: number) => {
    let s = '';
    const len = Math.floor(rnd() * max);
    for (let k = 0; k < len; k++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    return s;
  };
  const edit = (s: string) => {
    const p = Math.floor(rnd() * (s.length + 1));
    const c = alphabet[Math.floor(rnd() * alphabet.length)];
    const op = Math.floor(rnd() * 4);
    if (op === 0) return s.slice(0, p) + c + s.slice(p);
    if (op === 1) return s.slice(0, p) + s.slice(p + 1);
    if (op === 2) return s.slice(0, p) + c + s.slice(p + 1);
    return s.slice(0, p) + s.slice(p + 1, p + 2) + s.slice(p, p + 1) + s.slice(p + 2);
  };
  // Short and long (over 32 and 64 code units: the multi-word Myers path), unrelated and near pairs.
  const pairs: [string, string][] = [
    ['', ''],
    ['', 'abc'],
    ['romaWka', 'romaWak'],
    ['ромашка', 'ромашка'],
  ];
  for (const max of [8, 20, 40, 90]) {
    for (let i = 0; i < 300; i++) {
      const a = word(max);
      let b = a;
      for (let e = Math.floor(rnd() * 4); e > 0; e--) b = edit(b);
      pairs.push([a, b], [a, word(max)]);
    }
  }

  it('gives the same distance as fast-levenshtein', () => {
    for (const [a, b] of pairs) {
      const got = levenshteinCodes(units(a), a.length, units(b), b.length);
      if (got !== levenshtein.get(a, b)) throw new Error(`${a} / ${b}: ${got} ≠ ${levenshtein.get(a, b)}`);
    }
  });

  it('gives the same similarity as the string form (transposition as one edit)', () => {
    for (const [a, b] of pairs) {
      const got = similarityCodes(units(a), a.length, units(b), b.length);
      if (got !== similarity(a, b)) throw new Error(`${a} / ${b}: ${got} ≠ ${similarity(a, b)}`);
    }
  });

  it('reads only the given lengths of longer scratch arrays', () => {
    const a = new Uint16Array(64).fill(120);
    a.set(codes('трейд'));
    const b = new Uint16Array(64).fill(121);
    b.set(codes('тредй'));
    expect(isOneTranspositionCodes(a, 5, b, 5)).toBe(true);
    expect(levenshteinCodes(a, 5, b, 5)).toBe(2);
    expect(similarityCodes(a, 5, b, 5)).toBeCloseTo(0.8, 10);
  });
});
