import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultMapping } from './default-mapping.js';
import { loadMapping, MappingError, parseMapping } from './mapping.loader.js';

describe('mapping loader', () => {
  it('no file → the built-in default with the originator id of the settings', async () => {
    expect(await loadMapping({ ONEC_MAPPING_FILE: undefined, ONEC_ORIGINATOR_ID: 'x1' } as never)).toEqual(
      defaultMapping('x1'),
    );
  });
  it('merges a YAML file over the default (field rules merged, other fields kept)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'map-'));
    const file = join(dir, 'm.yaml');
    writeFileSync(
      file,
      'contacts:\n  fields:\n    phones: { strategy: manual }\ndeals:\n  deletedStage: APOLOGY\n',
    );
    const m = await loadMapping({ ONEC_MAPPING_FILE: file, ONEC_ORIGINATOR_ID: 'sverka-1c' } as never);
    expect(m.contacts.fields.phones).toEqual({
      owner: 'both',
      strategy: 'manual',
      transforms: ['phone_e164'],
    });
    expect(m.deals.deletedStage).toBe('APOLOGY');
    expect(m.deals.statusMap).toEqual(defaultMapping().deals.statusMap);
  });
  it('reads JSON by extension', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'map-'));
    const file = join(dir, 'm.json');
    writeFileSync(file, JSON.stringify({ counterparties: { strategy: 'last_write_wins' } }));
    expect((await loadMapping({ ONEC_MAPPING_FILE: file } as never)).counterparties.strategy).toBe(
      'last_write_wins',
    );
  });
  it('one clear line per mistake, naming the path', () => {
    try {
      parseMapping(
        'contacts:\n  fields:\n    phone: { owner: onec }\n    emails: { owner: nobody }\ndeals:\n  currencyId: rub\nextra: 1\n',
        { file: 'm.yaml', format: 'yaml' },
      );
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(MappingError);
      const p = (e as MappingError).problems;
      expect(p).toHaveLength(4);
      expect(p.join('\n')).toMatch(/contacts\.fields: unknown field\(s\) "phone"/);
      expect(p.join('\n')).toMatch(/contacts\.fields\.emails\.owner/);
      expect(p.join('\n')).toMatch(/deals\.currencyId: a three-letter currency code/);
      expect(p.join('\n')).toMatch(/unknown key\(s\): extra/);
    }
  });
  it('a file that is not YAML/JSON or cannot be read is one clear error', async () => {
    expect(() => parseMapping('{', { format: 'json' })).toThrow(/not valid JSON/);
    await expect(loadMapping({ ONEC_MAPPING_FILE: '/nonexistent/m.yaml' } as never)).rejects.toThrow(
      /cannot be read: ENOENT/,
    );
  });
  it('deletionMarker: a CRM user field and value; anything else, or with deletions: ignore, is refused', () => {
    expect(
      parseMapping('deletionMarker: { field: ufCrmSverkaDeleted, value: "Удалён в 1С" }\n', {
        format: 'yaml',
      }).deletionMarker,
    ).toEqual({ field: 'ufCrmSverkaDeleted', value: 'Удалён в 1С' });
    expect(defaultMapping().deletionMarker).toBeUndefined();
    expect(() => parseMapping('deletionMarker: { field: title, value: X }\n', { format: 'yaml' })).toThrow(
      /deletionMarker\.field: a CRM user field/,
    );
    expect(() =>
      parseMapping('deletions: ignore\ndeletionMarker: { field: ufCrm_1, value: Y }\n', { format: 'yaml' }),
    ).toThrow(/deletionMarker: needs "deletions: flag"/);
  });
});
