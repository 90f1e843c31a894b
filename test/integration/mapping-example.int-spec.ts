import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMapping } from '../../src/mapping/mapping.loader.js';

describe('the annotated mapping example of the README', () => {
  it('is a valid mapping file', () => {
    const text = readFileSync(join(import.meta.dirname, '../../docs/examples/mapping.yaml'), 'utf8');
    const m = parseMapping(text, { file: 'docs/examples/mapping.yaml', format: 'yaml' });
    expect(m.originatorId).toBe('sverka-bp30-main');
    expect(m.deals.statusMap['Согласован']).toBe('PREPARATION');
    expect(m.counterparties.fields.phones).toMatchObject({ owner: 'both', strategy: 'manual' });
    expect(m.deletionMarker).toEqual({ field: 'ufCrmSverkaDeleted', value: 'Удалён в 1С' });
    expect(m.counterparties.fields.kpp.owner).toBe('onec'); // untouched defaults stay
  });
});
