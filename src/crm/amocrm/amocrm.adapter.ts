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
import { parseAmoCrmConfig, type AmoCrmConfig } from './amocrm.config.js';
import { FILTER_CHUNK, KEY_FILTER_CHUNK, PAGE_LIMIT, SCHEMA_TTL_MS, WRITE_CHUNK, type AmoEntity } from './amocrm.constants.js';
import { AmoCrmHttp, type AmoCrmHttpOptions, type AmoQuery } from './amocrm-http.js';
import { AmoSchemaLoader, type AmoSchema } from './amocrm-schema.js';
import { AmoCrmMatching } from './amocrm-matching.js';
import { AMO_ENTITY, AmoCrmWriter } from './amocrm-writes.js';
import { AmoTodoOps } from './amocrm-todos.js';
import type { AmoCurrent, AmoReadContext, AmoRow } from './amocrm.types.js';
import { convertRows, customFieldsOf, cfText } from './converters/converter.util.js';
import { toCrmCompany } from './converters/company.converter.js';
import { toCrmContact } from './converters/contact.converter.js';
import { toAmoCurrent } from './converters/current.converter.js';
import { toCrmDeal } from './converters/lead.converter.js';
import { stagesOf } from './converters/stage.converter.js';
import { formatExternalKey, parseExternalKey } from './external-key.util.js';
import { accountBaseOf, recordUrlOf } from './record-url.util.js';
import { RecordMemory } from './record-memory.js';

export interface AmoCrmAdapterOptions extends AmoCrmHttpOptions {
  /** The mapping file's `amocrm:` section (validated here; defaults when absent). */
  config?: AmoCrmConfig;
  /** The mapping's stage keys (deals.statusMap values and deletedStage): statuses found or created at start. */
  stageKeys?: string[];
  /** The mapping's deals.currency: amoCRM leads carry none, so deals read back in it (default RUB). */
  currency?: string;
  /** How long custom fields and pipeline statuses are kept before reading them again (default 10 min). */
  schemaTtlMs?: number;
}

/** A bad `amocrm:` section of the mapping file: one line per mistake, each naming its path. */
export class AmoCrmConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`the mapping's amocrm section is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'AmoCrmConfigError';
  }
}

/** The `amocrm:` section of the mapping, validated (throws AmoCrmConfigError naming each mistake). */
export function amoCrmConfigOf(section: unknown): AmoCrmConfig {
  const { config, problems } = parseAmoCrmConfig(section);
  if (problems.length) throw new AmoCrmConfigError(problems);
  return config;
}

const INVOICES_UNAVAILABLE = 'amoCRM has no invoices Sverka reads';

/**
 * CrmPort on an amoCRM account through API v4 with a private integration's long-lived token
 * (docs/protocols/amocrm.md, docs/amocrm.md): companies, contacts, and deals as leads; the 1C key, tax
 * details and the "deleted in 1C" flag in custom fields (found or created by `prepare()`); phones and
 * e-mails in the predefined multitext fields; deal stages as statuses of one pipeline; no invoices.
 * Lists of 250 a page (204 = nothing); writes of ≤ 50 items a request (AmoCrmWriter); every request
 * through the account's limiter of AMOCRM_RPS (AmoCrmHttp). Nothing is ever deleted.
 */
export class AmoCrmAdapter implements CrmPort {
  readonly kind = 'amocrm';
  readonly capabilities: CrmCapabilities;
  readonly writeChunk = WRITE_CHUNK;
  /** Companies by INN and contacts of companies, before a create (amocrm-matching.ts). */
  readonly matching: CrmMatching;
  readonly config: AmoCrmConfig;
  readonly http: AmoCrmHttp;
  private readonly log = new Logger('AmoCrmAdapter');
  private readonly loader: AmoSchemaLoader;
  private readonly ttl: number;
  private readonly currency: string;
  private readonly base: string | null;
  private readonly memory = new RecordMemory();
  private readonly writer: AmoCrmWriter;
  private cached: AmoSchema | null = null;
  private loading: Promise<AmoSchema> | null = null;
  /** Conflict to-dos as tasks on the records (amocrm-todos.ts). */
  readonly todos: CrmTodos;
  /** Set when the account answered a filtered list with rows the filter excludes (filters off): look-ups go another way. */
  private filtersIgnored = false;

  constructor(opts: AmoCrmAdapterOptions) {
    this.http = new AmoCrmHttp(opts);
    this.config = opts.config ?? amoCrmConfigOf({});
    this.ttl = opts.schemaTtlMs ?? SCHEMA_TTL_MS;
    this.currency = opts.currency ?? 'RUB';
    this.base = accountBaseOf(opts.baseUrl);
    this.loader = new AmoSchemaLoader(this.http, this.config, opts.stageKeys ?? []);
    this.capabilities = {
      invoices: false,
      invoicesUnavailable: INVOICES_UNAVAILABLE,
      flags: this.config.fields.deleted !== null,
      amountDigits: 0,
    };
    this.todos = new AmoTodoOps(this.http);
    this.matching = new AmoCrmMatching({
      innField: async () => (await this.schema()).fields.companies.inn,
      filters: async () => (await this.schema()).filters && !this.filtersIgnored,
      filtersIgnored: (ae) => this.noteFiltersIgnored(ae),
      pages: (ae, query) => this.pages(ae, query),
      get: (path, query) => this.http.get(path, query),
      rowsById: (ae, ids) => this.rowsById(ae, ids),
      convert: async (entity, rows) => this.convert(entity, entity, rows, await this.readContext(entity)) as CrmRead<CrmCompany | CrmContact>,
    });
    this.writer = new AmoCrmWriter(
      this.http,
      {
        schema: () => this.schema(),
        currents: (entity, ids) => this.currents(entity, ids),
        findByExternalKey: (entity, source, keys) => this.findByExternalKey(entity, source, keys),
      },
      this.memory,
    );
  }

  // ---------------------------------------------------------------- start

  /** Finds or creates the custom fields and statuses Sverka needs (AmoSchemaLoader); CONFIGURATION stops the start. */
  async prepare(): Promise<void> {
    await this.schema(true);
  }

  // ---------------------------------------------------------------- reads

  /** Every record in ascending id order, 250 a page (`order[id]=asc`); amoCRM has no id range filter, so `afterId` skips. */
  async *bulkRead<E extends CrmEntity>(opts: { entity: E; afterId?: string }): AsyncIterable<CrmRead<CrmRecordMap[E]>> {
    const ae = amoEntityOf(opts.entity);
    if (!ae) return;
    if (opts.afterId !== undefined && !/^\d+$/.test(opts.afterId))
      throw new CrmError(CrmErrorCode.INVALID, `amoCRM bulkRead: afterId is not an id: ${opts.afterId}`);
    const after = Number(opts.afterId ?? 0);
    const ctx = await this.readContext(ae);
    for await (const rows of this.pages(ae, { 'order[id]': 'asc' })) {
      const mine = rows.filter((r) => !(typeof (r as AmoRow)?.id === 'number' && ((r as AmoRow).id as number) <= after));
      yield this.convert(opts.entity, ae, mine, ctx) as CrmRead<CrmRecordMap[E]>;
    }
  }

  async getMany<E extends CrmEntity>(entity: E, ids: string[]): Promise<CrmRead<CrmRecordMap[E]>> {
    const ae = amoEntityOf(entity);
    if (!ae) return { records: [], malformed: [] };
    const rows = await this.rowsById(ae, ids);
    return this.convert(entity, ae, rows, await this.readContext(ae)) as CrmRead<CrmRecordMap[E]>;
  }

  async getOne<E extends CrmEntity>(entity: E, id: string): Promise<CrmRecordMap[E] | null> {
    const ae = amoEntityOf(entity);
    if (!ae || !/^[1-9]\d{0,18}$/.test(id)) return null;
    const row = await this.http.get(`/api/v4/${ae}/${id}`);
    if (row === null) return null;
    const read = this.convert(entity, ae, [row], await this.readContext(ae));
    if (read.malformed.length)
      throw new CrmError(CrmErrorCode.BAD_RESPONSE, `amoCRM GET /api/v4/${ae}/${id}: ${read.malformed[0].reason}`);
    return read.records[0] as CrmRecordMap[E];
  }

  /**
   * CRM ids per 1C key: the key field's filter, 40 keys a request (`filter[custom_fields_values][<id>][]`);
   * on an account without API filtering, a `query` search per key. Either way only exact values count.
   */
  async findByExternalKey(entity: CrmWritableEntity, source: string, keys: string[]): Promise<Map<string, string[]>> {
    const ae = AMO_ENTITY[entity];
    const schema = await this.schema();
    const keyField = schema.fields[ae].key;
    const found = new Map<string, Set<string>>();
    const unique = [...new Set(keys)];
    const collect = (rows: AmoRow[], wanted: Set<string>): boolean => {
      let foreign = false;
      for (const r of rows) {
        const k = parseExternalKey(cfText(customFieldsOf(r), keyField));
        if (!k || k.source !== source || !wanted.has(k.key)) {
          foreign = true;
          continue;
        }
        if (typeof r.id === 'number') found.set(k.key, (found.get(k.key) ?? new Set()).add(String(r.id)));
      }
      return foreign;
    };
    let i = 0;
    if (schema.filters && !this.filtersIgnored)
      for (; i < unique.length; i += KEY_FILTER_CHUNK) {
        const chunk = unique.slice(i, i + KEY_FILTER_CHUNK);
        const values = chunk.map((key) => formatExternalKey({ source, key }));
        let foreign = false;
        for await (const rows of this.pages(ae, { [`filter[custom_fields_values][${keyField}][]`]: values }))
          if (collect(rows, new Set(chunk))) foreign = true;
        if (foreign) {
          this.noteFiltersIgnored(ae);
          break;
        }
      }
    for (; i < unique.length; i++) {
      const key = unique[i];
      for await (const rows of this.pages(ae, { query: formatExternalKey({ source, key }) })) collect(rows, new Set([key]));
    }
    return new Map(
      [...found].map(([k, ids]) => [k, [...ids].sort((a, b) => Number(a) - Number(b))]),
    );
  }

  /** amoCRM lists carry no total: the records are counted page by page (250 a page), up to `upTo`. */
  async count(entity: CrmEntity, opts: { source?: string; upTo?: number } = {}): Promise<number> {
    const ae = amoEntityOf(entity);
    if (!ae) return 0;
    const keyField = opts.source ? (await this.schema()).fields[ae].key : undefined;
    let n = 0;
    for await (const rows of this.pages(ae, {}))
      for (const r of rows) {
        if (!opts.source) n++;
        else {
          let k = null;
          try {
            k = parseExternalKey(cfText(customFieldsOf(r), keyField));
          } catch {
            // An unreadable row carries no key of ours.
          }
          if (k?.source === opts.source) n++;
        }
        if (opts.upTo !== undefined && n >= opts.upTo) return n;
      }
    return n;
  }

  /** The deal pipeline's statuses (names; 142 and 143 as "142"/"143"); amoCRM has no invoices. */
  async listStages(kind: 'deal' | 'invoice'): Promise<CrmStage[]> {
    if (kind === 'invoice') return [];
    return stagesOf((await this.schema()).pipeline);
  }

  // ---------------------------------------------------------------- writes

  applyWrites(
    writes: CrmWrite[],
    opts: { onCreated?: (created: { key: string; id: string }[]) => Promise<void> } = {},
  ): Promise<CrmWriteResult[]> {
    return this.writer.apply(writes, opts.onCreated);
  }

  /** `https://<account>/companies/detail/<id>`, `/contacts/detail/<id>`, `/leads/detail/<id>`. */
  recordUrl(entity: CrmEntity, id: string): string | null {
    return this.base ? recordUrlOf(this.base, entity, id) : null;
  }

  async ping(): Promise<void> {
    // A probe: one attempt, no retries (the caller decides what "down" means).
    await this.http.get('/api/v4/account', {}, { retry: false });
  }

  // ---------------------------------------------------------------- helpers

  /** The account's fields and pipeline, read (and prepared) once and again after the TTL; one load at a time. */
  private async schema(force = false): Promise<AmoSchema> {
    if (!force && this.cached && Date.now() - this.cached.at < this.ttl) return this.cached;
    if (!this.loading)
      this.loading = this.loader
        .load()
        .then((s) => (this.cached = s))
        .catch((e: unknown) => {
          // A refresh that could not reach the account keeps what was read before (tried again in a minute).
          const kept = this.cached;
          if (force || !kept || !(e instanceof CrmError) || e.fatal) throw e;
          this.log.warn(`amoCRM: custom fields and statuses not re-read (${e.message}); using those read before`);
          kept.at = Date.now() - this.ttl + 60_000;
          return kept;
        })
        .finally(() => (this.loading = null));
    return this.loading;
  }

  private async readContext(ae: AmoEntity): Promise<AmoReadContext> {
    const s = await this.schema();
    return { fields: s.fields[ae], stageOf: s.stageOf, currency: this.currency };
  }

  /** The pages of a list (250 rows each) until `_links.next` is gone; 204 ends it. */
  private async *pages(ae: AmoEntity, query: AmoQuery): AsyncIterable<AmoRow[]> {
    for (let page = 1; ; page++) {
      const body = (await this.http.get(`/api/v4/${ae}`, { ...query, limit: PAGE_LIMIT, page })) as AmoRow | null;
      if (body === null) return;
      const rows = (body._embedded as AmoRow | undefined)?.[ae];
      if (!Array.isArray(rows))
        throw new CrmError(CrmErrorCode.BAD_RESPONSE, `amoCRM GET /api/v4/${ae}: _embedded.${ae} is not an array`);
      yield rows as AmoRow[];
      if (!(body._links as AmoRow | undefined)?.next) return;
    }
  }

  /** Rows by id: `filter[id][]`, 100 a request; one GET each on an account without API filtering. */
  private async rowsById(ae: AmoEntity, ids: string[]): Promise<AmoRow[]> {
    const unique = [...new Set(ids.filter((i) => /^[1-9]\d{0,18}$/.test(i)))];
    const out = new Map<string, AmoRow>();
    let i = 0;
    const schema = await this.schema();
    if (schema.filters && !this.filtersIgnored)
      for (; i < unique.length; i += FILTER_CHUNK) {
        const chunk = unique.slice(i, i + FILTER_CHUNK);
        const wanted = new Set(chunk);
        let foreign = false;
        for await (const rows of this.pages(ae, { 'filter[id][]': chunk }))
          for (const r of rows) {
            const id = String(r?.id ?? '');
            if (wanted.has(id)) out.set(id, r);
            else foreign = true;
          }
        if (foreign) {
          this.noteFiltersIgnored(ae);
          break;
        }
      }
    for (; i < unique.length; i++) {
      if (out.has(unique[i])) continue;
      const row = (await this.http.get(`/api/v4/${ae}/${unique[i]}`)) as AmoRow | null;
      if (row) out.set(unique[i], row);
    }
    return [...out.values()].sort((a, b) => Number(a.id) - Number(b.id));
  }

  private noteFiltersIgnored(ae: AmoEntity): void {
    if (!this.filtersIgnored)
      this.log.warn(
        `amoCRM GET /api/v4/${ae}: the account answered a filtered list with other records (no API filtering); records are looked up one by one`,
      );
    this.filtersIgnored = true;
  }

  /** Records as they are now, for writes: remembered from the last read, else read. */
  private async currents(ae: AmoEntity, ids: string[]): Promise<Map<string, AmoCurrent>> {
    const out = new Map<string, AmoCurrent>();
    const missing: string[] = [];
    for (const id of ids) {
      const c = this.memory.get(ae, id);
      if (c) out.set(id, c);
      else missing.push(id);
    }
    if (missing.length)
      for (const row of await this.rowsById(ae, missing)) {
        try {
          const c = toAmoCurrent(row);
          this.memory.remember(ae, String(row.id), c);
          out.set(String(row.id), c);
        } catch {
          // Unreadable: treated as gone for this write (it fails as NOT_FOUND and is tried again later).
        }
      }
    return out;
  }

  /** Rows → records (malformed ones reported); what the writer needs of each is remembered. */
  private convert(entity: CrmEntity, ae: AmoEntity, rows: unknown[], ctx: AmoReadContext): CrmRead<unknown> {
    const read = convertRows(entity, rows, (row) =>
      ae === 'companies' ? toCrmCompany(row, ctx) : ae === 'contacts' ? toCrmContact(row, ctx) : toCrmDeal(row, ctx),
    );
    for (const row of rows) {
      const r = row as AmoRow;
      if (typeof r?.id !== 'number') continue;
      try {
        this.memory.remember(ae, String(r.id), toAmoCurrent(r));
      } catch {
        // A malformed row is reported with its record above.
      }
    }
    return read;
  }
}

function amoEntityOf(entity: CrmEntity): AmoEntity | null {
  return entity === 'invoices' ? null : AMO_ENTITY[entity];
}
