import { Logger } from '@nestjs/common';
import type { Mapping } from '../../mapping/mapping.types.js';
import type { SverkaMetrics } from '../../metrics/sverka-metrics.js';
import { CONVERTERS, convertDebts } from '../converters/index.js';
import { contactOwner } from '../converters/contact.converter.js';
import { RowError, bool, isRow, optionalRef, str, type Row } from '../converters/odata-row.js';
import { OneCError, OneCErrorCode } from '../onec.error.js';
import type { OneCPageOptions, OneCPort, OneCRead, OneCScanReport } from '../onec.port.js';
import type { MalformedRecord, OneCDebt, OneCEntity, OneCFolder, OneCRecordMap, OneCVersion, OneCVersionKeys } from '../onec.types.js';
import { ODataHttp } from './odata-http.js';
import { webClientUrl } from './web-client-link.util.js';
import {
  andFilters,
  datetimeLiteral,
  guidLiteral,
  isGuid,
  periodAfter,
  refsFilter,
  stringLiteral,
  wrapParameter,
} from './odata-url.js';

export interface OneCODataAdapterOptions {
  /** ONEC_ODATA_URL: `{scheme}://{host}/{publication}/odata/standard.odata`. */
  baseUrl: string;
  user: string;
  password: string;
  mapping: Mapping;
  /** Per request, default 60 000 ms. */
  timeoutMs?: number;
  /** Waits before retries 1..3, default [1000, 4000, 16000] (±20 % jitter). */
  retryDelaysMs?: readonly number[];
  metrics?: SverkaMetrics;
}

/** Rows per page (docs/protocols/onec-odata.md#query-options). */
export const PAGE_SIZE = 500;
/** Keys per fetch-by-keys request (docs/protocols/onec-odata.md#change-detection). */
export const KEYS_PER_REQUEST = 20;

type SetKind = 'catalog' | 'document';

interface SetPlan {
  entity: OneCEntity;
  set: string;
  kind: SetKind;
  /** Scan base filter; also the `$count` filter of the completeness check. */
  baseFilter?: string;
  /**
   * What fetch by key leaves out, as the scan does (a counterparty folder is no counterparty: the change
   * feed names folders too). Not the deals window: an order outside it is read by key to tell older from gone.
   */
  keyFilter?: string;
  /** Live-count filter. */
  liveFilter: string;
  /** `$select` of the version scan. */
  scanSelect: string;
  /** `$select` of the version scan with keys (scanVersions `withKeys`). */
  keysSelect: string;
}

/**
 * OneCPort over the 1C standard OData interface (docs/protocols/onec-odata.md), native fetch.
 * Keyset paging by `Code` (catalogs) or (`Date`, `Number`) (documents), never `$skip`; `$count` check,
 * one rescan, repeated `Ref_Key`s dropped; version scan + fetch by ≤20 ORed keys; debts from
 * `Balance(…AccountCondition=…)`. Set names and accounts come from the Mapping.
 */
export class OneCODataAdapter implements OneCPort {
  private readonly log = new Logger(OneCODataAdapter.name);
  readonly http: ODataHttp;
  private readonly plans: Record<OneCEntity, SetPlan>;
  /** The last scan report per entity (also passed to `onReport`). */
  readonly lastScan = new Map<OneCEntity, OneCScanReport>();

  constructor(private readonly opts: OneCODataAdapterOptions) {
    this.http = new ODataHttp(opts);
    const m = opts.mapping;
    const since = m.deals.ordersSince
      ? `Date ge ${datetimeLiteral(`${m.deals.ordersSince}T00:00:00`)}`
      : undefined;
    this.plans = {
      counterparties: {
        entity: 'counterparties',
        set: m.counterparties.onecSet,
        kind: 'catalog',
        baseFilter: 'IsFolder eq false',
        keyFilter: 'IsFolder eq false',
        liveFilter: 'IsFolder eq false and DeletionMark eq false',
        scanSelect: 'Ref_Key,DataVersion,Code',
        keysSelect: 'Ref_Key,DataVersion,Code,DeletionMark,Parent_Key,ИНН,КПП',
      },
      contacts: {
        entity: 'contacts',
        set: m.contacts.onecSet,
        kind: 'catalog',
        liveFilter: 'DeletionMark eq false',
        scanSelect: 'Ref_Key,DataVersion,Code,ОбъектВладелец,ОбъектВладелец_Type',
        keysSelect: 'Ref_Key,DataVersion,Code,DeletionMark,ОбъектВладелец,ОбъектВладелец_Type',
      },
      deals: {
        entity: 'deals',
        set: m.deals.onecSet,
        kind: 'document',
        baseFilter: since,
        liveFilter: andFilters(since, 'DeletionMark eq false')!,
        scanSelect: 'Ref_Key,DataVersion,Date,Number',
        keysSelect: 'Ref_Key,DataVersion,Date,Number,DeletionMark,Контрагент_Key',
      },
    };
  }

  /** `<publication>/#e1cib/data/Справочник.Контрагенты?ref=…` (web-client-link.util.ts). */
  recordUrl(entity: OneCEntity, ref: string): string | null {
    return webClientUrl(this.opts.baseUrl, this.plans[entity].set, ref);
  }

  async *scanVersions(opts: OneCPageOptions): AsyncIterable<OneCVersion[]> {
    const plan = this.plans[opts.entity];
    const select = opts.withKeys ? plan.keysSelect : plan.scanSelect;
    for await (const { rows, malformed } of this.scan(plan, select, opts.pageSize, opts.onReport)) {
      const out: OneCVersion[] = [];
      for (const row of rows) {
        if (plan.entity === 'contacts' && !ownedByCounterparty(row)) continue;
        if (typeof row.DataVersion !== 'string' || !row.DataVersion) {
          malformed.push({ entity: plan.entity, ref: String(row.Ref_Key), reason: 'DataVersion is missing' });
          continue;
        }
        const ref = String(row.Ref_Key).toLowerCase();
        if (!opts.withKeys) {
          out.push({ ref, dataVersion: row.DataVersion });
          continue;
        }
        try {
          out.push({ ref, dataVersion: row.DataVersion, keys: versionKeys(plan.entity, ref, row) });
        } catch (e) {
          malformed.push({ entity: plan.entity, ref, reason: e instanceof RowError ? e.message : String(e) });
        }
      }
      yield out;
    }
  }

  async *readAll<E extends OneCEntity>(opts: {
    entity: E;
    pageSize?: number;
    onReport?: (r: OneCScanReport) => void;
  }): AsyncIterable<OneCRead<OneCRecordMap[E]>> {
    const plan = this.plans[opts.entity];
    for await (const { rows, malformed } of this.scan(plan, undefined, opts.pageSize, opts.onReport)) {
      const kept = plan.entity === 'contacts' ? rows.filter(ownedByCounterparty) : rows;
      const read = this.convert(opts.entity, kept);
      yield { records: read.records, malformed: [...malformed, ...read.malformed] };
    }
  }

  async fetchByKeys<E extends OneCEntity>(entity: E, refs: string[]): Promise<OneCRead<OneCRecordMap[E]>> {
    const plan = this.plans[entity];
    const keys = [...new Set(refs.map((r) => r.toLowerCase()))];
    for (const k of keys)
      if (!isGuid(k)) throw new OneCError(OneCErrorCode.INVALID, `not a GUID key: ${JSON.stringify(k)}`);
    const result: OneCRead<OneCRecordMap[E]> = { records: [], malformed: [] };
    for (let i = 0; i < keys.length; i += KEYS_PER_REQUEST) {
      const chunk = keys.slice(i, i + KEYS_PER_REQUEST);
      const rows = await this.collection(plan.set, {
        $top: chunk.length,
        $filter: andFilters(plan.keyFilter, refsFilter(chunk))!,
      });
      const read = this.convert(entity, rows);
      result.records.push(...read.records);
      result.malformed.push(...read.malformed);
    }
    return result;
  }

  async getOne<E extends OneCEntity>(entity: E, ref: string): Promise<OneCRead<OneCRecordMap[E]> | null> {
    const plan = this.plans[entity];
    let literal: string;
    try {
      literal = guidLiteral(ref);
    } catch {
      throw new OneCError(OneCErrorCode.INVALID, `not a GUID key: ${JSON.stringify(ref)}`);
    }
    try {
      const body = await this.http.getJson(`${plan.set}(${literal})`, {}, 'record');
      return this.convert(entity, [body]);
    } catch (e) {
      if (e instanceof OneCError && e.code === OneCErrorCode.NOT_FOUND) return null;
      throw e;
    }
  }

  /** Folders of the counterparty catalog (`IsFolder eq true`), keyset-paged by `Code`. */
  async readFolders(entity: 'counterparties'): Promise<OneCFolder[]> {
    const plan: SetPlan = { ...this.plans[entity], baseFilter: 'IsFolder eq true' };
    const out: OneCFolder[] = [];
    for await (const { rows } of this.scan(plan, 'Ref_Key,Code,Description,Parent_Key', PAGE_SIZE)) {
      for (const row of rows) {
        let parentRef: string | null;
        try {
          parentRef = optionalRef(row, 'Parent_Key');
        } catch {
          parentRef = null;
        }
        out.push({ ref: String(row.Ref_Key).toLowerCase(), parentRef, name: str(row, 'Description') });
      }
    }
    return out;
  }

  /**
   * Live records: `/$count` with the live filter (counterparties: not folders, not deletion-marked;
   * orders: not deletion-marked, within `ordersSince`). Contacts are counted by a light keyset scan
   * (`Ref_Key,DeletionMark,Code,ОбъектВладелец,ОбъектВладелец_Type`) because only persons owned by a
   * counterparty count and the client never filters on a composite-type field
   * (docs/protocols/onec-odata.md#query-options, docs/protocols/onec-odata.md#contact-persons).
   */
  async countLive(entity: OneCEntity): Promise<number> {
    const plan = this.plans[entity];
    if (entity !== 'contacts') return this.count(plan.set, plan.liveFilter);
    let n = 0;
    for await (const { rows } of this.scan(
      plan,
      'Ref_Key,DeletionMark,Code,ОбъектВладелец,ОбъектВладелец_Type',
      PAGE_SIZE,
    )) {
      for (const row of rows) if (row.DeletionMark !== true && ownedByCounterparty(row)) n++;
    }
    return n;
  }

  async readDebts(
    opts: { asOf?: string; onMalformed?: (rows: MalformedRecord[]) => void } = {},
  ): Promise<OneCDebt[]> {
    const d = this.opts.mapping.debts;
    const codes = [...new Set(d.accounts)];
    const accounts = await this.collection(d.chartOfAccounts, {
      $select: 'Ref_Key,Code,Description',
      $filter: codes.map((c) => `Code eq ${stringLiteral(c)}`).join(' or '),
    });
    const keyByCode = new Map<string, string>();
    for (const a of accounts) {
      if (typeof a.Code === 'string' && typeof a.Ref_Key === 'string')
        keyByCode.set(a.Code.trim(), a.Ref_Key.toLowerCase());
    }
    const missing = codes.filter((c) => !keyByCode.has(c));
    if (missing.length)
      throw new OneCError(
        OneCErrorCode.CONFIGURATION,
        `1C ${d.chartOfAccounts} has no account with code ${missing.join(', ')} (mapping debts.accounts)`,
      );
    const period = opts.asOf ? `Period=${datetimeLiteral(periodAfter(opts.asOf))},` : '';
    const balance = (keys: string[]) =>
      this.collection(
        `${d.register}/Balance(${period}AccountCondition=${wrapParameter(keys.map((k) => `Account_Key eq ${guidLiteral(k)}`).join(' or '))})`,
        {},
      );
    const keys = codes.map((c) => keyByCode.get(c)!);
    let rows: Row[];
    try {
      rows = await balance(keys);
    } catch (e) {
      // A Balance too large for one answer is read one account at a time
      // (docs/protocols/onec-odata.md#paging).
      if (!(e instanceof OneCError && e.retryable && keys.length > 1)) throw e;
      this.log.warn(
        `1C ${d.register}/Balance over ${keys.length} accounts failed (${e.code}); reading one account per request`,
      );
      rows = [];
      for (const k of keys) rows.push(...(await balance([k])));
    }
    const { records, malformed } = convertDebts(rows);
    if (malformed.length) {
      this.log.warn(
        `1C ${d.register}/Balance: ${malformed.length} balance row(s) could not be read and were left out`,
      );
      opts.onMalformed?.(malformed);
    }
    return records;
  }

  async ping(): Promise<void> {
    // A probe: one attempt, no retries (readiness polls; the caller decides what "down" means).
    const res = await this.http.get('$metadata', {}, 'metadata', 'config', { retry: false });
    const m = this.opts.mapping;
    const sets = [
      m.counterparties.onecSet,
      m.contacts.onecSet,
      m.deals.onecSet,
      m.debts.chartOfAccounts,
      m.debts.register,
    ];
    const missing = sets.filter((s) => !res.body.includes(`<EntitySet Name="${s}"`));
    if (missing.length)
      throw new OneCError(
        OneCErrorCode.CONFIGURATION,
        `1C $metadata does not list ${missing.join(', ')}: publish them in the OData composition or fix the mapping`,
      );
  }

  // ---- internals ----

  /** A collection GET → its `value` rows (objects only; anything else is a bad response). */
  private async collection(
    resource: string,
    query: Record<string, string | number | undefined>,
  ): Promise<Row[]> {
    const body = await this.http.getJson(resource, query);
    if (!isRow(body) || !Array.isArray(body.value))
      throw new OneCError(OneCErrorCode.BAD_RESPONSE, `1C ${resource}: the response has no "value" array`);
    return body.value as Row[];
  }

  private async count(set: string, filter: string | undefined): Promise<number> {
    const res = await this.http.get(`${set}/$count`, { $filter: filter }, 'count');
    const text = res.body.trim();
    if (!/^\d+$/.test(text))
      throw new OneCError(
        OneCErrorCode.BAD_RESPONSE,
        `1C ${set}/$count: the body is not a number`,
        res.status,
      );
    return Number(text);
  }

  /** One keyset pass: pages in cursor order. Stops when a page has fewer than `$top` rows. */
  private async *pages(plan: SetPlan, select: string | undefined, pageSize: number): AsyncGenerator<Row[]> {
    const orderby = plan.kind === 'catalog' ? 'Code' : 'Date,Number';
    let cursor: string | undefined;
    for (;;) {
      const rows = await this.collection(plan.set, {
        $select: select,
        $filter: andFilters(plan.baseFilter, cursor),
        $orderby: orderby,
        $top: pageSize,
      });
      yield rows;
      if (rows.length < pageSize) return;
      cursor = cursorAfter(plan, rows[rows.length - 1]);
    }
  }

  /**
   * Full keyset scan with the completeness check of docs/protocols/onec-odata.md#paging: after the pass,
   * `/$count` with the same base filter; on a difference one more pass; repeated `Ref_Key`s are dropped
   * across passes.
   */
  private async *scan(
    plan: SetPlan,
    select: string | undefined,
    pageSize = PAGE_SIZE,
    onReport?: (r: OneCScanReport) => void,
  ): AsyncGenerator<{ rows: Row[]; malformed: MalformedRecord[] }> {
    const seen = new Set<string>();
    const malformed: MalformedRecord[] = [];
    let counted = 0;
    let complete = false;
    let pass = 0;
    while (pass < 2 && !complete) {
      pass++;
      const inPass = new Set<string>();
      let unkeyed = 0;
      for await (const page of this.pages(plan, select, pageSize)) {
        const fresh: Row[] = [];
        const bad: MalformedRecord[] = [];
        for (const row of page) {
          const ref =
            typeof row.Ref_Key === 'string' && isGuid(row.Ref_Key.toLowerCase())
              ? row.Ref_Key.toLowerCase()
              : null;
          if (!ref) {
            unkeyed++;
            if (pass === 1)
              bad.push({ entity: plan.entity, ref: null, reason: 'Ref_Key is missing or not a GUID' });
            continue;
          }
          inPass.add(ref);
          if (seen.has(ref)) continue;
          seen.add(ref);
          fresh.push(row);
        }
        yield { rows: fresh, malformed: bad };
        // After the consumer's turn: scanVersions adds rows without DataVersion to `bad`.
        malformed.push(...bad);
      }
      counted = await this.count(plan.set, plan.baseFilter);
      complete = inPass.size + unkeyed === counted;
      if (!complete)
        this.log.warn(
          `1C ${plan.set}: scan pass ${pass} saw ${inPass.size + unkeyed} rows, $count says ${counted}`,
        );
    }
    const report: OneCScanReport = {
      entity: plan.entity,
      rows: seen.size,
      counted,
      rescanned: pass > 1,
      complete,
      malformed,
    };
    if (onReport) {
      this.lastScan.set(plan.entity, report);
      onReport(report);
    } else if (select === undefined || select === plan.scanSelect) this.lastScan.set(plan.entity, report);
  }

  private convert<E extends OneCEntity>(entity: E, rows: unknown[]): OneCRead<OneCRecordMap[E]> {
    const convert = CONVERTERS[entity];
    const out: OneCRead<OneCRecordMap[E]> = { records: [], malformed: [] };
    for (const raw of rows) {
      const c = convert(raw);
      if (c.ok) out.records.push(c.record as OneCRecordMap[E]);
      else out.malformed.push(c.malformed);
    }
    return out;
  }
}

/** The `keys` of a version-scan row read `withKeys` (throws RowError when a reference is not a GUID). */
function versionKeys(entity: OneCEntity, ref: string, row: Row): OneCVersionKeys {
  const deletionMark = bool(row, 'DeletionMark');
  if (entity === 'counterparties')
    return {
      counterpartyRef: ref,
      deletionMark,
      parentRef: optionalRef(row, 'Parent_Key'),
      inn: str(row, 'ИНН'),
      kpp: str(row, 'КПП'),
    };
  if (entity === 'contacts') return { counterpartyRef: contactOwner(row), deletionMark };
  return { counterpartyRef: optionalRef(row, 'Контрагент_Key'), deletionMark };
}

function ownedByCounterparty(row: Row): boolean {
  try {
    return contactOwner(row) !== null;
  } catch {
    return false;
  }
}

/** The next page's cursor condition from the last row (the client copies keys, never compares them). */
function cursorAfter(plan: SetPlan, last: Row): string {
  if (plan.kind === 'catalog') {
    if (typeof last.Code !== 'string')
      throw new OneCError(
        OneCErrorCode.BAD_RESPONSE,
        `1C ${plan.set}: a page row has no Code to continue from`,
      );
    return `Code gt ${stringLiteral(last.Code)}`;
  }
  if (typeof last.Date !== 'string' || typeof last.Number !== 'string')
    throw new OneCError(
      OneCErrorCode.BAD_RESPONSE,
      `1C ${plan.set}: a page row has no Date/Number to continue from`,
    );
  const d = datetimeLiteral(last.Date.slice(0, 19));
  return `(Date gt ${d} or (Date eq ${d} and Number gt ${stringLiteral(last.Number)}))`;
}
