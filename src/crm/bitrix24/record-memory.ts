import type { FmEntry } from './bitrix24.types.js';

/**
 * What the adapter remembers of records it has just read or written, so that a write right after a read
 * needs no second read: a company's or contact's `fm` entries (their ids are needed to remove a value)
 * and the id of the requisite Sverka keeps for a company (null: it has none). Bounded: the oldest are
 * forgotten first, and a forgotten record is simply read again.
 */
export class RecordMemory {
  private readonly fm = new Map<string, FmEntry[]>();
  private readonly requisites = new Map<string, string | null>();

  constructor(private readonly limit = 50_000) {}

  fmOf(entity: string, id: string): FmEntry[] | undefined {
    return this.fm.get(`${entity}:${id}`);
  }

  rememberFm(entity: string, id: string, entries: FmEntry[]): void {
    remember(this.fm, `${entity}:${id}`, entries, this.limit);
  }

  /** undefined: not known; null: the company has no requisite of ours. */
  requisiteOf(companyId: string): string | null | undefined {
    return this.requisites.get(companyId);
  }

  rememberRequisite(companyId: string, requisiteId: string | null): void {
    remember(this.requisites, companyId, requisiteId, this.limit);
  }

  forgetFm(entity: string, id: string): void {
    this.fm.delete(`${entity}:${id}`);
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V, limit: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > limit) map.delete(map.keys().next().value as string);
}
