import { buildScope, folderClosure, folderProblems } from './build-scope.js';
import { inScope } from './scope.types.js';

const F = (n: number) => `00000000-0000-0000-0000-0000000000f${n}`;
const C = (n: number) => `00000000-0000-0000-0000-0000000000c${n}`;
/** f1 ⊃ f2 ⊃ f3; f4 beside them; f5 ⊂ f4. */
const folders = [
  { ref: F(1), parentRef: null, name: 'Покупатели' },
  { ref: F(2), parentRef: F(1), name: 'Москва' },
  { ref: F(3), parentRef: F(2), name: 'Центр' },
  { ref: F(4), parentRef: null, name: 'Поставщики' },
  { ref: F(5), parentRef: F(4), name: 'Опт' },
];
const counterparties = [
  { ref: C(1), parentRef: F(1), inn: '7701234567' },
  { ref: C(2), parentRef: F(3), inn: '' },
  { ref: C(3), parentRef: F(4), inn: '5024089920' },
  { ref: C(4), parentRef: null, inn: ' 5024 089921 ' },
  { ref: C(5), parentRef: F(5), inn: '500100732259' },
  { ref: C(6), parentRef: null, inn: '' },
];

describe('pilot scope', () => {
  it('a folder includes its sub-folders at any depth, and no more', () => {
    expect([...folderClosure([F(1)], folders)].sort()).toEqual([F(1), F(2), F(3)]);
    expect([...folderClosure([F(2).toUpperCase()], folders)].sort()).toEqual([F(2), F(3)]);
    expect([...folderClosure([F(4), F(3)], folders)].sort()).toEqual([F(3), F(4), F(5)]);
  });

  it('a loop in the parent links ends', () => {
    const loop = [
      { ref: F(1), parentRef: F(2), name: 'a' },
      { ref: F(2), parentRef: F(1), name: 'b' },
    ];
    expect([...folderClosure([F(1)], loop)].sort()).toEqual([F(1), F(2)]);
  });

  it('in scope: a counterparty inside the folders’ closure, or whose INN digits are listed', () => {
    const scope = buildScope({ folders: [F(1)], inn: ['5024089921', '500100732259'] }, folders, counterparties);
    expect([...scope.counterparties].sort()).toEqual([C(1), C(2), C(4), C(5)]);
    expect(inScope(scope, C(2))).toBe(true);
    expect(inScope(scope, C(3))).toBe(false);
    expect(inScope(scope, null)).toBe(false);
    expect(inScope(null, null)).toBe(true);
  });

  it('INNs only, folders only, and an empty INN never matches', () => {
    expect([...buildScope({ inn: ['5024089920'] }, folders, counterparties).counterparties]).toEqual([C(3)]);
    expect([...buildScope({ folders: [F(4)] }, folders, counterparties).counterparties].sort()).toEqual([C(3), C(5)]);
    expect([...buildScope({ inn: [] }, folders, counterparties).counterparties]).toEqual([]);
  });

  it('folder problems: one line per ref that is a counterparty or unknown, naming the ref and what it is', async () => {
    const items = new Set(counterparties.map((c) => c.ref));
    expect(await folderProblems([F(1), F(5)], folders, (r) => items.has(r))).toEqual([]);
    expect(await folderProblems([F(1), C(3), F(9)], folders, (r) => items.has(r))).toEqual([
      `scope.counterparties.folders.1: ${C(3)} is a counterparty (an item of the catalog), not a folder`,
      `scope.counterparties.folders.2: ${F(9)} is not in 1C (no folder of the counterparty catalog has this Ref_Key)`,
    ]);
  });
});
