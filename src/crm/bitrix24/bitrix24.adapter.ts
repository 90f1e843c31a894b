import { Logger } from '@nestjs/common';
import { CrmError, CrmErrorCode } from '../crm.error.js';
import type { CrmCapabilities, CrmMatching, CrmPort, CrmTodos } from '../crm.port.js';
import type {
  CrmCompany,
  CrmContact,
  CrmEntity,
  CrmRead,
  CrmRecordMap,
  CrmStage,
  CrmWritableEntity,
  CrmWrite,
  CrmWriteResult,
} from '../crm.types.js';
import { parseBitrix24Config, type Bitrix24Config } from './bitrix24.config.js';
import { BATCH_LIMIT, ENTITY_TYPE_ID, PAGE_SIZE, REQUISITE_SELECT, SELECT, STAGE_TTL_MS } from './bitrix24.constants.js';
import { Bitrix24Http, type B24Command, type B24CommandResult, type Bitrix24HttpOptions } from './bitrix24-http.js';
import type { B24ReadContext, B24Requisite, FmEntry } from './bitrix24.types.js';
import { Bitrix24Matching, type ListCommand } from './bitrix24-matching.js';
import { Bitrix24Writer } from './bitrix24-writes.js';
import { Bitrix24TodoOps } from './bitrix24-todos.js';
import { cardUrl, portalBaseOf } from './card-url.util.js';
import { convertRows, fmEntriesOf, type B24Row } from './converters/converter.util.js';
import { toCrmCompany } from './converters/company.converter.js';
import { toCrmContact } from './converters/contact.converter.js';
import { toCrmDeal } from './converters/deal.converter.js';
import { toCrmInvoice } from './converters/invoice.converter.js';
import { toB24Requisite } from './converters/requisite.converter.js';
import { convertStage } from './converters/stage.converter.js';
import { IdRangePlan, type IdRange } from './id-range-plan.js';
import { RecordMemory } from './record-memory.js';
import { pickRequisite, taxIdsOfRequisite } from './tax-ids.util.js';

export interface Bitrix24AdapterOptions extends Omit<Bitrix24HttpOptions, 'webhookUrl' | 'rps' | 'burst'> {
  /** BITRIX24_WEBHOOK_URL (a secret: never logged). */
  webhookUrl: string;
  /** BITRIX24_RPS */
  rps: number;
  /** BITRIX24_BURST */
  burst: number;
  /** The mapping file's `bitrix24:` section (validated here; defaults when absent). */
  config?: Bitrix24Config;
  /** Stage and preset cache lifetime (default 10 min). */
  stageTtlMs?: number;
  /** Batches of one applyWrites call in flight at once (default 2; the limiter still paces them). */
  writeConcurrency?: number;
}

/** A bad `bitrix24:` section of the mapping file: one line per mistake, each naming its path. */
export class Bitrix24ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`the mapping's bitrix24 section is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'Bitrix24ConfigError';
  }
}

/** The `bitrix24:` section of the mapping, validated (throws Bitrix24ConfigError naming each mistake). */
export function bitrix24ConfigOf(section: unknown): Bitrix24Config {
  const { config, problems } = parseBitrix24Config(section);
  if (problems.length) throw new Bitrix24ConfigError(problems);
  return config;
}

/**
 * CrmPort on a Bitrix24 portal through an incoming webhook (docs/protocols/bitrix24.md): `crm.item.*` for
 * companies (4), contacts (3), deals (2) and smart invoices (31, read only); a company's tax details are
 * its requisites (`crm.requisite.*`, Sverka's own marked by XML_ID); phones and e-mails are `fm` entries;
 * stages by `crm.status.list`; every read and write in `batch` requests of ≤ 50 commands; bulk reads by
 * id ranges; the process-wide leaky bucket per portal and the retry policy (Bitrix24Http).
 */
export class Bitrix24Adapter implements CrmPort {
  readonly kind = 'bitrix24';
  readonly capabilities: CrmCapabilities;
  readonly writeChunk = BATCH_LIMIT;
  /** Companies by INN and contacts of companies, before a create (bitrix24-matching.ts). */
  readonly matching: CrmMatching;
  readonly config: Bitrix24Config;
  readonly http: Bitrix24Http;
  private readonly log = new Logger('Bitrix24Adapter');
  private readonly ttl: number;
  private readonly ctx: B24ReadContext;
  private readonly stageCache = new Map<'deal' | 'invoice', { at: number; stages: CrmStage[] }>();
  private presetCache: { at: number; byName: Map<string, string> } | null = null;
  private readonly memory = new RecordMemory();
  private readonly writer: Bitrix24Writer;
  /** The portal's address (the webhook URL without `rest/<user>/<secret>/`), for card links. */
  private readonly portalBase: string | null;
  /** Conflict to-dos as universal activities on the records' timelines (bitrix24-todos.ts). */
  readonly todos: CrmTodos;

  constructor(opts: Bitrix24AdapterOptions) {
    this.http = new Bitrix24Http(opts);
    this.config = opts.config ?? bitrix24ConfigOf({});
    this.ttl = opts.stageTtlMs ?? STAGE_TTL_MS;
    this.ctx = { marker: this.config.deletionMarker };
    this.portalBase = portalBaseOf(opts.webhookUrl);
    this.capabilities = { invoices: true, flags: this.config.deletionMarker !== undefined };
    this.todos = new Bitrix24TodoOps(this.http, webhookUserOf(opts.webhookUrl));
    this.matching = new Bitrix24Matching(
      {
        lists: (commands) => this.lists(commands),
        contacts: async (rows) => (await this.convertItems('contacts', rows)) as CrmRead<CrmContact>,
      },
      this.config,
    );
    this.writer = new Bitrix24Writer(
      this.http,
      {
        fmEntries: (entity, ids) => this.fmEntries(entity, ids),
        ownedRequisites: (companies) => this.ownedRequisites(companies),
        findByExternalKey: (entity, source, keys) => this.findByExternalKey(entity, source, keys),
        presets: () => this.presets(),
        requisitesOf: async (ids) => (await this.requisitesOf(ids)).byCompany,
      },
      this.memory,
      this.config,
      opts.writeConcurrency ?? 2,
    );
  }

  // ---------------------------------------------------------------- reads

  /**
   * All records of a type with an id above `afterId`, ascending, in pages of ≤ 50: id-range list calls,
   * 50 per `batch` request (IdRangePlan). Companies come with their tax details: the requisites of each
   * batch's companies are read in one more request. A record added during the read may or may not be in it.
   */
  async *bulkRead<E extends CrmEntity>(opts: { entity: E; afterId?: string }): AsyncIterable<CrmRead<CrmRecordMap[E]>> {
    const plan = new IdRangePlan<unknown>((r) => idNumber(r, 'id'), { after: afterIdOf(opts.afterId) });
    while (!plan.done) {
      const ranges = plan.next();
      plan.settle(
        await this.listCalls(
          ranges.map((r) => ({
            entityTypeId: ENTITY_TYPE_ID[opts.entity],
            select: SELECT[opts.entity],
            order: { id: 'ASC' },
            filter: rangeFilter('id', r),
            start: -1,
          })),
        ),
      );
      const read = await this.convertItems(opts.entity, plan.take());
      for (let i = 0; i < Math.max(read.records.length, read.malformed.length); i += PAGE_SIZE)
        yield {
          records: read.records.slice(i, i + PAGE_SIZE),
          malformed: read.malformed.slice(i, i + PAGE_SIZE),
        } as CrmRead<CrmRecordMap[E]>;
    }
  }

  async getMany<E extends CrmEntity>(entity: E, ids: string[]): Promise<CrmRead<CrmRecordMap[E]>> {
    const unique = [...new Set(ids.filter((i) => /^\d+$/.test(i)))];
    const calls: Record<string, unknown>[] = [];
    for (let i = 0; i < unique.length; i += PAGE_SIZE)
      calls.push({
        entityTypeId: ENTITY_TYPE_ID[entity],
        select: SELECT[entity],
        order: { id: 'ASC' },
        filter: { '@id': unique.slice(i, i + PAGE_SIZE).map(Number) },
        start: -1,
      });
    return (await this.convertItems(entity, (await this.listCalls(calls)).flat())) as CrmRead<CrmRecordMap[E]>;
  }

  async getOne<E extends CrmEntity>(entity: E, id: string): Promise<CrmRecordMap[E] | null> {
    let item: unknown;
    try {
      const body = await this.http.call('crm.item.get', { entityTypeId: ENTITY_TYPE_ID[entity], id: Number(id) });
      item = (body.result as { item?: unknown } | null)?.item;
    } catch (e) {
      if (e instanceof CrmError && e.code === CrmErrorCode.NOT_FOUND) return null;
      throw e;
    }
    const read = await this.convertItems(entity, [item]);
    if (read.malformed.length)
      throw new CrmError(CrmErrorCode.BAD_RESPONSE, `Bitrix24 crm.item.get: ${read.malformed[0].reason}`);
    return read.records[0] as CrmRecordMap[E];
  }

  /**
   * CRM ids per 1C key: 50 keys per list call (`@originId`, an IN filter) and 50 calls per batch request —
   * about one command per 50 records, so a create costs its own command and nothing more. A call that
   * returned a full page (duplicates of some keys) is continued with `>id` until a short page.
   */
  async findByExternalKey(entity: CrmWritableEntity, source: string, keys: string[]): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>();
    const unique = [...new Set(keys)];
    const wanted = new Set(unique);
    let open: { ids: string[]; after: number }[] = [];
    for (let i = 0; i < unique.length; i += PAGE_SIZE) open.push({ ids: unique.slice(i, i + PAGE_SIZE), after: 0 });
    while (open.length) {
      const rows = await this.listCalls(
        open.map((q) => ({
          entityTypeId: ENTITY_TYPE_ID[entity],
          select: ['id', 'originId'],
          filter: { '=originatorId': source, '@originId': q.ids, ...(q.after ? { '>id': q.after } : {}) },
          order: { id: 'ASC' },
          start: -1,
        })),
      );
      const next: typeof open = [];
      open.forEach((q, i) => {
        let last = q.after;
        for (const r of rows[i] as B24Row[]) {
          const id = Number(r.id);
          if (!Number.isInteger(id) || id <= 0) continue;
          last = Math.max(last, id);
          const key = String(r.originId ?? '');
          if (wanted.has(key)) found.set(key, [...(found.get(key) ?? []), String(id)]);
        }
        if (rows[i].length >= PAGE_SIZE) next.push({ ids: q.ids, after: last });
      });
      open = next;
    }
    for (const [key, ids] of found) found.set(key, ids.sort((x, y) => Number(x) - Number(y)));
    return found;
  }

  async count(entity: CrmEntity, opts: { source?: string; upTo?: number } = {}): Promise<number> {
    const body = await this.http.call('crm.item.list', {
      entityTypeId: ENTITY_TYPE_ID[entity],
      select: ['id'],
      filter: opts.source ? { '=originatorId': opts.source } : {},
      start: 0,
    });
    if (typeof body.total !== 'number')
      throw new CrmError(CrmErrorCode.BAD_RESPONSE, 'Bitrix24 crm.item.list: no total in the answer');
    return body.total;
  }

  async listStages(kind: 'deal' | 'invoice'): Promise<CrmStage[]> {
    const cached = this.stageCache.get(kind);
    if (cached && Date.now() - cached.at < this.ttl) return cached.stages;
    let directory = this.config.dealCategoryId === '0' ? 'DEAL_STAGE' : `DEAL_STAGE_${this.config.dealCategoryId}`;
    if (kind === 'invoice') {
      const body = await this.http.call('crm.category.list', { entityTypeId: ENTITY_TYPE_ID.invoices });
      const cats = ((body.result as { categories?: unknown } | null)?.categories ?? []) as B24Row[];
      if (!Array.isArray(cats) || cats.length === 0)
        throw new CrmError(CrmErrorCode.BAD_RESPONSE, 'Bitrix24 crm.category.list: no invoice pipeline');
      const def = cats.find((c) => c.isDefault === 'Y') ?? cats[0];
      directory = `SMART_INVOICE_STAGE_${String(def.id)}`;
    }
    const body = await this.http.call('crm.status.list', { order: { SORT: 'ASC' }, filter: { ENTITY_ID: directory } });
    const stages: CrmStage[] = [];
    for (const row of rowsOf(body.result, 'crm.status.list')) {
      const c = convertStage(row);
      if (c.ok) stages.push(c.record);
      else this.log.warn(`Bitrix24 ${directory}: status ${c.id ?? '?'} skipped: ${c.reason}`);
    }
    this.stageCache.set(kind, { at: Date.now(), stages });
    return stages;
  }

  // ---------------------------------------------------------------- writes

  applyWrites(
    writes: CrmWrite[],
    opts: { onCreated?: (created: { key: string; id: string }[]) => Promise<void> } = {},
  ): Promise<CrmWriteResult[]> {
    return this.writer.apply(writes, opts.onCreated);
  }

  /** `https://<portal>/crm/company/details/<id>/` and the contact, deal and smart-invoice equivalents. */
  recordUrl(entity: CrmEntity, id: string): string | null {
    return this.portalBase ? cardUrl(this.portalBase, entity, id) : null;
  }

  async ping(): Promise<void> {
    // A probe: one attempt, no retries (the caller decides what "down" means).
    await this.http.call(
      'crm.item.list',
      { entityTypeId: ENTITY_TYPE_ID.companies, select: ['id'], filter: { '=id': 0 }, start: -1 },
      { retry: false },
    );
  }

  // ---------------------------------------------------------------- helpers

  /** One `batch` of `crm.item.list` calls (or of another list method), the rows of each in order. */
  private listCalls(calls: Record<string, unknown>[], method: ListCommand['method'] = 'crm.item.list'): Promise<unknown[][]> {
    return this.lists(calls.map((params) => ({ method, params })));
  }

  /** List commands of any list method in `batch` requests of ≤ 50, the rows of each in order. */
  private async lists(calls: ListCommand[]): Promise<unknown[][]> {
    const commands = new Map<string, B24Command>();
    calls.forEach((c, i) => commands.set(`r${i}`, c));
    const results = await this.http.batch(commands);
    return calls.map(({ method }, i) => {
      const result = okOrThrow(results.get(`r${i}`));
      return method === 'crm.item.list' ? itemsOf(result, method) : rowsOf(result, method);
    });
  }

  /** Rows → records; companies get their tax details; `fm` entries are remembered for the next write. */
  private async convertItems(entity: CrmEntity, rows: unknown[]): Promise<CrmRead<CrmRecordMap[CrmEntity]>> {
    const read = convertRows(entity, rows, 'id', (row) => {
      switch (entity) {
        case 'companies':
          return toCrmCompany(row, this.ctx);
        case 'contacts':
          return toCrmContact(row, this.ctx);
        case 'deals':
          return toCrmDeal(row, this.ctx);
        default:
          return toCrmInvoice(row);
      }
    }) as CrmRead<CrmRecordMap[CrmEntity]>;
    if (entity === 'companies' || entity === 'contacts')
      for (const row of rows) {
        const r = row as B24Row;
        const id = String(r?.id ?? '');
        if (!/^\d+$/.test(id)) continue;
        try {
          this.memory.rememberFm(entity, id, fmEntriesOf(r));
        } catch {
          // A malformed fm is reported with its record above.
        }
      }
    if (entity === 'companies' && read.records.length) {
      const companies = read.records as CrmCompany[];
      const { byCompany, malformed } = await this.requisitesOf(companies.map((c) => c.id));
      read.malformed.push(...malformed);
      for (const c of companies) {
        const picked = pickRequisite(byCompany.get(c.id) ?? [], c.external?.key ?? null);
        if (c.external) this.memory.rememberRequisite(c.id, picked?.owned ? picked.requisite.id : null);
        c.taxIds = picked ? { ...taxIdsOfRequisite(picked.requisite, this.config.presets), owned: picked.owned } : null;
      }
    }
    return read;
  }

  /** The requisites of these companies: list calls of 50 company ids each (continued when a page is full). */
  private async requisitesOf(
    companyIds: string[],
  ): Promise<{ byCompany: Map<string, B24Requisite[]>; malformed: CrmRead<unknown>['malformed'] }> {
    const byCompany = new Map<string, B24Requisite[]>();
    const malformed: CrmRead<unknown>['malformed'] = [];
    const ids = [...new Set(companyIds.filter((i) => /^\d+$/.test(i)))];
    let open: { ids: string[]; after: number }[] = [];
    for (let i = 0; i < ids.length; i += PAGE_SIZE) open.push({ ids: ids.slice(i, i + PAGE_SIZE), after: 0 });
    while (open.length) {
      const rows = await this.listCalls(
        open.map((q) => ({
          filter: { ENTITY_TYPE_ID: ENTITY_TYPE_ID.companies, '@ENTITY_ID': q.ids.map(Number), ...(q.after ? { '>ID': q.after } : {}) },
          select: REQUISITE_SELECT,
          order: { ID: 'ASC' },
          start: -1,
        })),
        'crm.requisite.list',
      );
      const next: typeof open = [];
      open.forEach((q, i) => {
        const read = convertRows('requisites', rows[i], 'ID', toB24Requisite);
        malformed.push(...read.malformed);
        for (const r of read.records) byCompany.set(r.companyId, [...(byCompany.get(r.companyId) ?? []), r]);
        const last = Math.max(q.after, ...rows[i].map((r) => idNumber(r, 'ID') ?? 0));
        if (rows[i].length >= PAGE_SIZE) next.push({ ids: q.ids, after: last });
      });
      open = next;
    }
    return { byCompany, malformed };
  }

  /** `fm` entries of records: remembered from the last read, else read now (50 per call). */
  private async fmEntries(entity: 'companies' | 'contacts', ids: string[]): Promise<Map<string, FmEntry[]>> {
    const out = new Map<string, FmEntry[]>();
    const missing: string[] = [];
    for (const id of ids) {
      const known = this.memory.fmOf(entity, id);
      if (known) out.set(id, known);
      else missing.push(id);
    }
    if (!missing.length) return out;
    const calls: Record<string, unknown>[] = [];
    for (let i = 0; i < missing.length; i += PAGE_SIZE)
      calls.push({
        entityTypeId: ENTITY_TYPE_ID[entity],
        select: SELECT[entity],
        order: { id: 'ASC' },
        filter: { '@id': missing.slice(i, i + PAGE_SIZE).map(Number) },
        start: -1,
      });
    for (const row of (await this.listCalls(calls)).flat() as B24Row[]) {
      const id = String(row?.id ?? '');
      try {
        const entries = fmEntriesOf(row);
        this.memory.rememberFm(entity, id, entries);
        out.set(id, entries);
      } catch {
        // Unreadable fm: the record is treated as gone for this write (it fails as NOT_FOUND, and is retried).
      }
    }
    return out;
  }

  /** The requisite kept for each company (XML_ID = its key): remembered, else read (50 companies per call). */
  private async ownedRequisites(companies: { id: string; key: string }[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    const missing = companies.filter((c) => {
      const known = this.memory.requisiteOf(c.id);
      if (known !== undefined) out.set(c.id, known);
      return known === undefined;
    });
    if (!missing.length) return out;
    const { byCompany } = await this.requisitesOf(missing.map((c) => c.id));
    for (const c of missing) {
      const owned = (byCompany.get(c.id) ?? []).filter((r) => r.xmlId === c.key).sort((a, b) => Number(a.id) - Number(b.id));
      const id = owned[0]?.id ?? null;
      this.memory.rememberRequisite(c.id, id);
      out.set(c.id, id);
    }
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
      if (typeof r.NAME === 'string' && r.ID !== undefined && !byName.has(r.NAME)) byName.set(r.NAME, String(r.ID));
    this.presetCache = { at: Date.now(), byName };
    return byName;
  }
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
  if (!Array.isArray(result)) throw new CrmError(CrmErrorCode.BAD_RESPONSE, `Bitrix24 ${method}: result is not an array`);
  return result;
}

/** A row's id as a positive integer (number or digit string), else null (the row is still read). */
function idNumber(row: unknown, key: 'id' | 'ID'): number | null {
  const n = Number((row as B24Row | null)?.[key]);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** `>=id from` and, unless the range is open, `<id to`. */
function rangeFilter(key: 'id' | 'ID', r: IdRange): Record<string, number> {
  return Number.isFinite(r.to) ? { [`>=${key}`]: r.from, [`<${key}`]: r.to } : { [`>=${key}`]: r.from };
}

/** The user id of an incoming webhook URL (`…/rest/<user_id>/<secret>/`), or null. */
function webhookUserOf(url: string): string | null {
  return /\/rest\/(\d+)\/[^/]+\/?$/.exec(new URL(url).pathname)?.[1] ?? null;
}

function afterIdOf(afterId: string | undefined): number {
  if (afterId === undefined) return 0;
  if (!/^\d+$/.test(afterId)) throw new CrmError(CrmErrorCode.INVALID, `Bitrix24 bulkRead: afterId is not an id: ${afterId}`);
  return Number(afterId);
}
