import { innWithCheckDigits } from '../common/ru-ids.js';
import { forEachCandidatePair, personKeys, typoKeys } from './block.js';
import { DEFAULT_BLOCKING, type DedupeRecord } from './dedupe.types.js';
import { prepareRecords } from './find-duplicates.js';

let n = 0;
const rec = (p: Partial<DedupeRecord> & { name: string }): DedupeRecord => ({
  system: 'onec',
  id: `b${++n}`,
  phones: [],
  emails: [],
  ...p,
});

function pairsOf(records: DedupeRecord[], opts = DEFAULT_BLOCKING): [number, number][] {
  const t = prepareRecords(records);
  const out: [number, number][] = [];
  forEachCandidatePair(
    t,
    opts,
    () => true,
    (a, b) => out.push([a, b]),
  );
  return out;
}

describe('typoKeys', () => {
  it('gives two names one edit apart a common key (substitution, deletion, swap)', () => {
    const keys = (s: string) => {
      const out: string[] = [];
      typoKeys(s, out);
      return new Set(out);
    };
    const shares = (a: string, b: string) => [...keys(a)].some((k) => keys(b).has(k));
    expect(shares('romaWka', 'romaWa')).toBe(true); // deletion
    expect(shares('romaWka', 'romaWko')).toBe(true); // substitution
    expect(shares('romaWka', 'romaWak')).toBe(true); // swap
    expect(shares('romaWka', 'lutik')).toBe(false);
    expect(shares('stroiinvestgrup', 'stroiinvestgrupp')).toBe(true); // long: same first 6 letters
  });
});

describe('personKeys', () => {
  it('gives one key to a full name, initials and another word order', () => {
    const keys = (words: string[]) => {
      const out: string[] = [];
      personKeys(words, out);
      return out;
    };
    const k1 = keys(['михайлов', 'максим', 'николаевич']);
    expect(k1).toContain('михайлов|мн');
    expect(keys(['михайлов', 'м', 'н'])).toEqual(['михайлов|мн']);
    expect(keys(['максим', 'николаевич', 'михайлов'])).toContain('михайлов|мн');
  });
});

describe('forEachCandidatePair', () => {
  it('proposes pairs sharing an INN, a phone, an e-mail or a name word, each pair once', () => {
    const inn = innWithCheckDigits('770123456');
    const pairs = pairsOf([
      rec({ name: 'ООО Ромашка', inn, phones: ['+74951234567'], emails: ['info@romashka.ru'] }),
      rec({ name: 'Ромашка ООО', inn, phones: ['84951234567'], emails: ['info@romashka.ru'] }),
      rec({ name: 'Совсем другое', phones: ['+74951234567'] }),
      rec({ name: 'Лютик', emails: ['x@lutik.ru'] }),
    ]);
    expect(pairs).toEqual(
      expect.arrayContaining([
        [0, 1],
        [0, 2],
        [1, 2],
      ]),
    );
    expect(new Set(pairs.map((p) => p.join())).size).toBe(pairs.length); // no pair twice
  });

  it('does not compare all pairs of a very common word: the block is capped by a sorted neighbourhood', () => {
    const many = Array.from({ length: 400 }, (_, i) =>
      rec({ name: `ООО Строй ${['Альфа', 'Бета', 'Гамма', 'Дельта'][i % 4]}${i}` }),
    );
    const pairs = pairsOf(many, { ...DEFAULT_BLOCKING, maxBlockSize: 24, window: 6 });
    // All-pairs would be 79 800; the neighbourhood bounds it to a few per record.
    expect(pairs.length / many.length).toBeLessThan(50);
    expect(pairs.length).toBeGreaterThan(0);
  });

  it('a switchboard phone shared by 300 unrelated companies gives a bounded number of pairs', () => {
    const many = Array.from({ length: 300 }, (_, i) =>
      rec({ name: `Компания${i}`, phones: ['+74957770000'] }),
    );
    const pairs = pairsOf(many);
    expect(pairs.length / many.length).toBeLessThan(DEFAULT_BLOCKING.window * 4);
  });

  it('applies the pair filter before visiting', () => {
    const t = prepareRecords([rec({ name: 'Ромашка' }), rec({ name: 'Ромашка' }), rec({ name: 'Ромашка' })]);
    const seen: string[] = [];
    const stats = forEachCandidatePair(
      t,
      DEFAULT_BLOCKING,
      (a, b) => a === 0 && b === 2,
      (a, b) => seen.push(`${a}-${b}`),
    );
    expect(seen).toEqual(['0-2']);
    expect(stats.candidatePairs).toBe(1);
  });
});
