import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultMapping } from './default-mapping.js';
import { loadMapping, MappingError, parseMapping } from './mapping.loader.js';

/** The deal stages a CRM adapter would give (any CRM: the mapping does not know them). */
const crm = { statusMap: { НеСогласован: 'S1', Закрыт: 'S9' }, deletedStage: 'S0' };
const settings = (file?: string, source = 'sverka-1c') => ({ ONEC_MAPPING_FILE: file, ONEC_ORIGINATOR_ID: source });
const yaml = (text: string, onWarning?: (w: string) => void) =>
  parseMapping(text, { file: 'm.yaml', format: 'yaml', source: 'sverka-1c', crm, onWarning });

describe('mapping loader', () => {
  it('no file → the built-in default with the source of the settings and the CRM adapter’s stages', async () => {
    const m = await loadMapping(settings(undefined, 'x1'), crm);
    expect(m).toEqual(defaultMapping('x1', crm));
    expect(m.deals.statusMap).toEqual(crm.statusMap);
    expect(m.deals.deletedStage).toBe('S0');
  });

  it('merges a YAML file over the default (field rules merged, other fields kept)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'map-'));
    const file = join(dir, 'm.yaml');
    writeFileSync(file, 'contacts:\n  fields:\n    phones: { strategy: manual }\ndeals:\n  deletedStage: APOLOGY\n');
    const m = await loadMapping(settings(file), crm);
    expect(m.contacts.fields.phones).toEqual({ owner: 'both', strategy: 'manual', transforms: ['phone_e164'] });
    expect(m.deals.deletedStage).toBe('APOLOGY');
    expect(m.deals.statusMap).toEqual(crm.statusMap);
  });

  it('reads JSON by extension', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'map-'));
    const file = join(dir, 'm.json');
    writeFileSync(file, JSON.stringify({ counterparties: { strategy: 'last_write_wins' } }));
    expect((await loadMapping(settings(file), crm)).counterparties.strategy).toBe('last_write_wins');
  });

  it('one clear line per mistake, naming the path', () => {
    try {
      yaml('contacts:\n  fields:\n    phone: { owner: onec }\n    emails: { owner: nobody }\ndeals:\n  currency: rub\nextra: 1\n');
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(MappingError);
      const p = (e as MappingError).problems;
      expect(p).toHaveLength(4);
      expect(p.join('\n')).toMatch(/contacts\.fields: unknown field\(s\) "phone"/);
      expect(p.join('\n')).toMatch(/contacts\.fields\.emails\.owner/);
      expect(p.join('\n')).toMatch(/deals\.currency: a three-letter currency code/);
      expect(p.join('\n')).toMatch(/unknown key\(s\): extra/);
    }
  });

  it('a file that is not YAML/JSON or cannot be read is one clear error', async () => {
    expect(() => parseMapping('{', { format: 'json', source: 's', crm })).toThrow(/not valid JSON/);
    await expect(loadMapping(settings('/nonexistent/m.yaml'), crm)).rejects.toThrow(/cannot be read: ENOENT/);
  });

  it('a CRM adapter’s section is kept as it is for that adapter to check; files of Sverka 0.1 still load, with warnings', () => {
    expect(yaml('bitrix24: { anything: 1 }\n').crm).toEqual({ bitrix24: { anything: 1 } });
    const warnings: string[] = [];
    const m = yaml(
      'originatorId: old-base\ndeletionMarker: { field: ufCrmX, value: Y }\ncontacts:\n  fields:\n    name: { owner: crm }\ndeals:\n  currencyId: USD\n',
      (w) => warnings.push(w),
    );
    expect(m.source).toBe('old-base');
    expect(m.crm).toEqual({ bitrix24: { deletionMarker: { field: 'ufCrmX', value: 'Y' } } });
    expect(m.contacts.fields.firstName).toEqual({ owner: 'crm', transforms: ['trim'] });
    expect(m.deals.currency).toBe('USD');
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toBe('m.yaml: "originatorId" is now "source" (the old name still works; rename it when convenient)');
  });

  it('conflicts: to-dos on by default (48 h); the file may switch them off, change the hours, name a fallback user', () => {
    expect(yaml('{}').conflicts).toEqual({ todo: true, todoDeadlineHours: 48 });
    expect(yaml('conflicts: { todo: false }\n').conflicts).toEqual({ todo: false, todoDeadlineHours: 48 });
    expect(yaml('conflicts: { todoDeadlineHours: 24, todoFallbackUser: 17 }\n').conflicts).toEqual({
      todo: true,
      todoDeadlineHours: 24,
      todoFallbackUser: '17',
    });
    expect(() => yaml('conflicts: { todoDeadlineHours: 0, todo: "yes", owner: 1 }\n')).toThrow(
      /conflicts\.todo: [^\n]*\n[^]*conflicts\.todoDeadlineHours: at least 1 hour[^]*conflicts: unknown key\(s\): owner/,
    );
  });
  it('matching: defaults inn_kpp, name_email_phone, hold; the file may switch each off or create on ambiguity', () => {
    expect(yaml('{}').matching).toEqual({ counterparties: 'inn_kpp', contacts: 'name_email_phone', onAmbiguous: 'hold' });
    expect(yaml('matching: { contacts: off, onAmbiguous: create }\n').matching).toEqual({
      counterparties: 'inn_kpp',
      contacts: 'off',
      onAmbiguous: 'create',
    });
    try {
      yaml('matching: { counterparties: inn, onAmbiguous: ask, fuzzy: true }\n');
      throw new Error('no error');
    } catch (e) {
      expect((e as MappingError).problems).toEqual([
        'matching.counterparties: must be inn_kpp or off',
        'matching.onAmbiguous: must be hold or create',
        'matching: unknown key(s): fuzzy',
      ]);
    }
  });

  it('scope: none by default; folders lower-cased, INNs as digits, repeats dropped', () => {
    expect(yaml('{}').scope).toEqual({});
    const m = yaml(
      "scope:\n  counterparties:\n    folders: ['5F1B0F0E-3C2D-11E5-80C9-000C29B6A4F2', 5f1b0f0e-3c2d-11e5-80c9-000c29b6a4f2]\n    inn: ['0274062111', '500100732259', '0274062111']\n",
    );
    expect(m.scope).toEqual({
      counterparties: { folders: ['5f1b0f0e-3c2d-11e5-80c9-000c29b6a4f2'], inn: ['0274062111', '500100732259'] },
    });
    expect(yaml("scope: { counterparties: { inn: ['7701234567'] } }\n").scope).toEqual({
      counterparties: { inn: ['7701234567'] },
    });
  });

  it('scope: one clear line per wrong folder, wrong INN, unknown key, or a scope naming nothing', () => {
    try {
      yaml(
        "scope:\n  counterparties:\n    folders: ['Покупатели']\n    inn: ['77012345', 274062111, '7701234567']\n    kpp: ['770101001']\n  contacts: {}\n",
      );
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(MappingError);
      expect((e as MappingError).problems).toEqual([
        'scope.counterparties.folders.0: "Покупатели" is not a Ref_Key (a GUID like 5f1b0f0e-3c2d-11e5-80c9-000c29b6a4f2)',
        'scope.counterparties.inn.0: "77012345" is not an INN (10 or 12 digits)',
        'scope.counterparties.inn.1: "274062111" is not an INN (10 or 12 digits); write INNs in quotes, a leading 0 is lost otherwise',
        'scope.counterparties: unknown key(s): kpp',
        'scope: unknown key(s): contacts',
      ]);
    }
    expect(() => yaml('scope: { counterparties: { folders: [], inn: [] } }\n')).toThrow(
      /scope\.counterparties: name at least one folder or INN \(or leave scope out: the whole base\)/,
    );
  });
});
