import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BITRIX24_MAPPING_DEFAULTS } from '../../src/crm/bitrix24/bitrix24.defaults.js';
import { bitrix24ConfigOf } from '../../src/crm/bitrix24/bitrix24.adapter.js';
import { amoCrmConfigOf } from '../../src/crm/amocrm/amocrm.adapter.js';
import { parseMapping } from '../../src/mapping/mapping.loader.js';

describe('the annotated mapping example of the README', () => {
  it('is a valid mapping file', () => {
    const text = readFileSync(join(import.meta.dirname, '../../docs/examples/mapping.yaml'), 'utf8');
    const warnings: string[] = [];
    const m = parseMapping(text, {
      file: 'docs/examples/mapping.yaml',
      format: 'yaml',
      source: 'sverka-1c',
      crm: BITRIX24_MAPPING_DEFAULTS,
      onWarning: (w) => warnings.push(w),
    });
    // The example uses today's names only.
    expect(warnings).toEqual([]);
    expect(m.source).toBe('sverka-bp30-main');
    expect(m.deals.statusMap['Согласован']).toBe('PREPARATION');
    expect(m.counterparties.fields.phones).toMatchObject({ owner: 'both', strategy: 'manual' });
    expect(bitrix24ConfigOf(m.crm.bitrix24)).toEqual({
      deletionMarker: { field: 'ufCrmSverkaDeleted', value: 'Удалён в 1С' },
      presets: { legal: 'Организация', entrepreneur: 'ИП', person: 'Физ. лицо' },
      dealCategoryId: '0',
    });
    expect(amoCrmConfigOf(m.crm.amocrm)).toEqual({
      pipeline: 'Воронка',
      fields: {
        key: 'Ключ 1С',
        inn: 'ИНН',
        kpp: 'КПП',
        ogrn: 'ОГРН',
        fullName: 'Полное наименование',
        deleted: 'Удалён в 1С',
      },
    });
    expect(m.conflicts).toEqual({ todo: true, todoDeadlineHours: 48, todoFallbackUser: '1' });
    expect(m.counterparties.fields.kpp.owner).toBe('onec'); // untouched defaults stay
  });
});
