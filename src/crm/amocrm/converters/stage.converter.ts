import type { CrmStage } from '../../crm.types.js';
import { LOST_STATUS, WON_STATUS } from '../amocrm.constants.js';
import type { AmoRow, AmoStageRef } from '../amocrm.types.js';
import { MalformedRow, idOf, textOf } from './converter.util.js';

/** A pipeline of `GET /api/v4/leads/pipelines` with its statuses in `sort` order. */
export interface AmoPipelineRow {
  id: number;
  name: string;
  isMain: boolean;
  statuses: AmoStatusRow[];
}

export interface AmoStatusRow {
  id: number;
  name: string;
  sort: number;
  /** 1: the pipeline's «Неразобранное» (unsorted). */
  type: number;
}

/**
 * The answer of `GET /api/v4/leads/pipelines` → pipelines (`_embedded.pipelines`, statuses inline). Throws
 * MalformedRow naming what is wrong: without its pipelines Sverka cannot place a deal.
 */
export function toAmoPipelines(body: unknown): AmoPipelineRow[] {
  const list = ((body as AmoRow | null)?._embedded as AmoRow | undefined)?.pipelines;
  if (!Array.isArray(list)) throw new MalformedRow('_embedded.pipelines is not an array');
  return list.map((p, i) => {
    if (p === null || typeof p !== 'object') throw new MalformedRow(`pipeline ${i} is not an object`);
    const row = p as AmoRow;
    const statuses = (row._embedded as AmoRow | undefined)?.statuses;
    if (!Array.isArray(statuses)) throw new MalformedRow(`pipeline ${String(row.id)}: _embedded.statuses is not an array`);
    return {
      id: Number(idOf(row)),
      name: textOf(row, 'name'),
      isMain: row.is_main === true,
      statuses: statuses
        .map((s) => {
          const st = (s ?? {}) as AmoRow;
          return {
            id: Number(idOf(st)),
            name: textOf(st, 'name'),
            sort: typeof st.sort === 'number' ? st.sort : 0,
            type: typeof st.type === 'number' ? st.type : 0,
          };
        })
        .sort((a, b) => a.sort - b.sort),
    };
  });
}

/** The stage key of a status: "142"/"143" for won and lost (the same in every pipeline), else its name. */
export function stageRefOf(s: AmoStatusRow): AmoStageRef {
  if (s.id === WON_STATUS) return { key: String(WON_STATUS), kind: 'won' };
  if (s.id === LOST_STATUS) return { key: String(LOST_STATUS), kind: 'lost' };
  return { key: s.name, kind: 'open' };
}

/** The stages of a pipeline as the mapping names them (the first of two statuses with one name wins). */
export function stagesOf(p: AmoPipelineRow): CrmStage[] {
  const seen = new Set<string>();
  const out: CrmStage[] = [];
  for (const s of p.statuses) {
    const ref = stageRefOf(s);
    if (seen.has(ref.key)) continue;
    seen.add(ref.key);
    out.push({ id: ref.key, name: s.name, kind: ref.kind });
  }
  return out;
}

/** The status id a stage key names in a pipeline: 142/143 by id, others by name; undefined when none. */
export function statusIdOf(p: AmoPipelineRow, key: string): number | undefined {
  if (key === String(WON_STATUS)) return WON_STATUS;
  if (key === String(LOST_STATUS)) return LOST_STATUS;
  return p.statuses.find((s) => s.name === key && s.id !== WON_STATUS && s.id !== LOST_STATUS)?.id;
}
