import type { ExternalKey } from '../crm.types.js';

/**
 * The 1C key of a record on an amoCRM account: amoCRM records have no external id, so Sverka keeps
 * `<source>:<Ref_Key>` in a text custom field («Ключ 1С»). An empty field is nobody's (a person's record);
 * another `<source>` is another base's. The key is the part after the last colon (a 1C Ref_Key is a
 * GUID), so a source may itself contain colons. Pure.
 */

export function formatExternalKey(k: ExternalKey): string {
  return `${k.source}:${k.key}`;
}

/** The stored text → the key; null for an empty value or one without both parts. */
export function parseExternalKey(value: string | null | undefined): ExternalKey | null {
  const text = (value ?? '').trim();
  const at = text.lastIndexOf(':');
  if (at <= 0 || at === text.length - 1) return null;
  return { source: text.slice(0, at), key: text.slice(at + 1) };
}
