import type { CrmStage } from '../../crm.types.js';
import { MalformedRow, requiredText, type B24Row } from './converter.util.js';

/**
 * A `crm.status.list` row → CrmStage. `SEMANTICS` null or "" (or P) → open, "S" → won, "F" → lost
 * (docs/protocols/bitrix24.md, stages); `EXTRA.SEMANTICS` is not read. Throws MalformedRow on anything else.
 */
export function toCrmStage(row: B24Row): CrmStage {
  const s = row.SEMANTICS;
  let kind: CrmStage['kind'];
  if (s === null || s === undefined || s === '' || s === 'P') kind = 'open';
  else if (s === 'S') kind = 'won';
  else if (s === 'F') kind = 'lost';
  else throw new MalformedRow(`SEMANTICS is not null, "", S or F: ${JSON.stringify(s)}`);
  return {
    id: requiredText(row, 'STATUS_ID'),
    name: typeof row.NAME === 'string' ? row.NAME : '',
    kind,
  };
}

/** One status row → the stage, or why it cannot be read (`id` is the row's `ID`). */
export function convertStage(
  row: unknown,
): { ok: true; record: CrmStage } | { ok: false; id: string | null; reason: string } {
  const r = (row !== null && typeof row === 'object' ? row : {}) as B24Row;
  const id = typeof r.ID === 'string' || typeof r.ID === 'number' ? String(r.ID) : null;
  try {
    return { ok: true, record: toCrmStage(r) };
  } catch (e) {
    return { ok: false, id, reason: (e as Error).message };
  }
}
