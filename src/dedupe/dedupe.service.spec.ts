import { Test } from '@nestjs/testing';
import { innWithCheckDigits } from '../common/ru-ids.js';
import type { DedupeRecord } from './dedupe.types.js';
import { DedupeModule } from './dedupe.module.js';
import { DedupeService } from './dedupe.service.js';

const INN = innWithCheckDigits('770123456');

async function* paged(records: DedupeRecord[]): AsyncIterable<DedupeRecord> {
  for (const r of records) {
    await Promise.resolve();
    yield r;
  }
}

describe('DedupeService', () => {
  it('streams both sides from async iterables and returns clusters of every scope', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [DedupeModule] }).compile();
    const service = moduleRef.get(DedupeService);
    const onec: DedupeRecord[] = [
      { system: 'onec', id: 'ref-1', name: 'ООО «Ромашка»', inn: INN, phones: ['+74951234567'], emails: [] },
      { system: 'onec', id: 'ref-2', name: 'Ромашка, ООО', inn: INN, phones: [], emails: [] },
    ];
    const crm: DedupeRecord[] = [
      { system: 'crm', id: '2919', name: 'Romashka LLC', phones: ['8 (495) 123-45-67'], emails: [] },
      { system: 'crm', id: '2920', name: 'ООО Ромашка', inn: INN, phones: [], emails: [], linkedTo: 'ref-1' },
    ];
    const result = await service.findClusters({ onec: paged(onec), crm });
    expect(result.clusters.map((c) => [c.scope, c.members.map((m) => m.id)])).toEqual(
      expect.arrayContaining([
        ['onec', ['ref-1', 'ref-2']],
        ['cross', ['ref-1', 'ref-2', '2919']],
        ['crm', ['2919', '2920']],
      ]),
    );
    expect(result.stats.records).toEqual({ onec: 2, crm: 2, crmUnlinked: 1 });
    await moduleRef.close();
  });

  it('passes options through (scopes, branches)', async () => {
    const service = new DedupeService();
    const branches: DedupeRecord[] = [
      { system: 'onec', id: 'b1', name: 'ООО Ромашка', inn: INN, kpp: '770101001', phones: [], emails: [] },
      { system: 'onec', id: 'b2', name: 'ООО Ромашка', inn: INN, kpp: '165501001', phones: [], emails: [] },
    ];
    expect((await service.findClusters({ onec: branches, crm: [] })).clusters).toEqual([]);
    const same = await service.findClusters({
      onec: branches,
      crm: [],
      options: { branchesAreSameParty: true, scopes: ['onec'] },
    });
    expect(same.clusters).toHaveLength(1);
  });
});
