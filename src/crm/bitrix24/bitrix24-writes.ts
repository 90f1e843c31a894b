import { Logger } from '@nestjs/common';
import { CrmError, CrmErrorCode } from '../crm.error.js';
import type {
  CompanyFields,
  ContactFields,
  CrmWritableEntity,
  CrmWrite,
  CrmWriteResult,
  DealFields,
  ValuesChange,
} from '../crm.types.js';
import type { Bitrix24Config } from './bitrix24.config.js';
import { BATCH_LIMIT, ENTITY_TYPE_ID } from './bitrix24.constants.js';
import type { B24Command, B24CommandResult, Bitrix24Http } from './bitrix24-http.js';
import type { B24Requisite, FmEntry } from './bitrix24.types.js';
import { fmAdd, fmChange, type FmUpdate } from './fm-diff.util.js';
import type { RecordMemory } from './record-memory.js';
import { requisiteFields } from './tax-ids.util.js';

/** What the writer needs from the adapter's reads. */
export interface WriterReads {
  /** Current `fm` entries of records (read when not remembered); absent = the record is gone. */
  fmEntries(entity: 'companies' | 'contacts', ids: string[]): Promise<Map<string, FmEntry[]>>;
  /** The requisite kept for each company (XML_ID = key): its id, or null when it has none. */
  ownedRequisites(companies: { id: string; key: string }[]): Promise<Map<string, string | null>>;
  /** Records carrying the external key (for a create whose answer was lost). */
  findByExternalKey(
    entity: CrmWritableEntity,
    source: string,
    keys: string[],
  ): Promise<Map<string, string[]>>;
  /** Requisite preset name → id. */
  presets(): Promise<Map<string, string>>;
  /** Every requisite of these companies, read now (a link picks the one to reuse). */
  requisitesOf(companyIds: string[]): Promise<Map<string, B24Requisite[]>>;
}

interface Phase1 {
  index: number;
  write: CrmWrite;
  command: B24Command;
}

type Outcome =
  { ok: true; id: string; recovered?: boolean; duplicates?: string[] } | { ok: false; error: CrmError };

/**
 * applyWrites on a Bitrix24 portal, in two phases: the records themselves (`crm.item.add|update`, with
 * phones and e-mails as `fm` and the "deleted in 1C" marker field), then — for companies with tax details
 * — their requisite (`crm.requisite.add|update`), which needs the company's id. Each phase goes in
 * `batch` requests of ≤ 50 commands. A command whose answer was lost is settled before any retry: a create
 * is looked up by its external key, a requisite add by company + XML_ID, an `fm` update rebuilt against the
 * record as it is now (docs/protocols/bitrix24.md, idempotent creation).
 */
export class Bitrix24Writer {
  private readonly log = new Logger('Bitrix24Adapter');

  constructor(
    private readonly http: Bitrix24Http,
    private readonly reads: WriterReads,
    private readonly memory: RecordMemory,
    private readonly config: Bitrix24Config,
    private readonly concurrency: number,
  ) {}

  async apply(
    writes: CrmWrite[],
    onCreated?: (created: { key: string; id: string }[]) => Promise<void>,
  ): Promise<CrmWriteResult[]> {
    const outcomes = new Array<Outcome>(writes.length);
    // ---- phase 1: the records ----
    const fm = await this.currentFm(writes);
    const toSend: Phase1[] = [];
    writes.forEach((write, index) => {
      const built = this.itemCommand(write, fm);
      if ('done' in built) outcomes[index] = built.done;
      else toSend.push({ index, write, command: built.command });
    });
    await this.sendInChunks(toSend, outcomes, fm);
    const created = writes
      .map((w, i) => ({ w, o: outcomes[i] }))
      .filter((x) => x.w.op === 'create' && x.o.ok)
      .map((x) => ({ key: x.w.key, id: (x.o as { id: string }).id }));
    if (created.length && onCreated) await onCreated(created);
    // ---- phase 2: the requisites of companies whose record is written ----
    const withTax = writes
      .map((write, index) => ({ write, index }))
      .filter(
        ({ write, index }) =>
          write.entity === 'companies' &&
          ((write.fields as CompanyFields).taxIds || write.op === 'link') &&
          outcomes[index].ok,
      );
    const taxOutcomes = withTax.length
      ? await this.writeRequisites(withTax, outcomes)
      : new Map<number, Outcome>();
    return writes.map((w, i): CrmWriteResult => {
      const o = outcomes[i];
      if (!o.ok) return { key: w.key, ok: false, error: o.error };
      const t = taxOutcomes.get(i);
      if (t && !t.ok)
        return { key: w.key, ok: false, error: t.error, ...(w.op === 'create' ? { id: o.id } : {}) };
      return {
        key: w.key,
        ok: true,
        id: o.id,
        ...(o.recovered ? { recovered: true } : {}),
        ...(o.duplicates ? { duplicates: o.duplicates } : {}),
      };
    });
  }

  // ---------------------------------------------------------------- phase 1

  /** `fm` entries of the updated companies and contacts that change phones or e-mails. */
  private async currentFm(writes: CrmWrite[]): Promise<Map<string, FmEntry[]>> {
    const out = new Map<string, FmEntry[]>();
    for (const entity of ['companies', 'contacts'] as const) {
      const ids = writes
        .filter((w) => w.op !== 'create' && w.entity === entity && hasFm(w.fields))
        .map((w) => (w as { id: string }).id);
      if (!ids.length) continue;
      for (const [id, entries] of await this.reads.fmEntries(entity, ids))
        out.set(`${entity}:${id}`, entries);
    }
    return out;
  }

  private itemCommand(
    write: CrmWrite,
    fm: Map<string, FmEntry[]>,
  ): { command: B24Command } | { done: Outcome } {
    const typeId = ENTITY_TYPE_ID[write.entity];
    if (write.op === 'create') {
      const fields: Record<string, unknown> = {
        ...this.itemFields(write.entity, write.fields, true),
        originatorId: write.external.source,
        originId: write.external.key,
      };
      if (write.entity !== 'deals') {
        const f = write.fields as CompanyFields | ContactFields;
        const adds = fmAdd(f.phones?.add, f.emails?.add);
        if (adds.length) fields.fm = adds;
      }
      return { command: { method: 'crm.item.add', params: { entityTypeId: typeId, fields } } };
    }
    if (!/^\d+$/.test(write.id))
      return {
        done: { ok: false, error: new CrmError(CrmErrorCode.INVALID, `not a Bitrix24 id: ${write.id}`) },
      };
    const fields = this.itemFields(write.entity, write.fields, false);
    if (write.op === 'link') {
      // Adopting a person's record: our external key on it, then the fields as an update.
      fields.originatorId = write.external.source;
      fields.originId = write.external.key;
    }
    if (write.entity !== 'deals' && hasFm(write.fields)) {
      const current = fm.get(`${write.entity}:${write.id}`);
      if (!current)
        return {
          done: {
            ok: false,
            error: new CrmError(CrmErrorCode.NOT_FOUND, `Bitrix24 ${write.entity} ${write.id} not found`),
          },
        };
      const update = fmUpdateOf(write.fields as CompanyFields, current);
      if (update) fields.fm = update;
    }
    if (Object.keys(fields).length === 0) return { done: { ok: true, id: write.id } };
    return {
      command: { method: 'crm.item.update', params: { entityTypeId: typeId, id: Number(write.id), fields } },
    };
  }

  /** Field names only from here (unknown keys are silently ignored by Bitrix24). */
  private itemFields(
    entity: CrmWritableEntity,
    f: CompanyFields | ContactFields | DealFields,
    create: boolean,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const put = (k: string, v: unknown) => {
      if (v !== undefined) out[k] = v;
    };
    const link = (v: string | null | undefined) => (v === undefined ? undefined : v === null ? 0 : Number(v));
    if (entity === 'companies') {
      const c = f as CompanyFields;
      put('title', c.title);
      put('originVersion', c.sourceVersion);
    } else if (entity === 'contacts') {
      const c = f as ContactFields;
      put('lastName', c.lastName);
      put('name', c.firstName);
      put('secondName', c.middleName);
      put('companyId', link(c.companyId));
      put('originVersion', c.sourceVersion);
    } else {
      const d = f as DealFields;
      put('title', d.title);
      if (create) out.categoryId = Number(this.config.dealCategoryId);
      put('stageId', d.stage);
      if (d.amount !== undefined) {
        // A two-digit decimal string: JSON number on the wire, the exact text inside a batch query.
        out.opportunity = d.amount;
        out.isManualOpportunity = 'Y';
      }
      put('currencyId', d.currency);
      put('companyId', link(d.companyId));
      put('comments', d.comments);
    }
    const marker = this.config.deletionMarker;
    if (marker && f.flagged !== undefined) out[marker.field] = f.flagged ? marker.value : '';
    return out;
  }

  private async sendInChunks(
    toSend: Phase1[],
    outcomes: Outcome[],
    fm: Map<string, FmEntry[]>,
  ): Promise<void> {
    const chunks: Phase1[][] = [];
    for (let i = 0; i < toSend.length; i += BATCH_LIMIT) chunks.push(toSend.slice(i, i + BATCH_LIMIT));
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) await this.sendItems(chunks[next++], outcomes, fm);
    };
    await Promise.all(Array.from({ length: Math.min(Math.max(1, this.concurrency), chunks.length) }, worker));
  }

  private async sendItems(chunk: Phase1[], outcomes: Outcome[], fm: Map<string, FmEntry[]>): Promise<void> {
    const byKey = new Map(chunk.map((p) => [`w${p.index}`, p]));
    const commands = new Map(chunk.map((p) => [`w${p.index}`, p.command]));
    const recovered = new Map<string, { id: string; duplicates?: string[] }>();
    const out = await this.http.batch(commands, (keys) => this.settleItems(keys, byKey, recovered, fm));
    for (const [k, r] of out) {
      const p = byKey.get(k)!;
      if (p.write.entity !== 'deals' && p.write.op !== 'create')
        this.memory.forgetFm(p.write.entity, p.write.id);
      if (!r.ok) {
        outcomes[p.index] = { ok: false, error: r.error };
        continue;
      }
      const rec = recovered.get(k);
      if (rec) {
        outcomes[p.index] = {
          ok: true,
          id: rec.id,
          recovered: true,
          ...(rec.duplicates ? { duplicates: rec.duplicates } : {}),
        };
        continue;
      }
      const id = itemIdOf(r.result) ?? (p.write.op !== 'create' ? p.write.id : null);
      outcomes[p.index] = id
        ? { ok: true, id }
        : {
            ok: false,
            error: new CrmError(
              CrmErrorCode.BAD_RESPONSE,
              `Bitrix24 ${p.command.method}: no id in the answer`,
            ),
          };
    }
  }

  /**
   * The answer of these commands is unknown: before any retry, a create is looked up by its external key
   * (found → settled with the lowest id, never created again); an `fm` update is rebuilt against the
   * record as it is now (its `n0…` adds must not run twice).
   */
  private async settleItems(
    keys: string[],
    byKey: Map<string, Phase1>,
    recovered: Map<string, { id: string; duplicates?: string[] }>,
    fm: Map<string, FmEntry[]>,
  ): Promise<Map<string, B24CommandResult>> {
    const settled = new Map<string, B24CommandResult>();
    const creates = new Map<string, string[]>();
    for (const k of keys) {
      const w = byKey.get(k)!.write;
      if (w.op !== 'create') continue;
      const group = `${w.entity}\u0000${w.external.source}`;
      creates.set(group, [...(creates.get(group) ?? []), k]);
    }
    for (const [group, ks] of creates) {
      const [entity, source] = group.split('\u0000') as [CrmWritableEntity, string];
      const byExternal = new Map<string, string[]>();
      for (const k of ks) {
        const key = (byKey.get(k)!.write as Extract<CrmWrite, { op: 'create' }>).external.key;
        byExternal.set(key, [...(byExternal.get(key) ?? []), k]);
      }
      let found: Map<string, string[]>;
      try {
        found = await this.reads.findByExternalKey(entity, source, [...byExternal.keys()]);
      } catch (e) {
        // Without the lookup a retry could create a duplicate: these creates fail instead (a later run finds them).
        const error = new CrmError(
          e instanceof CrmError && e.fatal ? e.code : CrmErrorCode.TEMPORARY,
          `Bitrix24 ${entity}: the answer to a create was lost and the lookup by its 1C key failed (${(e as Error).message}); not retried`,
        );
        for (const k of ks) settled.set(k, { ok: false, error });
        continue;
      }
      for (const [key, ids] of found)
        for (const k of byExternal.get(key) ?? []) {
          recovered.set(k, { id: ids[0], ...(ids.length > 1 ? { duplicates: ids.slice(1) } : {}) });
          settled.set(k, { ok: true, result: { item: { id: Number(ids[0]) } } });
          this.log.warn(
            `Bitrix24 ${entity}: create ${k} answer lost; found by its 1C key as id ${ids[0]}${ids.length > 1 ? ` (+${ids.length - 1} duplicate(s))` : ''}`,
          );
        }
    }
    for (const entity of ['companies', 'contacts'] as const) {
      const updates = keys
        .map((k) => ({ k, p: byKey.get(k)! }))
        .filter(({ p }) => p.write.op !== 'create' && p.write.entity === entity && hasFm(p.write.fields));
      if (!updates.length) continue;
      const ids = updates.map(({ p }) => (p.write as { id: string }).id);
      let now: Map<string, FmEntry[]>;
      try {
        for (const id of ids) this.memory.forgetFm(entity, id);
        now = await this.reads.fmEntries(entity, ids);
      } catch (e) {
        const error = new CrmError(
          CrmErrorCode.TEMPORARY,
          `Bitrix24 ${entity}: the answer to a phone/e-mail update was lost and re-reading failed (${(e as Error).message}); not retried`,
        );
        for (const { k } of updates) settled.set(k, { ok: false, error });
        continue;
      }
      for (const { p } of updates) {
        const id = (p.write as { id: string }).id;
        const entries = now.get(id);
        if (!entries) continue;
        fm.set(`${entity}:${id}`, entries);
        const fields = p.command.params.fields as Record<string, unknown>;
        const update = fmUpdateOf(p.write.fields as CompanyFields, entries);
        if (update) fields.fm = update;
        else delete fields.fm;
      }
    }
    return settled;
  }

  // ---------------------------------------------------------------- phase 2

  /**
   * Requisites of the companies (created, updated or linked) that carry tax details: add, or update
   * Sverka's own. A link reuses the company's requisite that matched (same INN, and the same KPP or none;
   * one already marked with the key first, as after a retried link): it gets XML_ID = key and, when given,
   * the tax details — never a second requisite; with none left to reuse, tax details are added as a create would.
   */
  private async writeRequisites(
    items: { write: CrmWrite; index: number }[],
    outcomes: Outcome[],
  ): Promise<Map<number, Outcome>> {
    const results = new Map<number, Outcome>();
    const presets = await this.reads.presets();
    const companyOf = (index: number) => (outcomes[index] as { id: string }).id;
    const updates = items.filter((x) => x.write.op === 'update');
    const known = await this.reads.ownedRequisites(
      updates.map((x) => ({ id: companyOf(x.index), key: x.write.key })),
    );
    const links = items.filter((x) => x.write.op === 'link');
    // An update of a company without a requisite of ours (a link whose answer was lost, found again by its
    // key) reuses its requisite with the same INN/KPP as a link would, rather than adding a second one.
    const unowned = updates.filter(
      (x) => !known.get(companyOf(x.index)) && (x.write.fields as CompanyFields).taxIds,
    );
    const reread = [...links, ...unowned];
    const ofLinked = reread.length
      ? await this.reads.requisitesOf(reread.map((x) => companyOf(x.index)))
      : new Map<string, B24Requisite[]>();
    type Req = {
      index: number;
      companyId: string;
      key: string;
      requisiteId: string | null;
      command: B24Command;
    };
    const reqs: Req[] = [];
    for (const { write, index } of items) {
      const companyId = companyOf(index);
      const tax = (write.fields as CompanyFields).taxIds;
      const key = write.op === 'update' ? write.key : write.external.key;
      const reused =
        write.op === 'link'
          ? reusableRequisite(ofLinked.get(companyId) ?? [], key, write.matchedTaxIds)
          : write.op === 'update' && tax && !known.get(companyId)
            ? reusableRequisite(ofLinked.get(companyId) ?? [], key, { inn: tax.inn, kpp: tax.kpp })
            : null;
      let fields: Record<string, unknown>;
      if (tax) {
        const presetName = this.config.presets[tax.kind];
        const presetId = presets.get(presetName);
        if (!presetId) {
          results.set(index, {
            ok: false,
            error: new CrmError(
              CrmErrorCode.INVALID,
              `Bitrix24 has no requisite preset named "${presetName}"`,
            ),
          });
          continue;
        }
        fields = requisiteFields(tax, key, presetId, this.config.presets);
      } else if (reused) fields = { NAME: reused.name, XML_ID: key };
      else {
        // A link without tax details to write and none to reuse: nothing more to do.
        results.set(index, { ok: true, id: companyId });
        continue;
      }
      const requisiteId =
        write.op === 'update' ? (known.get(companyId) ?? reused?.id ?? null) : (reused?.id ?? null);
      reqs.push({
        index,
        companyId,
        key,
        requisiteId,
        command: requisiteId
          ? { method: 'crm.requisite.update', params: { id: Number(requisiteId), fields } }
          : {
              method: 'crm.requisite.add',
              params: { fields: { ENTITY_TYPE_ID: 4, ENTITY_ID: Number(companyId), ...fields } },
            },
      });
    }
    for (let i = 0; i < reqs.length; i += BATCH_LIMIT) {
      const chunk = reqs.slice(i, i + BATCH_LIMIT);
      const byKey = new Map(chunk.map((r) => [`q${r.index}`, r]));
      const recovered = new Map<string, string>();
      const out = await this.http.batch(new Map(chunk.map((r) => [`q${r.index}`, r.command])), (keys) =>
        this.settleRequisites(keys, byKey, recovered),
      );
      for (const [k, r] of out) {
        const q = byKey.get(k)!;
        if (!r.ok) {
          results.set(q.index, { ok: false, error: r.error });
          continue;
        }
        const id = recovered.get(k) ?? (q.requisiteId ? q.requisiteId : positiveId(r.result));
        if (!id) {
          results.set(q.index, {
            ok: false,
            error: new CrmError(
              CrmErrorCode.BAD_RESPONSE,
              `Bitrix24 ${q.command.method}: no id in the answer`,
            ),
          });
          continue;
        }
        this.memory.rememberRequisite(q.companyId, id);
        results.set(q.index, { ok: true, id: q.companyId });
      }
    }
    return results;
  }

  /** A requisite add whose answer was lost is looked up by company + XML_ID before any retry. */
  private async settleRequisites(
    keys: string[],
    byKey: Map<string, { companyId: string; key: string; requisiteId: string | null }>,
    recovered: Map<string, string>,
  ): Promise<Map<string, B24CommandResult>> {
    const settled = new Map<string, B24CommandResult>();
    const adds = keys.filter((k) => !byKey.get(k)!.requisiteId);
    if (!adds.length) return settled;
    let found: Map<string, string | null>;
    try {
      found = await this.reads.ownedRequisites(
        adds.map((k) => ({ id: byKey.get(k)!.companyId, key: byKey.get(k)!.key })),
      );
    } catch (e) {
      const error = new CrmError(
        CrmErrorCode.TEMPORARY,
        `Bitrix24 requisite: the answer to an add was lost and the lookup failed (${(e as Error).message}); not retried`,
      );
      for (const k of adds) settled.set(k, { ok: false, error });
      return settled;
    }
    for (const k of adds) {
      const id = found.get(byKey.get(k)!.companyId);
      if (!id) continue;
      recovered.set(k, id);
      settled.set(k, { ok: true, result: Number(id) });
    }
    return settled;
  }
}

/**
 * The requisite a link reuses: one already marked with the key (a link tried before), else the lowest-ID
 * one whose INN has the matched digits and whose KPP is the matched one or empty; null when none.
 */
export function reusableRequisite(
  requisites: B24Requisite[],
  key: string,
  matched: { inn: string; kpp: string } | undefined,
): B24Requisite | null {
  const sorted = [...requisites].sort((a, b) => Number(a.id) - Number(b.id));
  const owned = sorted.find((r) => r.xmlId === key);
  if (owned) return owned;
  if (!matched) return null;
  const digits = (v: string) => v.replace(/\D/g, '');
  const inn = digits(matched.inn);
  const kpp = matched.kpp.trim();
  return sorted.find((r) => inn !== '' && digits(r.inn) === inn && (r.kpp === '' || r.kpp === kpp)) ?? null;
}

function hasFm(f: CompanyFields | ContactFields | DealFields): boolean {
  return (f as CompanyFields).phones !== undefined || (f as CompanyFields).emails !== undefined;
}

function fmUpdateOf(f: CompanyFields | ContactFields, current: FmEntry[]): FmUpdate | null {
  const u: FmUpdate = {};
  const none: ValuesChange = { add: [], remove: [] };
  if (f.phones) fmChange('PHONE', current, f.phones ?? none, u);
  if (f.emails) fmChange('EMAIL', current, f.emails ?? none, u);
  return Object.keys(u).length ? u : null;
}

function itemIdOf(result: unknown): string | null {
  const id = (result as { item?: { id?: unknown } } | null)?.item?.id;
  if (typeof id === 'number' || (typeof id === 'string' && /^\d+$/.test(id))) return String(id);
  return null;
}

function positiveId(result: unknown): string | null {
  const n = Number(result);
  return Number.isInteger(n) && n > 0 ? String(n) : null;
}
