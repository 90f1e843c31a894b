import { taxIds } from '../../test/factories/sync-records.js';
import type { CrmPort } from '../crm/crm.port.js';
import type { CrmCompanyCandidate } from '../crm/crm.types.js';
import { CompanyCandidates } from './sync-matcher.js';

const company = (id: string, inn: string, owned = false): CrmCompanyCandidate => ({
  id,
  title: id,
  external: owned ? { source: 'other', key: id } : null,
  taxIds: [taxIds({ inn, kpp: '' })],
  responsibleId: null,
});

describe('CompanyCandidates: one bulk read per run', () => {
  it('asks the CRM once, for every unlinked INN of the run, and serves each chunk from it', async () => {
    const asked: string[][] = [];
    const crm = {
      matching: {
        companiesByInn: async (inns: string[]) => {
          asked.push([...inns].sort());
          return {
            records: [
              company('1', '7707083893'),
              company('2', '5024089920'),
              company('3', '5024089920', true),
            ],
            malformed: [],
          };
        },
      },
    } as unknown as CrmPort;
    const c = new CompanyCandidates(crm, async () => ['7707083893', '5024089920', '500100732259']);
    expect((await c.forInns(['7707083893'])).map((x) => x.id)).toEqual(['1']);
    expect((await c.forInns(['5024089920', '500100732259'])).map((x) => x.id)).toEqual(['2']);
    expect(asked).toEqual([['500100732259', '5024089920', '7707083893']]);
  });

  it('a company linked earlier in the run is offered no more', async () => {
    const crm = {
      matching: { companiesByInn: async () => ({ records: [company('1', '7707083893')], malformed: [] }) },
    } as unknown as CrmPort;
    const c = new CompanyCandidates(crm, async () => ['7707083893']);
    expect((await c.forInns(['7707083893'])).map((x) => x.id)).toEqual(['1']);
    c.claim('1');
    expect(await c.forInns(['7707083893'])).toEqual([]);
  });
});
