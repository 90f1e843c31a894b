import { selectRecords, type SelectInput } from './select-records.js';

const base = (over: Partial<SelectInput>): SelectInput => ({
  scan: new Map(),
  links: new Map(),
  dead: new Map(),
  skipped: new Map(),
  full: false,
  ...over,
});

describe('selectRecords', () => {
  it('reads new records and changed versions; leaves the same version alone', () => {
    const s = selectRecords(
      base({
        scan: new Map([
          ['a', 'v1'],
          ['b', 'v2'],
          ['c', 'v1'],
        ]),
        links: new Map([
          ['b', { dataVersion: 'v1', flagged: false }],
          ['c', { dataVersion: 'v1', flagged: false }],
        ]),
      }),
    );
    expect(s).toEqual({ todo: ['a', 'b'], unchanged: 1, dead: 0, vanished: [] });
  });

  it('a link whose writes are not all done (no version stored) is read again', () => {
    const s = selectRecords(
      base({ scan: new Map([['a', 'v1']]), links: new Map([['a', { dataVersion: null, flagged: false }]]) }),
    );
    expect(s.todo).toEqual(['a']);
  });

  it('dead letters wait for a new version; skipped records too, unless their counterparty is linked now', () => {
    const s = selectRecords(
      base({
        scan: new Map([
          ['d', 'v1'],
          ['d2', 'v2'],
          ['s', 'v1'],
          ['w', 'v1'],
          ['w2', 'v1'],
        ]),
        dead: new Map([
          ['d', 'v1'],
          ['d2', 'v1'],
        ]),
        skipped: new Map([
          ['s', { dataVersion: 'v1', waitsFor: null }],
          ['w', { dataVersion: 'v1', waitsFor: 'cp-1' }],
          ['w2', { dataVersion: 'v1', waitsFor: 'cp-2' }],
        ]),
        linkedCounterparties: new Set(['cp-1']),
      }),
    );
    expect(s).toEqual({ todo: ['d2', 'w'], unchanged: 2, dead: 1, vanished: [] });
  });

  it('a full run reads every live record and forgets skips; dead letters still wait', () => {
    const s = selectRecords(
      base({
        full: true,
        scan: new Map([
          ['a', 'v1'],
          ['s', 'v1'],
          ['d', 'v1'],
        ]),
        links: new Map([['a', { dataVersion: 'v1', flagged: false }]]),
        skipped: new Map([['s', { dataVersion: 'v1', waitsFor: null }]]),
        dead: new Map([['d', 'v1']]),
      }),
    );
    expect(s).toEqual({ todo: ['a', 's'], unchanged: 0, dead: 1, vanished: [] });
  });

  it('linked records missing from the scan have vanished, unless already flagged', () => {
    const s = selectRecords(
      base({
        scan: new Map([['a', 'v1']]),
        links: new Map([
          ['a', { dataVersion: 'v1', flagged: false }],
          ['gone', { dataVersion: 'v1', flagged: false }],
          ['known', { dataVersion: null, flagged: true }],
        ]),
      }),
    );
    expect(s.vanished).toEqual(['gone']);
  });
});
