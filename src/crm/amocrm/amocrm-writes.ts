import { Logger } from '@nestjs/common';
import { CrmError, CrmErrorCode } from '../crm.error.js';
import type { ContactFields, CrmWritableEntity, CrmWrite, CrmWriteResult, DealFields } from '../crm.types.js';
import { TRANSIENT_DELAYS_MS, WRITE_CHUNK, type AmoEntity } from './amocrm.constants.js';
import { AmoFailure, itemError, type AmoItemError } from './amocrm-errors.js';
import type { AmoCrmHttp } from './amocrm-http.js';
import type { AmoSchema } from './amocrm-schema.js';
import type { AmoCurrent, AmoRow } from './amocrm.types.js';
import { toAmoItem, type BuiltItem } from './converters/write.converter.js';
import type { RecordMemory } from './record-memory.js';

/** What the writer needs from the adapter's reads. */
export interface WriterReads {
  schema(): Promise<AmoSchema>;
  /** Records as they are now (remembered from the last read, else read); absent = the record is gone. */
  currents(entity: AmoEntity, ids: string[]): Promise<Map<string, AmoCurrent>>;
  /** Records carrying the 1C key (for a create whose answer was lost). */
  findByExternalKey(entity: CrmWritableEntity, source: string, keys: string[]): Promise<Map<string, string[]>>;
}

export const AMO_ENTITY: Record<CrmWritableEntity, AmoEntity> = { companies: 'companies', contacts: 'contacts', deals: 'leads' };

type Outcome = { ok: true; id: string; recovered?: boolean; duplicates?: string[] } | { ok: false; error: CrmError };

interface Pending {
  index: number;
  write: CrmWrite;
  built: BuiltItem;
}

interface LinkOp {
  index: number;
  /** The contact or lead. */
  id: string;
  companyId: string;
  unlink: boolean;
}

/**
 * applyWrites on an amoCRM account (docs/amocrm.md): the records themselves — adds and updates of ≤ 50
 * items per request with `request_id` — then the links of contacts to their companies (and of leads whose
 * company changed) through the links API. A 400 refuses items one by one (`validation-errors`): those
 * fail, the others are sent again. A write whose answer is lost (a timeout, a 5xx, a dropped connection)
 * is settled before anything is sent again: adds are looked up by their 1C key (found → never created
 * twice; amoCRM has no idempotency key), updates and links are sent again as they are (they set whole
 * values). The same lookup follows a refused add batch, in case the account saved its valid items.
 */
export class AmoCrmWriter {
  private readonly log = new Logger('AmoCrmAdapter');

  constructor(
    private readonly http: AmoCrmHttp,
    private readonly reads: WriterReads,
    private readonly memory: RecordMemory,
  ) {}

  async apply(
    writes: CrmWrite[],
    onCreated?: (created: { key: string; id: string }[]) => Promise<void>,
  ): Promise<CrmWriteResult[]> {
    const schema = await this.reads.schema();
    const outcomes = new Array<Outcome>(writes.length);
    const currents = await this.currentsOf(writes);
    // ---- the records ----
    const groups = new Map<string, Pending[]>();
    writes.forEach((write, index) => {
      const ae = AMO_ENTITY[write.entity];
      let built: BuiltItem | null;
      try {
        built = toAmoItem(write, {
          fields: schema.fields[ae],
          fieldNames: schema.fieldNames[ae],
          pipeline: schema.pipeline,
          current: write.op !== 'create' ? (currents.get(`${ae}:${write.id}`) ?? this.memory.get(ae, write.id)) : undefined,
        });
      } catch (e) {
        if (!(e instanceof CrmError)) throw e;
        outcomes[index] = { ok: false, error: e };
        return;
      }
      if (built === null) {
        outcomes[index] = { ok: true, id: (write as { id: string }).id };
        return;
      }
      // A link is an update that also writes the 1C key (PATCH).
      const g = `${write.op === 'create' ? 'create' : 'update'}:${ae}`;
      groups.set(g, [...(groups.get(g) ?? []), { index, write, built }]);
    });
    for (const [g, items] of groups) {
      const [op, ae] = g.split(':') as ['create' | 'update', AmoEntity];
      for (let i = 0; i < items.length; i += WRITE_CHUNK) await this.sendRecords(op, ae, items.slice(i, i + WRITE_CHUNK), outcomes);
    }
    for (const w of writes) if (w.op !== 'create') this.memory.forget(AMO_ENTITY[w.entity], w.id);
    const created = writes
      .map((w, i) => ({ w, o: outcomes[i] }))
      .filter((x) => x.w.op === 'create' && x.o.ok)
      .map((x) => ({ key: x.w.key, id: (x.o as { id: string }).id }));
    if (created.length && onCreated) await onCreated(created);
    // ---- the links to companies ----
    const linkFailures = await this.writeLinks(writes, outcomes, currents);
    return writes.map((w, i): CrmWriteResult => {
      const o = outcomes[i];
      if (!o.ok) return { key: w.key, ok: false, error: o.error };
      const l = linkFailures.get(i);
      if (l) return { key: w.key, ok: false, error: l, ...(w.op === 'create' ? { id: o.id } : {}) };
      return {
        key: w.key,
        ok: true,
        id: o.id,
        ...(o.recovered ? { recovered: true } : {}),
        ...(o.duplicates ? { duplicates: o.duplicates } : {}),
      };
    });
  }

  /** The current state of updated records whose write depends on it (phones, e-mails, a name's parts, the company). */
  private async currentsOf(writes: CrmWrite[]): Promise<Map<string, AmoCurrent>> {
    const out = new Map<string, AmoCurrent>();
    const ids = new Map<AmoEntity, string[]>();
    for (const w of writes) {
      if (w.op === 'create' || !needsCurrent(w)) continue;
      const ae = AMO_ENTITY[w.entity];
      ids.set(ae, [...(ids.get(ae) ?? []), w.id]);
    }
    for (const [ae, list] of ids) for (const [id, cur] of await this.reads.currents(ae, list)) out.set(`${ae}:${id}`, cur);
    return out;
  }

  /** One request's worth of adds or updates, until each has an outcome. */
  private async sendRecords(op: 'create' | 'update', ae: AmoEntity, chunk: Pending[], outcomes: Outcome[]): Promise<void> {
    const method = op === 'create' ? 'POST' : 'PATCH';
    const path = `/api/v4/${ae}`;
    let pending = chunk;
    let lost = 0;
    while (pending.length) {
      let ans;
      try {
        ans = await this.http.write(
          method,
          path,
          pending.map((p) => ({ ...p.built.item, request_id: String(p.index) })),
        );
      } catch (e) {
        if (e instanceof CrmError && !e.fatal) {
          for (const p of pending) outcomes[p.index] = { ok: false, error: e };
          return;
        }
        if (!(e instanceof AmoFailure)) throw e;
        if (lost >= TRANSIENT_DELAYS_MS.length) {
          for (const p of pending) outcomes[p.index] = { ok: false, error: e.error };
          return;
        }
        // The outcome is unknown: adds are looked up by their 1C key before anything is sent again.
        if (op === 'create') pending = await this.settleCreates(pending, outcomes, `${method} ${path}: ${e.error.message}`);
        if (pending.length) await this.http.backoff(TRANSIENT_DELAYS_MS[lost], `${method} ${path}`, e);
        lost++;
        continue;
      }
      if (ans.ok) {
        const rows = ((ans.body as AmoRow | null)?._embedded as AmoRow | undefined)?.[ae];
        const byRequest = new Map<string, string>();
        if (Array.isArray(rows))
          for (const r of rows as AmoRow[]) if (typeof r?.id === 'number') byRequest.set(String(r.request_id ?? ''), String(r.id));
        for (const p of pending) {
          const id = byRequest.get(String(p.index)) ?? (p.write.op !== 'create' ? p.write.id : undefined);
          outcomes[p.index] = id
            ? { ok: true, id }
            : { ok: false, error: new CrmError(CrmErrorCode.BAD_RESPONSE, `amoCRM ${method} ${path}: no id for item ${p.index} in the answer`) };
        }
        return;
      }
      const refused = new Map(ans.entries.map((e) => [e.request_id, e.errors]));
      const failed = pending.filter((p) => refused.has(String(p.index)));
      if (!failed.length) {
        // A 400 that names none of the items: nothing to resend differently.
        for (const p of pending) outcomes[p.index] = { ok: false, error: ans.error };
        return;
      }
      for (const p of failed) outcomes[p.index] = { ok: false, error: refusal(p, refused.get(String(p.index))!) };
      pending = pending.filter((p) => !refused.has(String(p.index)));
      // Whether an account saves the valid items of a refused batch is not documented: look before adding again.
      if (op === 'create' && pending.length) pending = await this.settleCreates(pending, outcomes, `${method} ${path}: a refused batch`);
    }
  }

  /** Adds whose outcome is unknown: those found by their 1C key are settled (lowest id); the rest are returned. */
  private async settleCreates(pending: Pending[], outcomes: Outcome[], why: string): Promise<Pending[]> {
    const w0 = pending[0].write as Extract<CrmWrite, { op: 'create' }>;
    const bySource = new Map<string, Pending[]>();
    for (const p of pending) {
      const s = (p.write as Extract<CrmWrite, { op: 'create' }>).external.source;
      bySource.set(s, [...(bySource.get(s) ?? []), p]);
    }
    const rest: Pending[] = [];
    for (const [source, items] of bySource) {
      let found: Map<string, string[]>;
      try {
        found = await this.reads.findByExternalKey(w0.entity, source, items.map((p) => keyOf(p.write)));
      } catch (e) {
        // Without the lookup a second add could duplicate: these fail instead (a later run finds them by key).
        const error = new CrmError(
          e instanceof CrmError && e.fatal ? e.code : CrmErrorCode.TEMPORARY,
          `amoCRM ${w0.entity}: the answer to an add was lost (${why}) and the lookup by its 1C key failed (${(e as Error).message}); not sent again`,
        );
        for (const p of items) outcomes[p.index] = { ok: false, error };
        continue;
      }
      for (const p of items) {
        const ids = found.get(keyOf(p.write));
        if (!ids?.length) {
          rest.push(p);
          continue;
        }
        outcomes[p.index] = { ok: true, id: ids[0], recovered: true, ...(ids.length > 1 ? { duplicates: ids.slice(1) } : {}) };
        this.log.warn(
          `amoCRM ${w0.entity}: an add's answer was lost; found by its 1C key as id ${ids[0]}${ids.length > 1 ? ` (+${ids.length - 1} duplicate(s))` : ''}`,
        );
      }
    }
    return rest;
  }

  /**
   * Contacts to their companies (new contacts, and changed companies), leads whose company changed: the old
   * link removed, the new one made (mass `unlink`/`link`, ≤ 50 a request). Returns the failures by write index.
   */
  private async writeLinks(
    writes: CrmWrite[],
    outcomes: Outcome[],
    currents: Map<string, AmoCurrent>,
  ): Promise<Map<number, CrmError>> {
    const failures = new Map<number, CrmError>();
    const ops = new Map<AmoEntity, LinkOp[]>();
    const add = (ae: AmoEntity, op: LinkOp) => ops.set(ae, [...(ops.get(ae) ?? []), op]);
    writes.forEach((w, index) => {
      const o = outcomes[index];
      if (!o.ok || w.entity === 'companies') return;
      const target = (w.fields as ContactFields | DealFields).companyId;
      if (target === undefined) return;
      const ae = AMO_ENTITY[w.entity];
      if (w.op === 'create') {
        if (target && w.entity === 'contacts') add(ae, { index, id: o.id, companyId: target, unlink: false });
        return;
      }
      const cur = currents.get(`${ae}:${w.id}`);
      if (!cur) {
        failures.set(index, new CrmError(CrmErrorCode.NOT_FOUND, `amoCRM ${ae} ${w.id} not found`));
        return;
      }
      if (cur.companyId === target) return;
      if (cur.companyId) add(ae, { index, id: o.id, companyId: cur.companyId, unlink: true });
      if (target) add(ae, { index, id: o.id, companyId: target, unlink: false });
    });
    for (const [ae, list] of ops)
      for (const unlink of [true, false]) {
        const items = list.filter((x) => x.unlink === unlink && !failures.has(x.index));
        for (let i = 0; i < items.length; i += WRITE_CHUNK)
          await this.sendLinks(ae, unlink, items.slice(i, i + WRITE_CHUNK), failures);
      }
    return failures;
  }

  private async sendLinks(ae: AmoEntity, unlink: boolean, chunk: LinkOp[], failures: Map<number, CrmError>): Promise<void> {
    const path = `/api/v4/${ae}/${unlink ? 'unlink' : 'link'}`;
    let pending = chunk;
    let lost = 0;
    while (pending.length) {
      let ans;
      try {
        ans = await this.http.write(
          'POST',
          path,
          pending.map((l) => ({ entity_id: Number(l.id), to_entity_id: Number(l.companyId), to_entity_type: 'companies' })),
        );
      } catch (e) {
        if (e instanceof CrmError && !e.fatal) {
          for (const l of pending) failures.set(l.index, e);
          return;
        }
        if (!(e instanceof AmoFailure)) throw e;
        // (Un)linking again is harmless: sent again as it is.
        if (lost >= TRANSIENT_DELAYS_MS.length) {
          for (const l of pending) failures.set(l.index, e.error);
          return;
        }
        await this.http.backoff(TRANSIENT_DELAYS_MS[lost++], `POST ${path}`, e);
        continue;
      }
      if (ans.ok) return;
      const refused = new Map(ans.entries.map((e) => [e.request_id, e.errors]));
      const failed = pending.filter((_, j) => refused.has(String(j)));
      if (!failed.length) {
        for (const l of pending) failures.set(l.index, ans.error);
        return;
      }
      pending.forEach((l, j) => {
        const errs = refused.get(String(j));
        if (errs) failures.set(l.index, itemError(`the ${unlink ? 'unlink' : 'link'} of ${ae} ${l.id} and company ${l.companyId}`, errs));
      });
      pending = pending.filter((_, j) => !refused.has(String(j)));
    }
  }
}

/** Updates whose item is built from the record as it is now. */
function needsCurrent(w: CrmWrite): boolean {
  const f = w.fields as ContactFields;
  if ((w.entity === 'companies' || w.entity === 'contacts') && (f.phones !== undefined || f.emails !== undefined)) return true;
  if (w.entity === 'contacts') {
    const names = [f.lastName, f.firstName, f.middleName].filter((x) => x !== undefined).length;
    if (names > 0 && names < 3) return true;
  }
  return w.entity !== 'companies' && f.companyId !== undefined;
}

function keyOf(w: CrmWrite): string {
  return (w as Extract<CrmWrite, { op: 'create' }>).external.key;
}

/** A refused item: NOT_FOUND for an update of a record that is gone, INVALID otherwise, naming the fields. */
function refusal(p: Pending, errors: AmoItemError[]): CrmError {
  const what = `${p.write.entity} ${p.write.op} ${p.write.op !== 'create' ? p.write.id : p.write.key}`;
  if (p.write.op !== 'create' && errors.some((e) => e.code === 'NotFound' && e.path === 'id'))
    return new CrmError(CrmErrorCode.NOT_FOUND, `amoCRM ${AMO_ENTITY[p.write.entity]} ${p.write.id} not found`, 400, 'NotFound');
  return itemError(what, errors, (i) => p.built.cfNames[i]);
}
