import { z } from 'zod';

/**
 * The mapping file's `bitrix24:` section: what only a Bitrix24 portal needs.
 * - `deletionMarker`: a user field (crm.item spelling, `ufCrm…`) set to `value` on the company, contact or
 *   deal whose 1C record is deletion-marked or gone, cleared when it is live again. Create it first.
 * - `presets`: requisite preset names by party kind, as the portal spells them.
 * - `dealCategoryId`: the deal pipeline (category) deals are created in.
 */
export interface Bitrix24Config {
  deletionMarker?: { field: string; value: string };
  presets: { legal: string; entrepreneur: string; person: string };
  dealCategoryId: string;
}

const schema = z
  .object({
    deletionMarker: z
      .object({
        field: z
          .string()
          .regex(
            /^ufCrm[A-Za-z0-9_]+$/,
            'a CRM user field in crm.item spelling, like "ufCrmSverkaDeleted" or "ufCrm_1721244707107"',
          ),
        value: z.string().min(1).max(255),
      })
      .strict()
      .optional(),
    presets: z
      .object({ legal: z.string().min(1), entrepreneur: z.string().min(1), person: z.string().min(1) })
      .strict()
      .optional(),
    dealCategoryId: z.union([z.string().regex(/^\d+$/, 'a category id like "0"'), z.number().int().min(0)]).optional(),
  })
  .strict();

/** Validates the section; the problems name their paths (`bitrix24.deletionMarker.field: …`). */
export function parseBitrix24Config(raw: unknown): { config: Bitrix24Config; problems: string[] } {
  const res = schema.safeParse(raw ?? {});
  if (!res.success)
    return {
      config: defaults(),
      problems: res.error.issues.map((i) => {
        const path = ['bitrix24', ...i.path].join('.');
        return i.code === 'unrecognized_keys' ? `${path}: unknown key(s): ${i.keys.join(', ')}` : `${path}: ${i.message}`;
      }),
    };
  return {
    config: {
      ...defaults(),
      ...(res.data.deletionMarker ? { deletionMarker: res.data.deletionMarker } : {}),
      ...(res.data.presets ? { presets: res.data.presets } : {}),
      ...(res.data.dealCategoryId !== undefined ? { dealCategoryId: String(res.data.dealCategoryId) } : {}),
    },
    problems: [],
  };
}

function defaults(): Bitrix24Config {
  return { presets: { legal: 'Организация', entrepreneur: 'ИП', person: 'Физ. лицо' }, dealCategoryId: '0' };
}
