import { innWithCheckDigits } from '../common/ru-ids.js';
import type { DedupeRecord } from './dedupe.types.js';
import { clusterId, findDuplicates } from './find-duplicates.js';

const INN_A = innWithCheckDigits('770123456');
const INN_B = innWithCheckDigits('165512345');

function onec(id: string, name: string, p: Partial<DedupeRecord> = {}): DedupeRecord {
  return { system: 'onec', id, name, phones: [], emails: [], ...p };
}
function crm(id: string, name: string, p: Partial<DedupeRecord> = {}): DedupeRecord {
  return { system: 'crm', id, name, phones: [], emails: [], ...p };
}

const records: DedupeRecord[] = [
  onec('a348aa8c-0001', 'ООО "Ромашка"', { inn: INN_A, phones: ['+7 495 123-45-67'] }),
  onec('a348aa8c-0002', 'Ромашка ООО', { inn: INN_A }),
  onec('a348aa8c-0003', 'ООО "Ромашка"', { inn: INN_B, phones: ['+7 843 212-34-56'] }), // Kazan namesake
  crm('2919', 'Ромашка ООО', { phones: ['8 (495) 123-45-67'] }), // manager copy, not linked
  crm('2920', 'ООО Ромашка', { inn: INN_A, linkedTo: 'a348aa8c-0001', phones: ['+74951234567'] }), // sync's linked copy
  crm('3001', 'Лютик', { emails: ['info@lutik.ru'] }),
  crm('3002', 'ООО «Лютик»', { emails: ['INFO@lutik.ru'] }),
];

describe('findDuplicates', () => {
  it('finds clusters per scope with members, score and reasons (the API cluster shape)', () => {
    const { clusters } = findDuplicates(records);
    const byScope = (s: string) =>
      clusters.filter((c) => c.scope === s).map((c) => c.members.map((m) => `${m.system}:${m.id}`));
    expect(byScope('onec')).toEqual([['onec:a348aa8c-0001', 'onec:a348aa8c-0002']]);
    // 0002 has no phone: against 2919 only the name speaks, and that name has a namesake (other INN).
    expect(byScope('cross')).toEqual([['onec:a348aa8c-0001', 'crm:2919']]);
    expect(byScope('crm')).toEqual(
      expect.arrayContaining([
        ['crm:2919', 'crm:2920'],
        ['crm:3001', 'crm:3002'],
      ]),
    );
    const cross = clusters.find((c) => c.scope === 'cross')!;
    expect(cross.members.map((m) => m.id)).toContain('2919');
    expect(cross.members.map((m) => m.id)).not.toContain('2920'); // linked: not a cross duplicate
    expect(cross.members.map((m) => m.id)).not.toContain('a348aa8c-0003'); // other INN
    expect(cross.members[0]).toEqual({
      system: 'onec',
      id: expect.any(String),
      name: expect.stringContaining('Ромашка'),
      inn: INN_A,
    });
    expect(cross.reasons).toEqual(
      expect.arrayContaining(['name similarity 1.00 after normalisation', 'same phone +74951234567']),
    );
    expect(cross.reasonDetails.find((r) => r.code === 'same_phone')?.maskedText).toBe(
      'same phone +7******4567',
    );
    expect(cross.score).toBeGreaterThanOrEqual(0.9);
    expect(cross.level).toBe('duplicate');
  });

  it('keeps namesakes with different INNs apart', () => {
    const { clusters } = findDuplicates(records);
    for (const c of clusters) {
      const inns = new Set(c.members.map((m) => m.inn).filter(Boolean));
      expect(inns.size).toBeLessThanOrEqual(1);
    }
  });

  it('a bare name that two INNs carry is not enough; a shared phone settles which namesake it is', () => {
    const moscow = onec('n-1', 'ООО Ромашка', { inn: INN_A, phones: ['+74951234567'] });
    const kazan = onec('n-2', 'ООО Ромашка', { inn: INN_B, phones: ['+78432123456'] });
    const bare = crm('n-3', 'Ромашка');
    expect(findDuplicates([moscow, kazan, bare]).clusters).toEqual([]);
    const withPhone = crm('n-3', 'Ромашка', { phones: ['8 843 212-34-56'] });
    const { clusters } = findDuplicates([moscow, kazan, withPhone]);
    expect(clusters.map((c) => c.members.map((m) => m.id))).toEqual([['n-2', 'n-3']]);
  });

  it('computes only the scopes asked for', () => {
    const { clusters } = findDuplicates(records, { scopes: ['cross'] });
    expect(new Set(clusters.map((c) => c.scope))).toEqual(new Set(['cross']));
  });

  it('is deterministic: shuffled input gives the same clusters and ids', () => {
    const a = findDuplicates(records).clusters;
    const b = findDuplicates([...records].reverse()).clusters;
    expect(b).toEqual(a);
    expect(a[0].id).toBe(
      clusterId(
        a[0].scope,
        a[0].members.map((m) => `${m.system}:${m.id}`),
      ),
    );
    expect(a[0].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('a business-centre switchboard shared by many companies links none of them', () => {
    const names = [
      'Альфа',
      'Бета',
      'Гамма',
      'Дельта',
      'Омега',
      'Сигма',
      'Вектор',
      'Кварц',
      'Гранит',
      'Орион',
    ];
    const bc = names.map((n, i) => onec(`bc-${i}`, `ООО ${n} Консалт`, { phones: ['+7 495 777-00-00'] }));
    const { clusters, pairs } = findDuplicates(bc);
    expect(clusters).toEqual([]);
    expect(pairs).toEqual([]);
  });

  it('branches: separate parties by default, one cluster with branchesAreSameParty', () => {
    const branches = [
      onec('br-1', 'ООО Ромашка', { inn: INN_A, kpp: '770101001' }),
      onec('br-2', 'ООО Ромашка', { inn: INN_A, kpp: '165501001' }),
    ];
    expect(findDuplicates(branches).clusters).toEqual([]);
    const same = findDuplicates(branches, { branchesAreSameParty: true }).clusters;
    expect(same.map((c) => c.members.map((m) => m.id))).toEqual([['br-1', 'br-2']]);
  });

  it('minLevel duplicate drops possible clusters; per-pair details explain each link', () => {
    const recs = [onec('p-1', 'ООО Стройинвестгрупп', { inn: INN_A }), onec('p-2', 'Стройинвестгруп')];
    const all = findDuplicates(recs);
    expect(all.clusters.map((c) => c.level)).toEqual(['possible']);
    expect(all.pairs).toEqual([
      expect.objectContaining({
        clusterId: all.clusters[0].id,
        scope: 'onec',
        level: 'possible',
        a: expect.objectContaining({ id: 'p-1' }),
        b: expect.objectContaining({ id: 'p-2' }),
      }),
    ]);
    expect(findDuplicates(recs, { minLevel: 'duplicate' }).clusters).toEqual([]);
  });

  it('refuses thresholds out of order', () => {
    expect(() => findDuplicates(records, { thresholds: { possible: 0.95, duplicate: 0.9 } })).toThrow(
      RangeError,
    );
  });

  it('reports stats: records per system, candidate pairs, clusters per scope', () => {
    const { stats } = findDuplicates(records);
    expect(stats.records).toEqual({ onec: 3, crm: 4, crmUnlinked: 3 });
    expect(stats.candidatePairs).toBeGreaterThan(0);
    expect(stats.clusters.onec).toBe(1);
  });
});

describe('findDuplicatesInTableAsync', () => {
  it('gives the same result as the synchronous form and lets the event loop run in between', async () => {
    const { findDuplicatesInTable, findDuplicatesInTableAsync, prepareRecords } =
      await import('./find-duplicates.js');
    const { generateLabelledDataset } = await import('../../sim/labelled/labelled-dataset.js');
    const ds = generateLabelledDataset({ seed: 5, parties: 600 });
    const sync = findDuplicatesInTable(prepareRecords(ds.records));
    let ticks = 0;
    let running = true;
    const tick = () => {
      ticks++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const async = await findDuplicatesInTableAsync(prepareRecords(ds.records));
    running = false;
    expect(async.clusters).toEqual(sync.clusters);
    expect(async.pairs).toEqual(sync.pairs);
    expect(ticks).toBeGreaterThanOrEqual(3);
  });
});
