import { z } from 'zod';

/**
 * The mapping file's `amocrm:` section: what only an amoCRM account needs (docs/amocrm.md).
 * - `pipeline`: the name of the pipeline deals (leads) are created in; default the main one (`is_main`).
 * - `fields`: the names of the custom fields Sverka keeps its data in (found by name or code, created
 *   at start when missing): the 1C key on companies, contacts and leads; INN, KPP, OGRN and the full name
 *   on companies; and the "deleted in 1C" checkbox on all three (`false`: no flag is kept).
 */
export interface AmoCrmConfig {
  pipeline: string | null;
  fields: {
    key: string;
    inn: string;
    kpp: string;
    ogrn: string;
    fullName: string;
    deleted: string | null;
  };
}

export const DEFAULT_FIELDS: AmoCrmConfig['fields'] = {
  key: 'Ключ 1С',
  inn: 'ИНН',
  kpp: 'КПП',
  ogrn: 'ОГРН',
  fullName: 'Полное наименование',
  deleted: 'Удалён в 1С',
};

const fieldName = z.string().trim().min(1, 'a custom field name').max(255);

const schema = z
  .object({
    pipeline: z.string().trim().min(1, 'a pipeline name').max(255).optional(),
    fields: z
      .object({
        key: fieldName.optional(),
        inn: fieldName.optional(),
        kpp: fieldName.optional(),
        ogrn: fieldName.optional(),
        fullName: fieldName.optional(),
        deleted: z.union([fieldName, z.literal(false)]).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Validates the section; the problems name their paths (`amocrm.fields.inn: …`). */
export function parseAmoCrmConfig(raw: unknown): { config: AmoCrmConfig; problems: string[] } {
  const res = schema.safeParse(raw ?? {});
  if (!res.success)
    return {
      config: defaults(),
      problems: res.error.issues.map((i) => {
        const path = ['amocrm', ...i.path].join('.');
        return i.code === 'unrecognized_keys' ? `${path}: unknown key(s): ${i.keys.join(', ')}` : `${path}: ${i.message}`;
      }),
    };
  const f = res.data.fields ?? {};
  const fields = { ...DEFAULT_FIELDS, ...Object.fromEntries(Object.entries(f).filter(([k]) => k !== 'deleted')) };
  if (f.deleted !== undefined) fields.deleted = f.deleted === false ? null : f.deleted;
  const problems: string[] = [];
  const names = new Map<string, string>();
  for (const [k, v] of Object.entries(fields)) {
    if (v === null) continue;
    const other = names.get(v.toLowerCase());
    if (other) problems.push(`amocrm.fields.${k}: the same field as amocrm.fields.${other} ("${v}")`);
    else names.set(v.toLowerCase(), k);
  }
  return { config: { pipeline: res.data.pipeline ?? null, fields }, problems };
}

function defaults(): AmoCrmConfig {
  return { pipeline: null, fields: { ...DEFAULT_FIELDS } };
}
