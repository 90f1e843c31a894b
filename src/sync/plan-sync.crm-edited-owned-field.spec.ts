import { simMapping } from '../../sim/mapping.js';
import type { ConflictStrategy } from '../mapping/mapping.types.js';
import { companyPushed, counterparty, crmCompany, link, taxIds } from '../../test/factories/sync-records.js';
import { planSync } from './plan-sync.js';

const now = new Date('2026-11-28T12:00:00Z');

function mappingTitle(owner: 'onec' | 'both' | 'crm', strategy?: ConflictStrategy) {
  const m = simMapping();
  m.counterparties.fields.title = { owner, strategy, transforms: ['trim'] };
  return m;
}

function plan(opts: {
  onecTitle: string;
  crmTitle: string;
  owner: 'onec' | 'both' | 'crm';
  strategy?: ConflictStrategy;
  crmUpdated?: string;
  version?: string;
  seenAt?: Date;
}) {
  return planSync({
    entity: 'counterparties',
    records: [counterparty({ name: opts.onecTitle, dataVersion: opts.version ?? 'v2' })],
    links: new Map([
      ['cp-1', link('10', companyPushed, { onecSeenAt: opts.seenAt ?? new Date('2026-11-01T06:00:00Z') })],
    ]),
    crm: new Map([
      [
        '10',
        crmCompany({
          title: opts.crmTitle,
          updatedTime: opts.crmUpdated ?? '2026-11-20T10:00:00+03:00',
          taxIds: { ...taxIds({ name: opts.crmTitle }), owned: true },
        }),
      ],
    ]),
    crmFlags: false,
    mapping: mappingTitle(opts.owner, opts.strategy),
    now,
  });
}

describe('planSync: a CRM user edited a field sync owns', () => {
  it('owner onec: the 1C value is pushed back and the edit is reported', () => {
    const p = plan({ onecTitle: 'ООО «Ромашка»', crmTitle: 'Ромашка (ред.)', owner: 'onec' });
    expect(p.update).toMatchObject([{ fields: { title: 'ООО «Ромашка»' } }]);
    expect(p.crmEdits).toEqual([{ ref: 'cp-1', crmId: '10', field: 'title' }]);
  });

  it('owner crm: never overwritten', () => {
    const p = plan({ onecTitle: 'Новое 1С', crmTitle: 'Ромашка (ред.)', owner: 'crm' });
    // Nothing is written, the record is unchanged at its new version, title is not even remembered as pushed.
    expect(p.update).toEqual([]);
    expect(p.conflict).toEqual([]);
    expect(p.crmEdits).toEqual([]);
    expect(p.unchanged).toHaveLength(1);
    expect(p.unchanged[0]).toMatchObject({ ref: 'cp-1', crmId: '10', dataVersion: 'v2' });
    expect(p.unchanged[0].pushedValues).not.toHaveProperty('title');
  });

  it('owner both, only the CRM changed: the CRM edit stands', () => {
    const p = plan({
      onecTitle: 'ООО «Ромашка»',
      crmTitle: 'Ромашка (ред.)',
      owner: 'both',
      strategy: 'onec_wins',
    });
    expect(p.update).toEqual([]);
    expect(p.crmEdits).toHaveLength(1);
    expect(p.unchanged[0].pushedValues.title).toBe('ООО «Ромашка»');
  });

  it('owner both, both changed, onec_wins: 1C is written', () => {
    const p = plan({
      onecTitle: 'Новое 1С',
      crmTitle: 'Ромашка (ред.)',
      owner: 'both',
      strategy: 'onec_wins',
    });
    expect(p.update).toMatchObject([{ fields: { title: 'Новое 1С', taxIds: { name: 'Новое 1С' } } }]);
  });

  it('owner both, both changed, last_write_wins: 1C change time = when sync first saw the version', () => {
    // New version seen now (12:00Z) vs CRM edit at 07:00Z → 1C wins.
    const a = plan({
      onecTitle: 'Новое 1С',
      crmTitle: 'Ромашка (ред.)',
      owner: 'both',
      strategy: 'last_write_wins',
      crmUpdated: '2026-11-28T10:00:00+03:00',
    });
    expect(a.update).toMatchObject([{ fields: { title: 'Новое 1С' } }]);
    // Same version already seen at 06:00Z (a full run), CRM edited later at 07:00Z → the CRM wins.
    const b = plan({
      onecTitle: 'Новое 1С',
      crmTitle: 'Ромашка (ред.)',
      owner: 'both',
      strategy: 'last_write_wins',
      version: 'v1',
      seenAt: new Date('2026-11-28T06:00:00Z'),
      crmUpdated: '2026-11-28T10:00:00+03:00',
    });
    expect(b.update).toEqual([]);
    expect(b.conflict).toEqual([]);
  });

  it('owner both, both changed, manual: nothing overwritten, a conflict opens', () => {
    const p = plan({ onecTitle: 'Новое 1С', crmTitle: 'Ромашка (ред.)', owner: 'both', strategy: 'manual' });
    expect(p.update).toEqual([]);
    expect(p.conflict).toEqual([
      { ref: 'cp-1', crmId: '10', field: 'title', onecValue: 'Новое 1С', crmValue: 'Ромашка (ред.)' },
    ]);
  });
});
