import { Logger } from '@nestjs/common';
import { CrmError, CrmErrorCode } from '../crm.error.js';
import type { CrmPort } from '../crm.port.js';
import type {
  CompanyFields,
  ContactFields,
  CrmEntity,
  CrmMultiValue,
  CrmRead,
  CrmRecordMap,
  CrmRequisite,
  CrmStage,
  CrmWritableEntity,
  CrmWrite,
  CrmWriteResult,
  DealFields,
  RequisiteFields,
} from '../crm.types.js';
import {
  BATCH_LIMIT,
  ENTITY_TYPE_ID,
  PAGE_SIZE,
  REQUISITE_SELECT,
  SELECT,
  STAGE_TTL_MS,
} from './bitrix24.constants.js';
import {
  Bitrix24Http,
  type B24Command,
  type B24CommandResult,
  type Bitrix24HttpOptions,
} from './bitrix24-http.js';
import { cardUrl, portalBaseOf } from './card-url.util.js';
import { convertRows, type B24Row } from './converters/converter.util.js';
import { toCrmCompany } from './converters/company.converter.js';
import { toCrmContact } from './converters/contact.converter.js';
import { toCrmDeal } from './converters/deal.converter.js';
import { toCrmInvoice } from './converters/invoice.converter.js';
import { toCrmRequisite } from './converters/requisite.converter.js';
import { convertStage } from './converters/stage.converter.js';
import { fmAdd, fmDiff, type FmUpdate } from './fm-diff.util.js';
import type { IdRange } from './id-range-plan.js';
import { readByIdRanges } from './id-range-read.js';

export interface Bitrix24AdapterOptions extends Omit<Bitrix24HttpOptions, 'webhookUrl' | 'rps' | 'burst'> {
  /** BITRIX24_WEBHOOK_URL (a secret: never logged). */
  webhookUrl: string;
  /** BITRIX24_RPS */
  rps: number;
  /** BITRIX24_BURST */
  burst: number;
  /** ONEC_ORIGINATOR_ID (default `sverka-1c`), exposed as `adapter.originatorId`; writes carry their own origin. */
  originatorId?: string;
  /** Stage and preset cache lifetime (default 10 min). */
  stageTtlMs?: number;
  /** Batches of one applyWrites call in flight at once (default 2; the limiter still paces them). */
  writeConcurrency?: number;
}

const CONVERT: { [E in CrmEntity]: (row: B24Row) => CrmRecordMap[E] } = {
  companies: toCrmCompany,
  contacts: toCrmContact,
  deals: toCrmDeal,
  invoices: toCrmInvoice,
};

type Prepared =
  | { index: number; write: CrmWrite; command: B24Command }
  | { index: number; write: CrmWrite; done: CrmWriteResult };

/**
 * CrmPort on a Bitrix24 portal through an incoming webhook (sheet shared/reference/bitrix24-rest.md):
 * `crm.item.*` for companies (4), contacts (3), deals (2) and smart invoices (31, read only), requisites,
 * `fm` phones/e-mails, stages, `batch`, bulk reads by id ranges (50 list calls per request), the
 * process-wide leaky bucket per portal and the §9 retry policy (in Bitrix24Http), idempotent creates
 * (find by origin after a lost answer).
 */
export class Bitrix24Adapter implements CrmPort {
  private readonly log = new Logger('Bitrix24Adapter');
  readonly http: Bitrix24Http;
  /** The origin this service stamps on its records (ONEC_ORIGINATOR_ID). */
  readonly originatorId: string;
  private readonly ttl: number;
  private readonly stageCache = new Map<'deal' | 'invoice', { at: number; stages: CrmStage[] }>();
  private presetCache: { at: number; byName: Map<string, string> } | null = null;
  /** The portal's address (the webhook URL without `rest/<user>/<secret>/`), for card links. */
  private readonly portalBase: string | null;

  constructor(private readonly opts: Bitrix24AdapterOptions) {
    this.http = new Bitrix24Http(opts);
    this.originatorId = opts.originatorId ?? 'sverka-1c';
    this.ttl = opts.stageTtlMs ?? STAGE_TTL_MS;
    this.portalBase = portalBaseOf(opts.webhookUrl);
  }

  /**
   * All records of a type with an id above `afterId`, in ascending id order, in pages of ≤ 50: id-range
   * list calls, 50 per `batch` request (IdRangePlan), about 50 times fewer requests than one keyset
   * call per request. A record added during the read may or may not be in it.
   */
  async *bulkRead<E extends CrmEntity>(opts: {
    entity: E;
    afterId?: string;
  }): AsyncIterable<CrmRead<CrmRecordMap[E]>> {
    const method = 'crm.item.list';
    const rows = readByIdRanges<unknown>({
      after: afterIdOf(opts.afterId),
      idOf: (r) => idNumber(r, 'id'),
      fetch: (ranges) =>
        this.listRanges(
          method,
          ranges.map((r) => ({
            entityTypeId: ENTITY_TYPE_ID[opts.entity],
            select: SELECT[opts.entity],
            order: { id: 'ASC' },
            filter: rangeFilter('id', r),
            start: -1,
          })),
          (result) => itemsOf(result, method),
        ),
    });
    for await (const page of rows)
      yield convertRows(opts.entity, page, 'id', CONVERT[opts.entity]) as CrmRead<CrmRecordMap[E]>;
  }

  async getMany<E extends CrmEntity>(entity: E, ids: string[]): Promise<CrmRead<CrmRecordMap[E]>> {
    const out: CrmRead<CrmRecordMap[E]> = { records: [], malformed: [] };
    const unique = [...new Set(ids.filter((i) => /^\d+$/.test(i)))];
    const commands = new Map<string, B24Command>();
    for (let i = 0; i < unique.length; i += PAGE_SIZE)
      commands.set(`g${i / PAGE_SIZE}`, {
        method: 'crm.item.list',
        params: {
          entityTypeId: ENTITY_TYPE_ID[entity],
          select: SELECT[entity],
          order: { id: 'ASC' },
          filter: { '@id': unique.slice(i, i + PAGE_SIZE).map(Number) },
          start: -1,
        },
      });
    for (const r of (await this.http.batch(commands)).values()) {
      const rows = itemsOf(okOrThrow(r), 'crm.item.list');
      const read = convertRows(entity, rows, 'id', CONVERT[entity]) as CrmRead<CrmRecordMap[E]>;
      out.records.push(...read.records);
      out.malformed.push(...read.malformed);
    }
    return out;
  }

  async getOne<E extends CrmEntity>(entity: E, id: string): Promise<CrmRecordMap[E] | null> {
    try {
      const body = await this.http.call('crm.item.get', {
        entityTypeId: ENTITY_TYPE_ID[entity],
        id: Number(id),
      });
      const item = (body.result as { item?: unknown } | null)?.item;
      const read = convertRows(entity, [item], 'id', CONVERT[entity]);
      if (read.malformed.length)
        throw new CrmError(CrmErrorCode.BAD_RESPONSE, `Bitrix24 crm.item.get: ${read.malformed[0].reason}`);
      return read.records[0] as CrmRecordMap[E];
    } catch (e) {
      if (e instanceof CrmError && e.code === CrmErrorCode.NOT_FOUND) return null;
      throw e;
    }
  }

  /**
   * CRM ids per originId, 50 originIds per list call (`@originId`, an IN filter) and 50 calls per batch
   * request: about one command per 50 records instead of one per record, so a create costs its own
   * command and nothing more. A call that returned a full page (50 rows: duplicates of some origins)
   * is continued with `>id` until a short page.
   */
  async findByOrigin(
    entity: CrmWritableEntity,
    originatorId: string,
    originIds: string[],
  ): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>();
    const unique = [...new Set(originIds)];
    const wanted = new Set(unique);
    let open: { ids: string[]; after: number }[] = [];
    for (let i = 0; i < unique.length; i += PAGE_SIZE) open.push({ ids: unique.slice(i, i + PAGE_SIZE), after: 0 });
    while (open.length) {
      const commands = new Map<string, B24Command>();
      open.forEach((q, i) =>
        commands.set(`o${i}`, {
          method: 'crm.item.list',
          params: {
            entityTypeId: ENTITY_TYPE_ID[entity],
            select: ['id', 'originId'],
            filter: { '=originatorId': originatorId, '@originId': q.ids, ...(q.after ? { '>id': q.after } : {}) },
            order: { id: 'ASC' },
            start: -1,
          },
        }),
      );
      const results = await this.http.batch(commands);
      const next: typeof open = [];
      open.forEach((q, i) => {
        const rows = itemsOf(okOrThrow(results.get(`o${i}`)), 'crm.item.list') as B24Row[];
        let last = q.after;
        for (const r of rows) {
          const id = Number(r.id);
          if (!Number.isInteger(id) || id <= 0) continue;
          last = Math.max(last, id);
          const origin = String(r.originId ?? '');
          if (!wanted.has(origin)) continue;
          found.set(origin, [...(found.get(origin) ?? []), String(id)]);
        }
        if (rows.length >= PAGE_SIZE) next.push({ ids: q.ids, after: last });
      });
      open = next;
    }
    for (const [origin, ids] of found) found.set(origin, ids.sort((x, y) => Number(x) - Number(y)));
    return found;
  }

  async count(entity: CrmEntity, opts: { originatorId?: string } = {}): Promise<number> {
    const body = await this.http.call('crm.item.list', {
      entityTypeId: ENTITY_TYPE_ID[entity],
      select: ['id'],
      filter: opts.originatorId ? { '=originatorId': opts.originatorId } : {},
      start: 0,
    });
    if (typeof body.total !== 'number')
      throw new CrmError(CrmErrorCode.BAD_RESPONSE, 'Bitrix24 crm.item.list: no total in the answer');
    return body.total;
  }

  async *readRequisites(opts: { companyIds?: string[] }): AsyncIterable<CrmRead<CrmRequisite>> {
    if (opts.companyIds) {
      const ids = [...new Set(opts.companyIds.filter((i) => /^\d+$/.test(i)))];
      for (let i = 0; i < ids.length; i += BATCH_LIMIT) {
        const commands = new Map<string, B24Command>();
        for (const id of ids.slice(i, i + BATCH_LIMIT))
          commands.set(`r${id}`, {
            method: 'crm.requisite.list',
            params: {
              filter: { ENTITY_TYPE_ID: 4, ENTITY_ID: Number(id) },
              select: REQUISITE_SELECT,
              order: { ID: 'ASC' },
            },
          });
        const page: CrmRead<CrmRequisite> = { records: [], malformed: [] };
        for (const r of (await this.http.batch(commands)).values()) {
          const read = convertRows(
            'requisites',
            rowsOf(okOrThrow(r), 'crm.requisite.list'),
            'ID',
            toCrmRequisite,
          );
          page.records.push(...read.records);
          page.malformed.push(...read.malformed);
        }
        yield page;
      }
      return;
    }
    // All company requisites: by ID ranges like bulkRead.
    const method = 'crm.requisite.list';
    const rows = readByIdRanges<unknown>({
      idOf: (r) => idNumber(r, 'ID'),
      fetch: (ranges) =>
        this.listRanges(
          method,
          ranges.map((r) => ({
            filter: { ENTITY_TYPE_ID: 4, ...rangeFilter('ID', r) },
            select: REQUISITE_SELECT,
            order: { ID: 'ASC' },
            start: -1,
          })),
          (result) => rowsOf(result, method),
        ),
    });
    for await (const page of rows) yield convertRows('requisites', page, 'ID', toCrmRequisite);
  }

  async listStages(kind: 'deal' | 'invoice'): Promise<CrmStage[]> {
    const cached = this.stageCache.get(kind);
    if (cached && Date.now() - cached.at < this.ttl) return cached.stages;
    let directory = 'DEAL_STAGE';
    if (kind === 'invoice') {
      const body = await this.http.call('crm.category.list', { entityTypeId: 31 });
      const cats = ((body.result as { categories?: unknown } | null)?.categories ?? []) as B24Row[];
      if (!Array.isArray(cats) || cats.length === 0)
        throw new CrmError(CrmErrorCode.BAD_RESPONSE, 'Bitrix24 crm.category.list: no invoice pipeline');
      const def = cats.find((c) => c.isDefault === 'Y') ?? cats[0];
      directory = `SMART_INVOICE_STAGE_${String(def.id)}`;
    }
    const body = await this.http.call('crm.status.list', {
      order: { SORT: 'ASC' },
      filter: { ENTITY_ID: directory },
    });
    const stages: CrmStage[] = [];
    for (const row of rowsOf(body.result, 'crm.status.list')) {
      const c = convertStage(row);
      if (c.ok) stages.push(c.record);
      else this.log.warn(`Bitrix24 ${directory}: status ${c.id ?? '?'} skipped: ${c.reason}`);
    }
    this.stageCache.set(kind, { at: Date.now(), stages });
    return stages;
  }

  async applyWrites(writes: CrmWrite[]): Promise<CrmWriteResult[]> {
    const results: CrmWriteResult[] = new Array<CrmWriteResult>(writes.length);
    const prepared = await this.prepare(writes);
    const toSend: { index: number; write: CrmWrite; command: B24Command }[] = [];
    for (const p of prepared) {
      if ('done' in p) results[p.index] = p.done;
      else toSend.push(p);
    }
    const chunks: (typeof toSend)[] = [];
    for (let i = 0; i < toSend.length; i += BATCH_LIMIT) chunks.push(toSend.slice(i, i + BATCH_LIMIT));
    const concurrency = Math.max(1, this.opts.writeConcurrency ?? 2);
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++];
        await this.sendChunk(chunk, results);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
    return results;
  }

  /** `https://<portal>/crm/company/details/<id>/` and the contact, deal and smart-invoice equivalents (card-url.util.ts). */
  recordUrl(entity: CrmEntity, id: string): string | null {
    return this.portalBase ? cardUrl(this.portalBase, entity, id) : null;
  }

  async ping(): Promise<void> {
    // A probe: one attempt, no retries (the caller decides what "down" means).
    await this.http.call(
      'crm.item.list',
      { entityTypeId: 4, select: ['id'], filter: { '=id': 0 }, start: -1 },
      { retry: false },
    );
  }

  // ---- reads ----

  /**
   * One `batch` request of list calls (≤ 50), the rows of each in order. A call that failed is retried
   * by Bitrix24Http.batch as far as the §9 policy allows; a failure left after that throws (okOrThrow).
   */
  private async listRanges(
    method: string,
    calls: Record<string, unknown>[],
    rowsOfResult: (result: unknown) => unknown[],
  ): Promise<unknown[][]> {
    const commands = new Map<string, B24Command>();
    calls.forEach((params, i) => commands.set(`r${i}`, { method, params }));
    const results = await this.http.batch(commands);
    return calls.map((_, i) => rowsOfResult(okOrThrow(results.get(`r${i}`))));
  }

  // ---- writes ----

  private async sendChunk(
    chunk: { index: number; write: CrmWrite; command: B24Command }[],
    results: CrmWriteResult[],
  ): Promise<void> {
    const byKey = new Map(chunk.map((p) => [`w${p.index}`, p]));
    const commands = new Map(chunk.map((p) => [`w${p.index}`, p.command]));
    const recovered = new Map<string, { id: string; duplicates?: string[] }>();
    const out = await this.http.batch(commands, (keys) => this.settle(keys, byKey, recovered));
    for (const [k, r] of out) {
      const p = byKey.get(k)!;
      const key = p.write.key;
      if (!r.ok) {
        results[p.index] = { key, ok: false, error: r.error };
        continue;
      }
      const rec = recovered.get(k);
      if (rec) {
        results[p.index] = {
          key,
          ok: true,
          id: rec.id,
          recovered: true,
          ...(rec.duplicates ? { duplicates: rec.duplicates } : {}),
        };
        continue;
      }
      const id = resultId(p.write, r.result);
      results[p.index] = id
        ? { key, ok: true, id }
        : {
            key,
            ok: false,
            error: new CrmError(
              CrmErrorCode.BAD_RESPONSE,
              `Bitrix24 ${p.command.method}: no id in the answer`,
            ),
          };
    }
  }

  /**
   * The answer of these commands is unknown: before any retry, a create is looked up by its origin
   * (items) or by company + XML_ID (requisites); found → settled with the lowest id, never created again.
   * An `fm` update is rebuilt against the record as it is now (its `n0…` adds must not run twice).
   */
  private async settle(
    keys: string[],
    byKey: Map<string, { index: number; write: CrmWrite; command: B24Command }>,
    recovered: Map<string, { id: string; duplicates?: string[] }>,
  ): Promise<Map<string, B24CommandResult>> {
    const settled = new Map<string, B24CommandResult>();
    const creates = new Map<CrmWritableEntity, Map<string, string[]>>();
    for (const k of keys) {
      const w = byKey.get(k)!.write;
      if (w.op !== 'create') continue;
      const m = creates.get(w.entity) ?? new Map<string, string[]>();
      creates.set(w.entity, m);
      m.set(w.origin.originId, [...(m.get(w.origin.originId) ?? []), k]);
    }
    for (const [entity, byOrigin] of creates) {
      const originatorIds = new Set(
        [...byOrigin.values()]
          .flat()
          .map((k) => (byKey.get(k)!.write as Extract<CrmWrite, { op: 'create' }>).origin.originatorId),
      );
      for (const originatorId of originatorIds) {
        let found: Map<string, string[]>;
        try {
          found = await this.findByOrigin(entity, originatorId, [...byOrigin.keys()]);
        } catch (e) {
          // Without the lookup a retry could create a duplicate: these creates fail instead (a later run finds them).
          const error = new CrmError(
            e instanceof CrmError && e.fatal ? e.code : CrmErrorCode.TEMPORARY,
            `Bitrix24 ${entity}: the answer to a create was lost and the lookup by origin failed (${(e as Error).message}); not retried`,
          );
          for (const k of [...byOrigin.values()].flat()) settled.set(k, { ok: false, error });
          continue;
        }
        for (const [originId, ids] of found)
          for (const k of byOrigin.get(originId) ?? []) {
            const rec = { id: ids[0], ...(ids.length > 1 ? { duplicates: ids.slice(1) } : {}) };
            recovered.set(k, rec);
            settled.set(k, { ok: true, result: { item: { id: Number(ids[0]) } } });
            this.log.warn(
              `Bitrix24 ${entity}: create ${k} answer lost; found by origin as id ${ids[0]}${ids.length > 1 ? ` (+${ids.length - 1} duplicate(s))` : ''}`,
            );
          }
      }
    }
    for (const k of keys) {
      const p = byKey.get(k)!;
      const w = p.write;
      if (w.op === 'createRequisite') {
        let body: { result: unknown };
        try {
          body = await this.http.call('crm.requisite.list', {
            filter: { ENTITY_TYPE_ID: 4, ENTITY_ID: Number(w.companyId), XML_ID: w.fields.xmlId },
            select: ['ID'],
            order: { ID: 'ASC' },
          });
        } catch (e) {
          settled.set(k, {
            ok: false,
            error: new CrmError(
              CrmErrorCode.TEMPORARY,
              `Bitrix24 requisite: the answer to an add was lost and the lookup failed (${(e as Error).message}); not retried`,
            ),
          });
          continue;
        }
        const ids = rowsOf(body.result, 'crm.requisite.list')
          .map((r) => Number((r as B24Row).ID))
          .filter((n) => n > 0);
        if (ids.length) {
          recovered.set(k, {
            id: String(ids[0]),
            ...(ids.length > 1 ? { duplicates: ids.slice(1).map(String) } : {}),
          });
          settled.set(k, { ok: true, result: ids[0] });
        }
      } else if (w.op === 'update' && w.entity !== 'deals' && hasFm(w.fields)) {
        const upd = w;
        let now: { phones: CrmMultiValue[]; emails: CrmMultiValue[] } | null;
        try {
          now = await this.getOne(upd.entity as 'companies' | 'contacts', upd.id);
        } catch (e) {
          settled.set(k, {
            ok: false,
            error: new CrmError(
              CrmErrorCode.TEMPORARY,
              `Bitrix24 ${upd.entity} ${upd.id}: the answer to an fm update was lost and re-reading failed (${(e as Error).message}); not retried`,
            ),
          });
          continue;
        }
        if (!now) continue;
        const fields = p.command.params.fields as Record<string, unknown>;
        const fm = this.fmUpdate(upd.fields as CompanyFields, { phones: now.phones, emails: now.emails });
        if (fm) fields.fm = fm;
        else delete fields.fm;
      }
    }
    return settled;
  }

  private async prepare(writes: CrmWrite[]): Promise<Prepared[]> {
    const needsPresets = writes.some((w) => w.op === 'createRequisite' || w.op === 'updateRequisite');
    const presets = needsPresets ? await this.presets() : new Map<string, string>();
    // Updates that set phones/e-mails without `current`: read the records first.
    const missing = new Map<CrmWritableEntity, string[]>();
    for (const w of writes)
      if (w.op === 'update' && w.entity !== 'deals' && !w.current && hasFm(w.fields))
        missing.set(w.entity, [...(missing.get(w.entity) ?? []), w.id]);
    const current = new Map<string, { phones: CrmMultiValue[]; emails: CrmMultiValue[] }>();
    for (const [entity, ids] of missing) {
      const read = await this.getMany(entity, ids);
      for (const r of read.records as { id: string; phones: CrmMultiValue[]; emails: CrmMultiValue[] }[])
        current.set(`${entity}:${r.id}`, { phones: r.phones, emails: r.emails });
    }
    return writes.map((write, index): Prepared => {
      const invalid = (msg: string): Prepared => ({
        index,
        write,
        done: { key: write.key, ok: false, error: new CrmError(CrmErrorCode.INVALID, msg) },
      });
      switch (write.op) {
        case 'create': {
          const fields: Record<string, unknown> = {
            ...this.itemFields(write.entity, write.fields),
            originatorId: write.origin.originatorId,
            originId: write.origin.originId,
          };
          if (write.entity !== 'deals') {
            const fm = fmAdd((write.fields as CompanyFields).phones, (write.fields as CompanyFields).emails);
            if (fm.length) fields.fm = fm;
          }
          return {
            index,
            write,
            command: {
              method: 'crm.item.add',
              params: { entityTypeId: ENTITY_TYPE_ID[write.entity], fields },
            },
          };
        }
        case 'update': {
          if (!/^\d+$/.test(write.id)) return invalid(`not a Bitrix24 id: ${write.id}`);
          const fields = this.itemFields(write.entity, write.fields);
          if (write.entity !== 'deals' && hasFm(write.fields)) {
            const cur = write.current ?? current.get(`${write.entity}:${write.id}`);
            if (!cur)
              return {
                index,
                write,
                done: {
                  key: write.key,
                  ok: false,
                  error: new CrmError(
                    CrmErrorCode.NOT_FOUND,
                    `Bitrix24 ${write.entity} ${write.id} not found`,
                  ),
                },
              };
            const fm = this.fmUpdate(write.fields as CompanyFields, cur);
            if (fm) fields.fm = fm;
          }
          if (Object.keys(fields).length === 0)
            return { index, write, done: { key: write.key, ok: true, id: write.id } };
          return {
            index,
            write,
            command: {
              method: 'crm.item.update',
              params: { entityTypeId: ENTITY_TYPE_ID[write.entity], id: Number(write.id), fields },
            },
          };
        }
        case 'createRequisite':
        case 'updateRequisite': {
          const presetId = presets.get(write.fields.presetName);
          if (!presetId)
            return invalid(`Bitrix24 has no requisite preset named "${write.fields.presetName}"`);
          const fields = requisiteFields(write.fields, presetId);
          if (write.op === 'createRequisite')
            return {
              index,
              write,
              command: {
                method: 'crm.requisite.add',
                params: { fields: { ENTITY_TYPE_ID: 4, ENTITY_ID: Number(write.companyId), ...fields } },
              },
            };
          return {
            index,
            write,
            command: { method: 'crm.requisite.update', params: { id: Number(write.id), fields } },
          };
        }
      }
    });
  }

  private fmUpdate(
    fields: CompanyFields | ContactFields,
    current: { phones: CrmMultiValue[]; emails: CrmMultiValue[] },
  ): FmUpdate | null {
    const u: FmUpdate = {};
    if (fields.phones !== undefined) fmDiff('PHONE', current.phones, fields.phones, u);
    if (fields.emails !== undefined) fmDiff('EMAIL', current.emails, fields.emails, u);
    return Object.keys(u).length ? u : null;
  }

  /** Field names only from here (unknown keys are silently ignored by Bitrix24, sheet §2). */
  private itemFields(
    entity: CrmWritableEntity,
    f: CompanyFields | ContactFields | DealFields,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const put = (k: string, v: unknown) => {
      if (v !== undefined) out[k] = v;
    };
    if (entity === 'companies') {
      const c = f as CompanyFields;
      put('title', c.title);
      put('originVersion', c.originVersion);
    } else if (entity === 'contacts') {
      const c = f as ContactFields;
      put('lastName', c.lastName);
      put('name', c.name);
      put('secondName', c.secondName);
      put(
        'companyId',
        c.companyId === undefined ? undefined : c.companyId === null ? 0 : Number(c.companyId),
      );
      put('originVersion', c.originVersion);
    } else {
      const d = f as DealFields;
      put('title', d.title);
      put('categoryId', d.categoryId === undefined ? undefined : Number(d.categoryId));
      put('stageId', d.stageId);
      if (d.opportunity !== undefined) {
        // A two-digit decimal string: JSON number on the wire, the exact text inside a batch query.
        out.opportunity = d.opportunity;
        out.isManualOpportunity = 'Y';
      }
      put('currencyId', d.currencyId);
      put(
        'companyId',
        d.companyId === undefined ? undefined : d.companyId === null ? 0 : Number(d.companyId),
      );
      put('comments', d.comments);
    }
    for (const [k, v] of Object.entries(f.userFields ?? {})) if (/^ufCrm[A-Za-z0-9_]+$/.test(k)) out[k] = v;
    return out;
  }

  /** Preset name → id (`crm.requisite.preset.list`), cached like stages. */
  private async presets(): Promise<Map<string, string>> {
    if (this.presetCache && Date.now() - this.presetCache.at < this.ttl) return this.presetCache.byName;
    const body = await this.http.call('crm.requisite.preset.list', {
      order: { ID: 'ASC' },
      filter: { COUNTRY_ID: 1 },
      select: ['ID', 'NAME'],
    });
    const byName = new Map<string, string>();
    for (const r of rowsOf(body.result, 'crm.requisite.preset.list') as B24Row[])
      if (typeof r.NAME === 'string' && r.ID !== undefined && !byName.has(r.NAME))
        byName.set(r.NAME, String(r.ID));
    this.presetCache = { at: Date.now(), byName };
    return byName;
  }
}

function hasFm(f: CompanyFields | ContactFields | DealFields): boolean {
  return (f as CompanyFields).phones !== undefined || (f as CompanyFields).emails !== undefined;
}

function requisiteFields(f: RequisiteFields, presetId: string): Record<string, unknown> {
  const ogrn = f.ogrn.trim();
  return {
    PRESET_ID: Number(presetId),
    NAME: f.presetName,
    XML_ID: f.xmlId,
    RQ_INN: f.inn,
    RQ_KPP: f.kpp,
    RQ_COMPANY_NAME: f.companyName,
    RQ_COMPANY_FULL_NAME: f.fullName,
    ...(ogrn.length === 15 ? { RQ_OGRNIP: ogrn } : { RQ_OGRN: ogrn }),
  };
}

function resultId(write: CrmWrite, result: unknown): string | null {
  if (write.op === 'updateRequisite')
    return result === true || result === 1 || result === '1' ? write.id : null;
  if (write.op === 'createRequisite') {
    const n = Number(result);
    return Number.isInteger(n) && n > 0 ? String(n) : null;
  }
  const id = (result as { item?: { id?: unknown } } | null)?.item?.id;
  if (typeof id === 'number' || (typeof id === 'string' && /^\d+$/.test(id))) return String(id);
  return write.op === 'update' ? write.id : null;
}

function okOrThrow(r: B24CommandResult | undefined): unknown {
  if (!r) throw new CrmError(CrmErrorCode.BAD_RESPONSE, 'Bitrix24 batch: a command has no result');
  if (!r.ok) throw r.error;
  return r.result;
}

/** `result.items` of crm.item.list. */
function itemsOf(result: unknown, method: string): unknown[] {
  const items = (result as { items?: unknown } | null)?.items;
  if (!Array.isArray(items))
    throw new CrmError(CrmErrorCode.BAD_RESPONSE, `Bitrix24 ${method}: result.items is not an array`);
  return items;
}

/** Older list methods put the rows directly in `result`. */
function rowsOf(result: unknown, method: string): unknown[] {
  if (!Array.isArray(result))
    throw new CrmError(CrmErrorCode.BAD_RESPONSE, `Bitrix24 ${method}: result is not an array`);
  return result;
}

/** A row's id as a positive integer (number or digit string), else null (the row is still read). */
function idNumber(row: unknown, key: 'id' | 'ID'): number | null {
  const n = Number((row as B24Row | null)?.[key]);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** `>=id from` and, unless the range is open, `<id to` (sheet §4 filter prefixes). */
function rangeFilter(key: 'id' | 'ID', r: IdRange): Record<string, number> {
  return Number.isFinite(r.to) ? { [`>=${key}`]: r.from, [`<${key}`]: r.to } : { [`>=${key}`]: r.from };
}

function afterIdOf(afterId: string | undefined): number {
  if (afterId === undefined) return 0;
  if (!/^\d+$/.test(afterId))
    throw new CrmError(CrmErrorCode.INVALID, `Bitrix24 bulkRead: afterId is not an id: ${afterId}`);
  return Number(afterId);
}
