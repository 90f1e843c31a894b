import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Settings } from '../config/settings.schema.js';
import { defaultMapping } from './default-mapping.js';
import { renameOldKeys } from './mapping-renames.js';
import { FIELD_NAMES, type CrmMappingDefaults, type Mapping } from './mapping.types.js';

/** A mapping file that cannot be used: one line per mistake, each naming its path in the file. */
export class MappingError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: the mapping is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'MappingError';
  }
}

const strategy = z.enum(['onec_wins', 'last_write_wins', 'manual']);
const fieldRule = z
  .object({
    owner: z.enum(['onec', 'crm', 'both']).optional(),
    strategy: strategy.optional(),
    transforms: z.array(z.enum(['trim', 'phone_e164', 'email_lower'])).optional(),
    pushInvalid: z.boolean().optional(),
  })
  .strict();

const fieldsOf = (entity: keyof typeof FIELD_NAMES) =>
  z
    .object(Object.fromEntries(FIELD_NAMES[entity].map((f) => [f, fieldRule.optional()])))
    .strict()
    .optional();

const entityBase = { onecSet: z.string().min(1).optional(), strategy: strategy.optional() };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A folder's Ref_Key (any case; kept lower-cased, as 1C keys are compared everywhere). */
const folderRef = z.string().transform((v, ctx) => {
  const ref = v.trim().toLowerCase();
  if (!GUID.test(ref))
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a Ref_Key (a GUID like 5f1b0f0e-3c2d-11e5-80c9-000c29b6a4f2)` });
  return ref;
});

/** An INN, digits only: 10 (organisation) or 12 (person). A YAML number loses a leading 0: say so. */
const scopeInn = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const inn = String(v).trim();
  if (!/^(\d{10}|\d{12})$/.test(inn))
    ctx.addIssue({
      code: 'custom',
      message:
        `"${inn}" is not an INN (10 or 12 digits)` +
        (typeof v === 'number' ? '; write INNs in quotes, a leading 0 is lost otherwise' : ''),
    });
  return inn;
});

/** The file's shape: every key optional; what is given overrides the built-in default. */
const mappingFile = z
  .object({
    source: z.string().min(1).max(100).optional(),
    deletions: z.enum(['flag', 'ignore']).optional(),
    conflicts: z
      .object({
        todo: z.boolean().optional(),
        todoDeadlineHours: z
          .number()
          .int('a whole number of hours')
          .min(1, 'at least 1 hour')
          .max(8760, 'at most 8760 hours (a year)')
          .optional(),
        todoFallbackUser: z
          .union([z.string().regex(/^\S+$/, 'a CRM user id like "17"'), z.number().int().positive()])
          .optional(),
      })
      .strict()
      .optional(),
    matching: z
      .object({
        counterparties: z.enum(['inn_kpp', 'off'], { message: 'must be inn_kpp or off' }).optional(),
        contacts: z.enum(['name_email_phone', 'off'], { message: 'must be name_email_phone or off' }).optional(),
        onAmbiguous: z.enum(['hold', 'create'], { message: 'must be hold or create' }).optional(),
      })
      .strict()
      .optional(),
    scope: z
      .object({
        counterparties: z
          .object({ folders: z.array(folderRef).optional(), inn: z.array(scopeInn).optional() })
          .strict()
          .refine((c) => !!(c.folders?.length || c.inn?.length), {
            message: 'name at least one folder or INN (or leave scope out: the whole base)',
          })
          .optional(),
      })
      .strict()
      .optional(),
    // One section per CRM adapter, checked by that adapter at start (src/crm/<vendor>/).
    bitrix24: z.record(z.string(), z.unknown()).optional(),
    amocrm: z.record(z.string(), z.unknown()).optional(),
    counterparties: z
      .object({ ...entityBase, fields: fieldsOf('counterparties') })
      .strict()
      .optional(),
    contacts: z
      .object({ ...entityBase, fields: fieldsOf('contacts') })
      .strict()
      .optional(),
    deals: z
      .object({
        ...entityBase,
        currency: z
          .string()
          .regex(/^[A-Z]{3}$/, 'a three-letter currency code')
          .optional(),
        statusMap: z.record(z.string(), z.string().min(1)).optional(),
        deletedStage: z.string().min(1).optional(),
        ordersSince: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
          .optional(),
        fields: fieldsOf('deals'),
      })
      .strict()
      .optional(),
    debts: z
      .object({
        register: z.string().min(1).optional(),
        chartOfAccounts: z.string().min(1).optional(),
        accounts: z.array(z.string().min(1)).min(1).optional(),
        openInvoiceStages: z.array(z.string().min(1)).optional(),
        tolerance: z
          .string()
          .regex(/^\d+(\.\d{1,2})?$/, 'a decimal amount like "1.00"')
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

type MappingFile = z.infer<typeof mappingFile>;

export interface ParseMappingOptions {
  file?: string;
  format?: 'json' | 'yaml';
  /** ONEC_ORIGINATOR_ID: the default `source`. */
  source: string;
  /** The deal stages of the CRM in use (its adapter's defaults). */
  crm: CrmMappingDefaults;
  /** Told about keys of older mapping files that were renamed (logged at start). */
  onWarning?: (message: string) => void;
}

/** Parses and validates mapping text (JSON or YAML by `format`), merged over defaultMapping(). */
export function parseMapping(text: string, opts: ParseMappingOptions): Mapping {
  const file = opts.file ?? 'mapping';
  let raw: unknown;
  try {
    raw = opts.format === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new MappingError(file, [
      `not valid ${opts.format === 'json' ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`,
    ]);
  }
  const renamed = renameOldKeys(raw ?? {});
  for (const w of renamed.warnings) opts.onWarning?.(`${file}: ${w}`);
  const res = mappingFile.safeParse(renamed.value);
  if (!res.success)
    throw new MappingError(
      file,
      res.error.issues.map((i) => {
        const path = i.path.join('.') || '(top level)';
        let msg = i.message;
        if (i.code === 'unrecognized_keys') {
          const entity = i.path[0] as keyof typeof FIELD_NAMES;
          msg =
            i.path[1] === 'fields' && FIELD_NAMES[entity]
              ? `unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')} (known: ${FIELD_NAMES[entity].join(', ')})`
              : `unknown key(s): ${i.keys.join(', ')}`;
        }
        return `${path}: ${msg}`;
      }),
    );
  return merge(defaultMapping(opts.source, opts.crm), res.data);
}

function merge(base: Mapping, f: MappingFile): Mapping {
  const m = structuredClone(base);
  if (f.source) m.source = f.source;
  if (f.deletions) m.deletions = f.deletions;
  if (f.conflicts) {
    const { todoFallbackUser, ...rest } = f.conflicts;
    Object.assign(m.conflicts, rest);
    if (todoFallbackUser !== undefined) m.conflicts.todoFallbackUser = String(todoFallbackUser);
  }
  if (f.bitrix24) m.crm.bitrix24 = f.bitrix24;
  if (f.amocrm) m.crm.amocrm = f.amocrm;
  for (const entity of ['counterparties', 'contacts', 'deals'] as const) {
    const e = f[entity];
    if (!e) continue;
    const { fields, ...rest } = e;
    Object.assign(m[entity], rest);
    for (const [name, rule] of Object.entries(fields ?? {}))
      m[entity].fields[name] = { ...(m[entity].fields[name] ?? { owner: 'onec' }), ...rule } as never;
  }
  if (f.deals?.statusMap) m.deals.statusMap = f.deals.statusMap;
  if (f.debts) Object.assign(m.debts, f.debts);
  if (f.matching) Object.assign(m.matching, f.matching);
  const scoped = f.scope?.counterparties;
  if (scoped) {
    m.scope.counterparties = {};
    if (scoped.folders?.length) m.scope.counterparties.folders = [...new Set(scoped.folders)];
    if (scoped.inn?.length) m.scope.counterparties.inn = [...new Set(scoped.inn)];
  }
  return m;
}

/** The mapping in force: ONEC_MAPPING_FILE (JSON or YAML) merged over the default, else the default. */
export async function loadMapping(
  settings: Pick<Settings, 'ONEC_MAPPING_FILE' | 'ONEC_ORIGINATOR_ID'>,
  crm: CrmMappingDefaults,
  onWarning?: (message: string) => void,
): Promise<Mapping> {
  const file = settings.ONEC_MAPPING_FILE;
  if (!file) return defaultMapping(settings.ONEC_ORIGINATOR_ID, crm);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new MappingError(file, [
      `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    ]);
  }
  const format = extname(file).toLowerCase() === '.json' ? 'json' : 'yaml';
  return parseMapping(text, { file, format, source: settings.ONEC_ORIGINATOR_ID, crm, onWarning });
}
