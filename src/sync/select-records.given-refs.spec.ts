import { feedItemsByEntity, selectGiven, type GivenInput, type GivenRef } from './select-records.js';

const now = new Date('2026-12-05T10:00:00Z');
const live = (dataVersion: string): GivenRef => ({ dataVersion, deleted: false });
const gone: GivenRef = { dataVersion: null, deleted: true };
const link = (dataVersion: string | null, flagged = false) => ({ dataVersion, flagged });

const base = (over: Partial<GivenInput>): GivenInput => ({
  given: new Map(),
  links: new Map(),
  dead: new Map(),
  skipped: new Map(),
  retries: new Map(),
  now,
  ...over,
});

describe('selectGiven: the records a feed message named', () => {
  it('reads new records and new versions; a record whose link holds the named version was applied before', () => {
    const s = selectGiven(
      base({
        given: new Map([
          ['new', live('v1')],
          ['changed', live('v2')],
          ['replayed', live('v3')],
        ]),
        links: new Map([
          ['changed', link('v1')],
          ['replayed', link('v3')],
          ['untouched', link('v9')],
        ]),
      }),
    );
    // A linked record the message does not name is not looked at (it is not "vanished": only the scan sees every row).
    expect(s).toEqual({ todo: ['new', 'changed'], unchanged: 1, dead: 0, vanished: [], deferred: [] });
  });

  it('a link whose writes are not all done (no version stored) is read again', () => {
    expect(
      selectGiven(base({ given: new Map([['a', live('v1')]]), links: new Map([['a', link(null)]]) })).todo,
    ).toEqual(['a']);
  });

  it('deleted records: a linked one has vanished (flagged), an already flagged or never linked one needs nothing', () => {
    const s = selectGiven(
      base({
        given: new Map([
          ['linked', gone],
          ['flagged', gone],
          ['never', gone],
        ]),
        links: new Map([
          ['linked', link('v1')],
          ['flagged', link(null, true)],
        ]),
      }),
    );
    expect(s).toEqual({ todo: [], unchanged: 2, dead: 0, vanished: ['linked'], deferred: [] });
  });

  it('an item named without a version is read by key', () => {
    const s = selectGiven(
      base({
        given: new Map([['a', { dataVersion: null, deleted: false }]]),
        links: new Map([['a', link('v1')]]),
      }),
    );
    expect(s.todo).toEqual(['a']);
  });

  it('dead letters wait for a new version of the record', () => {
    const s = selectGiven(
      base({
        given: new Map([
          ['same', live('v1')],
          ['newer', live('v2')],
        ]),
        dead: new Map([
          ['same', 'v1'],
          ['newer', 'v1'],
        ]),
      }),
    );
    expect(s).toEqual({ todo: ['newer'], unchanged: 0, dead: 1, vanished: [], deferred: [] });
  });

  it('a failed record is deferred until its backoff has passed, and tried at once when 1C changed it again', () => {
    const later = new Date(now.getTime() + 30_000);
    const earlier = new Date(now.getTime() - 1);
    const s = selectGiven(
      base({
        given: new Map([
          ['waiting', live('v1')],
          ['due', live('v1')],
          ['changed', live('v2')],
        ]),
        retries: new Map([
          ['waiting', { dataVersion: 'v1', notBefore: later }],
          ['due', { dataVersion: 'v1', notBefore: earlier }],
          ['changed', { dataVersion: 'v1', notBefore: later }],
        ]),
      }),
    );
    expect(s).toEqual({
      todo: ['due', 'changed'],
      unchanged: 0,
      dead: 0,
      vanished: [],
      deferred: ['waiting'],
    });
  });

  it('a record skipped at this version stays skipped unless its counterparty is linked now', () => {
    const s = selectGiven(
      base({
        given: new Map([
          ['unposted', live('v1')],
          ['waits', live('v1')],
          ['stillWaits', live('v1')],
        ]),
        skipped: new Map([
          ['unposted', { dataVersion: 'v1', waitsFor: null }],
          ['waits', { dataVersion: 'v1', waitsFor: 'cp1' }],
          ['stillWaits', { dataVersion: 'v1', waitsFor: 'cp2' }],
        ]),
        linkedCounterparties: new Set(['cp1']),
      }),
    );
    expect(s).toEqual({ todo: ['waits'], unchanged: 2, dead: 0, vanished: [], deferred: [] });
  });

  it('records waiting for a counterparty named in the same message go once it is linked, even when the message does not name them', () => {
    const s = selectGiven(
      base({
        given: new Map([['named', live('v5')]]),
        skipped: new Map([
          ['waitsForNamed', { dataVersion: 'v1', waitsFor: 'cp1' }],
          ['waitsForOther', { dataVersion: 'v1', waitsFor: 'cp2' }],
          ['waitsNotLinked', { dataVersion: 'v1', waitsFor: 'cp3' }],
          ['linkedSince', { dataVersion: 'v1', waitsFor: 'cp1' }],
        ]),
        links: new Map([['linkedSince', link('v2')]]),
        linkedCounterparties: new Set(['cp1', 'cp2']),
        namedCounterparties: new Set(['cp1', 'cp3']),
      }),
    );
    expect(s.todo).toEqual(['named', 'waitsForNamed']);
  });
});

describe('feedItemsByEntity: a message as named records per entity', () => {
  it('groups items by entity in message order; a record named twice keeps its last item; readable keys of broken items are read by key', () => {
    const byEntity = feedItemsByEntity({
      messageNo: 7,
      more: false,
      items: [
        { entity: 'deals', set: 'Document_ЗаказКлиента', ref: 'o1', dataVersion: 'v1', deleted: false },
        {
          entity: 'counterparties',
          set: 'Catalog_Контрагенты',
          ref: 'c1',
          dataVersion: 'v1',
          deleted: false,
        },
        { entity: 'counterparties', set: 'Catalog_Контрагенты', ref: 'c2', dataVersion: null, deleted: true },
        {
          entity: 'counterparties',
          set: 'Catalog_Контрагенты',
          ref: 'c1',
          dataVersion: 'v2',
          deleted: false,
        },
      ],
      malformed: [
        {
          entity: 'contacts',
          ref: 'p1',
          reason: 'items[4]: dataVersion is missing for a record that exists',
        },
        { entity: 'counterparties', ref: 'c2', reason: 'items[5]: deleted is not a boolean' },
        {
          entity: 'Catalog_Склады',
          ref: 's1',
          reason: 'items[6]: set Catalog_Склады is not a synced entity set of the mapping',
        },
        { entity: 'feed', ref: null, reason: 'items[7]: item is not a JSON object' },
      ],
    });
    expect([...byEntity.keys()]).toEqual(['deals', 'counterparties', 'contacts']);
    expect([...byEntity.get('counterparties')!]).toEqual([
      ['c2', { dataVersion: null, deleted: true }],
      ['c1', { dataVersion: 'v2', deleted: false }],
    ]);
    expect([...byEntity.get('contacts')!]).toEqual([['p1', { dataVersion: null, deleted: false }]]);
    expect([...byEntity.get('deals')!]).toEqual([['o1', { dataVersion: 'v1', deleted: false }]]);
  });
});
