/**
 * Keys of mapping files written for Sverka 0.1, before the CRM port spoke the domain's words: each old
 * path is moved to its new one before validation, with a warning, so an upgrade needs no edit at once.
 * The old names are Bitrix24 spellings; they appear here only to be translated.
 */
export const RENAMED_KEYS: readonly { from: string[]; to: string[] }[] = [
  { from: ['originatorId'], to: ['source'] },
  { from: ['deletionMarker'], to: ['bitrix24', 'deletionMarker'] },
  { from: ['counterparties', 'presets'], to: ['bitrix24', 'presets'] },
  { from: ['deals', 'categoryId'], to: ['bitrix24', 'dealCategoryId'] },
  { from: ['deals', 'currencyId'], to: ['deals', 'currency'] },
  { from: ['contacts', 'fields', 'name'], to: ['contacts', 'fields', 'firstName'] },
  { from: ['contacts', 'fields', 'secondName'], to: ['contacts', 'fields', 'middleName'] },
  { from: ['deals', 'fields', 'opportunity'], to: ['deals', 'fields', 'amount'] },
  { from: ['deals', 'fields', 'currencyId'], to: ['deals', 'fields', 'currency'] },
  { from: ['deals', 'fields', 'stageId'], to: ['deals', 'fields', 'stage'] },
];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Moves renamed keys in place (a new key already present wins); returns one warning per move. Pure on a copy. */
export function renameOldKeys(raw: unknown): { value: unknown; warnings: string[] } {
  if (!isObj(raw)) return { value: raw, warnings: [] };
  const value = structuredClone(raw);
  const warnings: string[] = [];
  for (const { from, to } of RENAMED_KEYS) {
    let parent: unknown = value;
    for (const k of from.slice(0, -1)) parent = isObj(parent) ? parent[k] : undefined;
    const last = from[from.length - 1];
    if (!isObj(parent) || !(last in parent)) continue;
    const moved = parent[last];
    delete parent[last];
    let target: Obj = value;
    for (const k of to.slice(0, -1)) {
      if (!isObj(target[k])) target[k] = {};
      target = target[k] as Obj;
    }
    const dest = to[to.length - 1];
    if (!(dest in target)) target[dest] = moved;
    warnings.push(`"${from.join('.')}" is now "${to.join('.')}" (the old name still works; rename it when convenient)`);
  }
  return { value, warnings };
}
