import { toCrmCompany } from './company.converter.js';
import { toCrmContact } from './contact.converter.js';
import { convertRows } from './converter.util.js';
import { toAmoCurrent } from './current.converter.js';
import { fixture, fixtureContext, rowsOf } from './fixtures.util.js';
import { toCrmDeal } from './lead.converter.js';
import { stagesOf, statusIdOf, toAmoPipelines } from './stage.converter.js';

describe('amoCRM rows → CrmPort records (golden fixtures test/fixtures/amocrm/*)', () => {
  const cases = [
    ['companies', 'companies', toCrmCompany],
    ['contacts', 'contacts', toCrmContact],
    ['deals', 'leads', toCrmDeal],
  ] as const;

  it.each(cases)('%s: the payload shapes of docs/protocols/amocrm.md', (entity, amo, fn) => {
    const ctx = fixtureContext(amo);
    const read = convertRows(entity, rowsOf('ok', amo), (r) => fn(r, ctx));
    expect(read.malformed).toEqual([]);
    expect(read.records).toEqual(fixture('ok', `${amo}.expected.json`));
  });

  it.each(cases)('%s: each malformed row is a CrmMalformedRecord, never an exception or a silent skip', (entity, amo, fn) => {
    const ctx = fixtureContext(amo);
    const rows = rowsOf('not-ok', amo);
    const read = convertRows(entity, rows, (r) => fn(r, ctx));
    expect(read.records).toEqual([]);
    expect(read.malformed).toEqual(fixture('not-ok', `${amo}.expected.json`));
    expect(read.malformed).toHaveLength(rows.length);
  });

  it('what a write needs of a record: phones and e-mails with their codes, a name’s parts, the company', () => {
    expect(rowsOf('ok', 'contacts').map((r) => toAmoCurrent(r as Record<string, unknown>))).toEqual(fixture('ok', 'currents.expected.json'));
  });

  it('pipelines: stages by name (statuses in sort order, a repeated name once), 142/143 as won and lost', () => {
    const pipelines = toAmoPipelines(fixture('ok', 'pipelines.json'));
    const main = pipelines.find((p) => p.isMain)!;
    expect(stagesOf(main)).toEqual(fixture('ok', 'stages.expected.json'));
    expect(statusIdOf(main, 'Первичный контакт')).toBe(77000012);
    expect(statusIdOf(main, '142')).toBe(142);
    expect(statusIdOf(main, 'Успешно реализовано')).toBeUndefined();
    expect(statusIdOf(main, 'Нет такого')).toBeUndefined();
    expect(() => toAmoPipelines({ _embedded: {} })).toThrow('_embedded.pipelines is not an array');
    expect(() => toAmoPipelines({ _embedded: { pipelines: [{ id: 1, name: 'x' }] } })).toThrow('pipeline 1: _embedded.statuses is not an array');
  });
});
