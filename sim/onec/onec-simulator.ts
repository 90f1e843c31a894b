import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simMapping } from '../mapping.js';
import type { Mapping } from '../../src/mapping/mapping.types.js';
import { mulberry32 } from '../common/prng.js';
import { ChangeFeed, FeedProtocolError } from './change-feed.js';
import { Doorbell, type DoorbellOptions, type DoorbellRing } from './doorbell.js';
import {
  FilterError,
  REF_ORDER_MESSAGE,
  checkFilter,
  compareValues,
  evaluate,
  isReferenceField,
  parseFilter,
  splitParameters,
  unwrapParameter,
  type FilterNode,
} from './odata-filter.js';

/** One OData row as 1C sends it (JSON object). */
export type ODataRow = Record<string, unknown>;

/** The 1C side of a data set (sim/dataset): raw OData rows per set. */
export interface OneCSimData {
  counterparties: ODataRow[];
  contacts: ODataRow[];
  orders: ODataRow[];
  /** `ChartOfAccounts_Хозрасчетный` rows (`Ref_Key`, `Code`, `Description`, …). */
  accounts: ODataRow[];
  /** Ready `Balance` rows (treated as dated 0001-01-01, always included). */
  balances: ODataRow[];
}

/**
 * Fault injection for every request, or per set (docs/protocols/onec-odata.md#fake-1c). Rates are 0..1;
 * delays in ms.
 */
export interface OneCFaultSpec {
  /** Share of requests answered with `errorStatus` (default 500). */
  errorRate?: number;
  errorStatus?: 500 | 502 | 503 | 504;
  /** Error bodies as a web-server HTML page instead of OData JSON. */
  html?: boolean;
  /** Added to every answer. */
  latencyMs?: number;
  /** Share of requests held `hangMs` before answering (a delay past the client's timeout). */
  hangRate?: number;
  hangMs?: number;
}

export interface OneCFaults extends OneCFaultSpec {
  /** Faults for one set (by 1C set name, e.g. `Catalog_Контрагенты`), applied in addition to the global ones. */
  sets?: Record<string, OneCFaultSpec>;
}

/** One request as the fake saw it (for tests and benchmarks). */
export interface OneCCall {
  method: string;
  /** Decoded path after the service root, e.g. `Catalog_Контрагенты/$count`. */
  path: string;
  /** Decoded query parameters. */
  query: Record<string, string>;
  status: number;
  /** Response body bytes. */
  bytes: number;
  ms: number;
  /** Whether an `Authorization` header came (its value is never logged). */
  authorized: boolean;
  accept: string | null;
}

export interface OneCSimulatorOptions {
  data: OneCSimData;
  /** Port to listen on (0 = any free; default 0). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Publication name in the URL (default `bp30`). */
  publication?: string;
  /** Basic credentials (default `sverka` / `sverka-pass`). Names may be Cyrillic. */
  user?: string;
  password?: string;
  /** Set names (default mapping: Catalog_Контрагенты, Catalog_КонтактныеЛица, Document_ЗаказКлиента, …). */
  mapping?: Mapping;
  faults?: OneCFaults;
  /** Seed of the fault dice (reproducible fault sequences). */
  seed?: number;
  /** Copy the data set rows (default true) so mutations do not touch the caller's objects. */
  clone?: boolean;
  /** Ring Sverka's doorbell after every change of a synced set (the SverkaFeed extension's job). */
  doorbell?: DoorbellOptions;
  /**
   * Demo only: `PATCH /demo/<counterparties|contacts|orders>/<Ref_Key>` with a JSON object of OData fields
   * changes a record as a 1C user would (so `npm run demo` can show a change reaching the CRM). Default off.
   */
  demoApi?: boolean;
}

type SetKind = 'catalog' | 'document';
interface SimSet {
  name: string;
  kind: SetKind;
  rows: ODataRow[];
  byRef: Map<string, ODataRow>;
  fields: Set<string>;
  /** Bumped on every change: invalidates the sort cache. */
  version: number;
  sorted: Map<string, { version: number; rows: ODataRow[] }>;
}

export type OneCSetAlias = 'counterparties' | 'contacts' | 'orders' | 'deals' | 'accounts';

const EMPTY = '00000000-0000-0000-0000-000000000000';
/** Root URL of the SverkaFeed extension's HTTP service. */
const FEED_ROOT = 'sverka';
/** `limit` of `GET /changes`: default and largest (as the extension). */
const FEED_DEFAULT_LIMIT = 1000;
const FEED_MAX_LIMIT = 10_000;
const INTERNAL_ERROR = 'Произошла внутренняя ошибка OData сервиса. Подробности в журнале регистрации.';

/**
 * A fake 1C:Enterprise standard OData interface over real HTTP (node:http), per
 * docs/protocols/onec-odata.md#fake-1c:
 * the mapped sets, `ChartOfAccounts_…`, `AccountingRegister_…/Balance(...)`, `$metadata`, `/$count`,
 * entity by key; the `$filter` grammar (docs/protocols/onec-odata.md#filter-grammar), `$select`, `$orderby`,
 * `$top`, `$skip`; Basic auth (401 with `WWW-Authenticate`); the error bodies and statuses of
 * docs/protocols/onec-odata.md#responses-and-errors (404 code 6/9, 400 code -1, 500 for order comparison of
 * references); fault injection; a call log; and an in-process mutation API that bumps `DataVersion` on every
 * change.
 *
 * ```ts
 * const sim = new OneCSimulator({ data: dataset.onec });
 * await sim.start();            // sim.url → http://127.0.0.1:<port>/bp30/odata/standard.odata
 * sim.update('counterparties', ref, { Description: 'Новое имя' });
 * sim.markDeleted('deals', orderRef);
 * sim.failNext(2, { status: 503 });
 * await sim.close();
 * ```
 */
export class OneCSimulator {
  readonly user: string;
  readonly password: string;
  readonly publication: string;
  /** Every request, in order (see clearCalls). */
  readonly calls: OneCCall[] = [];
  /**
   * The change registration of the SverkaFeed extension (`…/hs/sverka`): every add/update/markDeleted/
   * setPosted/remove of a counterparty, contact or order registers it (docs/protocols/onec-change-feed.md).
   */
  readonly feed = new ChangeFeed();
  private doorbell: Doorbell | null = null;
  private readonly feedSets: Set<string>;
  private readonly sets = new Map<string, SimSet>();
  private readonly aliases: Record<OneCSetAlias, string>;
  private readonly registerName: string;
  private balances: ODataRow[];
  private faults: OneCFaults;
  private queued: (OneCFaultSpec & { status?: number; set?: string; count: number })[] = [];
  private readonly dice: () => number;
  private versionCounter = 0;
  /**
   * The low half of every DataVersion this instance makes: its start time, so that a fake 1C started again
   * on the same data set (the demo's second run) never repeats a version Sverka stored — as a real 1C never does.
   */
  private readonly versionStamp = Math.floor(Date.now() / 1000) >>> 0;
  private server: Server | null = null;
  private baseUrl = '';

  constructor(private readonly opts: OneCSimulatorOptions) {
    const m = opts.mapping ?? simMapping();
    this.user = opts.user ?? 'sverka';
    this.password = opts.password ?? 'sverka-pass';
    this.publication = opts.publication ?? 'bp30';
    this.faults = opts.faults ?? {};
    this.dice = mulberry32(opts.seed ?? 1);
    this.aliases = {
      counterparties: m.counterparties.onecSet,
      contacts: m.contacts.onecSet,
      orders: m.deals.onecSet,
      deals: m.deals.onecSet,
      accounts: m.debts.chartOfAccounts,
    };
    this.registerName = m.debts.register;
    this.feedSets = new Set([m.counterparties.onecSet, m.contacts.onecSet, m.deals.onecSet]);
    if (opts.doorbell) this.setDoorbell(opts.doorbell);
    const clone = opts.clone ?? true;
    const copy = (rows: ODataRow[]) => (clone ? structuredClone(rows) : rows);
    this.addSet(this.aliases.counterparties, 'catalog', copy(opts.data.counterparties));
    this.addSet(this.aliases.contacts, 'catalog', copy(opts.data.contacts));
    this.addSet(this.aliases.orders, 'document', copy(opts.data.orders));
    this.addSet(this.aliases.accounts, 'catalog', copy(opts.data.accounts));
    this.balances = copy(opts.data.balances);
  }

  /** The service root (`ONEC_ODATA_URL`), available after start(). */
  get url(): string {
    return this.baseUrl;
  }

  /** The SverkaFeed HTTP service (`ONEC_FEED_URL`), available after start(). */
  get feedUrl(): string {
    return this.baseUrl.replace(/\/odata\/standard\.odata$/, `/hs/${FEED_ROOT}`);
  }

  /** Rings sent so far (empty without a doorbell). */
  get doorbellRings(): readonly DoorbellRing[] {
    return this.doorbell?.rings ?? [];
  }

  /** Points the doorbell at Sverka (or turns it off with null). */
  setDoorbell(opts: DoorbellOptions | null): void {
    void this.doorbell?.close();
    this.doorbell = opts ? new Doorbell(opts, () => this.feed.counters().pending) : null;
  }

  /** Resolves when the doorbell has no ring in flight or due (tests). */
  async doorbellIdle(): Promise<void> {
    await this.doorbell?.idle();
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    const host = this.opts.host ?? '127.0.0.1';
    this.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${this.port}/${this.publication}/odata/standard.odata`;
    return this;
  }

  async close(): Promise<void> {
    await this.doorbell?.close();
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  // ---- fault injection and call log ----

  /** Replaces the fault settings (global and per set). */
  setFaults(faults: OneCFaults): void {
    this.faults = faults;
  }

  /**
   * The next `count` matching requests (any, or those of `set`) fail with `status` (default 500),
   * as HTML when `html`, or are held `hangMs` first. Deterministic, for tests.
   */
  failNext(
    count: number,
    spec: {
      status?: 500 | 502 | 503 | 504 | 400 | 401 | 404;
      html?: boolean;
      hangMs?: number;
      set?: string;
    } = {},
  ): void {
    this.queued.push({ ...spec, set: spec.set ? this.setName(spec.set) : undefined, count });
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  // ---- data access and mutation API (each change bumps DataVersion) ----

  /** The rows of a set (live objects: do not mutate directly, use update()). Alias or 1C set name. */
  rows(set: OneCSetAlias | string): readonly ODataRow[] {
    return this.set(set).rows;
  }

  get(set: OneCSetAlias | string, ref: string): ODataRow | undefined {
    return this.set(set).byRef.get(ref.toLowerCase());
  }

  /** Adds a row; `Ref_Key` generated when absent; a fresh `DataVersion`. Returns the stored row. */
  add(set: OneCSetAlias | string, row: ODataRow): ODataRow {
    const s = this.set(set);
    const stored: ODataRow = { ...row };
    if (typeof stored.Ref_Key !== 'string') stored.Ref_Key = this.newGuid();
    const ref = String(stored.Ref_Key).toLowerCase();
    if (s.byRef.has(ref)) throw new Error(`${s.name}: ${ref} exists`);
    stored.DataVersion = this.nextVersion();
    s.rows.push(stored);
    s.byRef.set(ref, stored);
    for (const k of Object.keys(stored)) s.fields.add(k);
    s.version++;
    this.registerChange(s.name, ref);
    return stored;
  }

  /** Shallow-merges `patch` into the row and bumps its `DataVersion`. */
  update(set: OneCSetAlias | string, ref: string, patch: ODataRow): ODataRow {
    const s = this.set(set);
    const row = this.mustGet(s, ref);
    Object.assign(row, patch);
    row.DataVersion = this.nextVersion();
    for (const k of Object.keys(patch)) s.fields.add(k);
    s.version++;
    this.registerChange(s.name, ref);
    return row;
  }

  /** Sets (or clears) `DeletionMark`; bumps `DataVersion`. */
  markDeleted(set: OneCSetAlias | string, ref: string, mark = true): ODataRow {
    return this.update(set, ref, { DeletionMark: mark });
  }

  /** Sets `Posted` (documents); bumps `DataVersion`. */
  setPosted(set: OneCSetAlias | string, ref: string, posted: boolean): ODataRow {
    return this.update(set, ref, { Posted: posted });
  }

  /** Physically deletes a row. */
  remove(set: OneCSetAlias | string, ref: string): void {
    const s = this.set(set);
    const row = this.mustGet(s, ref);
    s.rows.splice(s.rows.indexOf(row), 1);
    s.byRef.delete(ref.toLowerCase());
    s.version++;
    this.registerChange(s.name, ref);
  }

  /** The Balance rows (ready balances). */
  balanceRows(): readonly ODataRow[] {
    return this.balances;
  }

  /** Replaces the Balance rows. */
  setBalances(rows: ODataRow[]): void {
    this.balances = rows;
  }

  /** Adds one Balance row (e.g. a payment `{…, СуммаBalanceDr: 0, СуммаBalanceCr: 100.5}`). */
  addBalance(row: ODataRow): void {
    this.balances.push(row);
  }

  /** The 1C set name behind an alias. */
  setName(set: OneCSetAlias | string): string {
    return (this.aliases as Record<string, string>)[set] ?? set;
  }

  // ---- internals ----

  /** AutoRecord of the SverkaFeed exchange plan, then the doorbell (asynchronously: never inside the write). */
  private registerChange(set: string, ref: string): void {
    if (!this.feedSets.has(set)) return;
    this.feed.register(set, ref);
    this.doorbell?.ring();
  }

  private addSet(name: string, kind: SetKind, rows: ODataRow[]): void {
    const byRef = new Map<string, ODataRow>();
    const fields = new Set<string>(['Ref_Key', 'DataVersion', 'DeletionMark', 'Code', 'Description']);
    if (kind === 'document') for (const f of ['Date', 'Number', 'Posted']) fields.add(f);
    let max = 0;
    for (const r of rows) {
      byRef.set(String(r.Ref_Key).toLowerCase(), r);
      for (const k in r) fields.add(k);
      if (typeof r.DataVersion === 'string') {
        const b = Buffer.from(r.DataVersion, 'base64');
        if (b.length >= 4) max = Math.max(max, b.readUInt32BE(0));
      }
    }
    this.versionCounter = Math.max(this.versionCounter, max);
    this.sets.set(name, { name, kind, rows, byRef, fields, version: 0, sorted: new Map() });
  }

  private set(set: string): SimSet {
    const s = this.sets.get(this.setName(set));
    if (!s) throw new Error(`unknown set ${set}`);
    return s;
  }

  private mustGet(s: SimSet, ref: string): ODataRow {
    const row = s.byRef.get(ref.toLowerCase());
    if (!row) throw new Error(`${s.name}: no row ${ref}`);
    return row;
  }

  private nextVersion(): string {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(++this.versionCounter, 0);
    b.writeUInt32BE(this.versionStamp, 4);
    return b.toString('base64');
  }

  private newGuid(): string {
    const h = Array.from({ length: 32 }, () => Math.floor(this.dice() * 16).toString(16)).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  /**
   * The publication's root, where a real server publishes the web client: a minimal page, so that the
   * web-client links of reports (`/<publication>/#e1cib/data/…?ref=…`) open something. Not OData: no
   * auth, not in `calls`. Returns false for any other request.
   */
  private serveWebClient(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0];
    if (
      (req.method !== 'GET' && req.method !== 'HEAD') ||
      (path !== `/${this.publication}/` && path !== `/${this.publication}`)
    )
      return false;
    const body =
      '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>1С:Предприятие — веб-клиент (симулятор)</title></head>' +
      '<body><h1>1С:Предприятие — веб-клиент</h1><p>Симулятор Sverka. Настоящий веб-клиент откроет здесь объект по навигационной ссылке:</p>' +
      '<p><code id="link"></code></p><script>document.getElementById("link").textContent = decodeURIComponent(location.hash.slice(1));</script>' +
      '</body></html>';
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }

  /**
   * The demo's way to play a 1C user (`demoApi`): `PATCH /demo/<counterparties|contacts|orders>/<Ref_Key>`
   * with a JSON object of OData fields (e.g. `{"Description":"…"}`), Basic auth of the 1C user. The record
   * changes through update(): a new DataVersion, the change registered in the feed, the doorbell rung.
   * Answers the changed fields with the new DataVersion. Not OData: not in `calls`. False for other paths.
   */
  private async serveDemo(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const path = (req.url ?? '/').split('?')[0];
    const m = /^\/demo\/(counterparties|contacts|orders)\/([0-9a-fA-F-]{36})\/?$/.exec(path);
    if (!path.startsWith('/demo/')) return false;
    const send = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      const body = Buffer.from(JSON.stringify(value), 'utf8');
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length, ...headers });
      res.end(body);
      return true;
    };
    if (!m) return send(404, { error: 'use PATCH /demo/<counterparties|contacts|orders>/<Ref_Key>' });
    if (req.method !== 'PATCH') return send(405, { error: 'use PATCH' }, { Allow: 'PATCH' });
    if (!this.authorized(req.headers.authorization))
      return send(401, { error: 'the 1C user and password (Basic) are needed' }, { 'WWW-Authenticate': 'Basic realm="1C:Enterprise"' });
    let patch: unknown;
    try {
      patch = JSON.parse(await readBody(req));
    } catch {
      return send(400, { error: 'the body must be a JSON object of OData fields, e.g. {"Description":"…"}' });
    }
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch) || !Object.keys(patch).length)
      return send(400, { error: 'the body must be a JSON object of OData fields, e.g. {"Description":"…"}' });
    const fields = patch as ODataRow;
    for (const k of ['Ref_Key', 'DataVersion'])
      if (k in fields) return send(400, { error: `${k} cannot be changed` });
    if (!this.get(m[1], m[2])) return send(404, { error: `no ${m[1]} record ${m[2]}` });
    const row = this.update(m[1], m[2], fields);
    return send(200, { Ref_Key: row.Ref_Key, DataVersion: row.DataVersion, ...fields });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.serveWebClient(req, res)) return;
    if (this.opts.demoApi && (await this.serveDemo(req, res))) return;
    const started = performance.now();
    const raw = req.url ?? '/';
    const qi = raw.indexOf('?');
    const rawPath = qi < 0 ? raw : raw.slice(0, qi);
    const rawQuery = qi < 0 ? '' : raw.slice(qi + 1);
    const call: OneCCall = {
      method: req.method ?? 'GET',
      path: rawPath,
      query: {},
      status: 0,
      bytes: 0,
      ms: 0,
      authorized: !!req.headers.authorization,
      accept: req.headers.accept ?? null,
    };
    let answer: { status: number; body: string; type: string; headers?: Record<string, string> };
    try {
      const path = decodeURIComponent(rawPath);
      call.path = path;
      call.query = parseQuery(rawQuery);
      const root = `/${this.publication}/odata/standard.odata`;
      const feedRoot = `/${this.publication}/hs/${FEED_ROOT}`;
      const feedRel = path.startsWith(`${feedRoot}/`) ? path.slice(feedRoot.length + 1) : null;
      const requestBody = req.method === 'POST' ? await readBody(req) : '';
      const rel = path === root ? '' : path.startsWith(`${root}/`) ? path.slice(root.length + 1) : null;
      const setName = rel === null ? '' : (/^[^/(]*/.exec(rel)?.[0] ?? '');
      await this.injectDelays(setName);
      const fault = this.pickFault(setName);
      if (fault) answer = fault;
      else if (!this.authorized(req.headers.authorization)) {
        answer = {
          status: 401,
          body: '',
          type: 'text/plain',
          headers: { 'WWW-Authenticate': 'Basic realm="1C:Enterprise"' },
        };
      } else if (feedRel !== null)
        answer = this.feedRoute(req.method ?? 'GET', feedRel, call.query, requestBody);
      else if (rel === null) answer = odataError(404, '6', `Сегмент пути ${path} не найден`);
      else if (req.method !== 'GET') answer = odataError(405, '-1', 'Метод не поддерживается');
      else answer = this.route(rel, call.query);
    } catch (e) {
      answer =
        e instanceof FilterError
          ? odataError(e.status, '-1', e.message)
          : e instanceof URIError
            ? odataError(400, '-1', 'Неправильная кодировка URL')
            : odataError(500, '-1', INTERNAL_ERROR);
    }
    const body = Buffer.from(answer.body, 'utf8');
    call.status = answer.status;
    call.bytes = body.length;
    call.ms = performance.now() - started;
    this.calls.push(call);
    if (res.destroyed) return;
    res.writeHead(answer.status, {
      'Content-Type': answer.type,
      'Content-Length': body.length,
      ...answer.headers,
    });
    res.end(body);
  }

  private authorized(header: string | undefined): boolean {
    if (!header?.startsWith('Basic ')) return false;
    const text = Buffer.from(header.slice(6), 'base64').toString('utf8');
    return text === `${this.user}:${this.password}`;
  }

  private async injectDelays(setName: string): Promise<void> {
    const specs = [this.faults, this.faults.sets?.[setName]].filter((s): s is OneCFaultSpec => !!s);
    let wait = 0;
    for (const s of specs) {
      wait += s.latencyMs ?? 0;
      if (s.hangRate && s.hangMs && this.dice() < s.hangRate) wait += s.hangMs;
    }
    const q = this.queued.find((f) => f.count > 0 && (!f.set || f.set === setName) && f.hangMs);
    if (q) {
      q.count--;
      wait += q.hangMs!;
    }
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }

  private pickFault(setName: string): { status: number; body: string; type: string } | null {
    const q = this.queued.find((f) => f.count > 0 && (!f.set || f.set === setName) && !f.hangMs);
    if (q) {
      q.count--;
      return faultAnswer(q.status ?? 500, !!q.html);
    }
    for (const s of [this.faults, this.faults.sets?.[setName]]) {
      if (s?.errorRate && this.dice() < s.errorRate) return faultAnswer(s.errorStatus ?? 500, !!s.html);
    }
    return null;
  }

  private route(rel: string, query: Record<string, string>): { status: number; body: string; type: string } {
    if (rel === '$metadata')
      return { status: 200, body: this.metadata(), type: 'application/xml;charset=utf-8' };
    const segs = rel.split('/');
    const first = segs[0];
    if (first === this.registerName && segs.length === 2 && /^Balance(\(.*\))?$/s.test(segs[1]))
      return this.balance(segs[1], query);
    const byKey = /^([^(]+)\((.*)\)$/s.exec(first);
    const setName = byKey ? byKey[1] : first;
    const s = this.sets.get(setName);
    if (!s) return odataError(404, '6', `Сегмент пути ${setName} не найден`);
    if (byKey) {
      if (segs.length > 1) return odataError(404, '6', `Сегмент пути ${segs[1]} не найден`);
      const m = /^guid'([0-9a-fA-F-]{36})'$/.exec(byKey[2]);
      if (!m) return odataError(400, '-1', `Неправильный ключ ${byKey[2]}`);
      const row = s.byRef.get(m[1].toLowerCase());
      if (!row) return odataError(404, '9', 'Экземпляр сущности не найден');
      return this.json({
        'odata.metadata': `${this.baseUrl}/$metadata#${s.name}/@Element`,
        ...project(row, query.$select),
      });
    }
    if (segs.length === 2 && segs[1] === '$count') {
      const filter = this.filterOf(s, query.$filter);
      let n = 0;
      if (!filter) n = s.rows.length;
      else for (const r of s.rows) if (evaluate(filter, r)) n++;
      return { status: 200, body: String(n), type: 'text/plain; charset=utf-8' };
    }
    if (segs.length > 1) return odataError(404, '6', `Сегмент пути ${segs[1]} не найден`);
    return this.collection(s, query);
  }

  private filterOf(s: SimSet, text: string | undefined): FilterNode | null {
    if (text === undefined || text.trim() === '') return null;
    const node = parseFilter(text);
    checkFilter(node, (f) => s.fields.has(f));
    return node;
  }

  private collection(s: SimSet, q: Record<string, string>): { status: number; body: string; type: string } {
    const filter = this.filterOf(s, q.$filter);
    const top = q.$top !== undefined ? nonNegativeInt(q.$top, '$top') : Infinity;
    const skip = q.$skip !== undefined ? nonNegativeInt(q.$skip, '$skip') : 0;
    let order = q.$orderby ? q.$orderby.split(',').map((f) => f.trim()) : [];
    for (const f of order) {
      const [name, dir] = f.split(/\s+/);
      if (!s.fields.has(name)) throw new FilterError(400, `Свойство ${name} не найдено`);
      if (dir && dir.toLowerCase() !== 'asc')
        throw new FilterError(400, 'Поддерживается только упорядочивание по возрастанию');
    }
    order = order.map((f) => f.split(/\s+/)[0]);
    // 1C turns ordering by a reference into auto-ordering by the presentation fields
    // (docs/protocols/onec-odata.md#paging).
    if (order.some(isReferenceField))
      order = s.kind === 'catalog' ? ['Description', 'Code'] : ['Date', 'Number'];
    // `Ref_Key eq guid'…' or …` (fetch by keys): answer from the key index instead of a full pass.
    const keys = filter && !order.length ? refKeys(filter) : null;
    const rows = keys
      ? keys.map((k) => s.byRef.get(k)).filter((r): r is ODataRow => !!r)
      : order.length
        ? this.sortedRows(s, order)
        : s.rows;
    let start = 0;
    if (filter && order.length) {
      const bound = lowerBound(filter, order[0]);
      if (bound !== undefined) start = firstAtLeast(rows, order[0], bound);
    }
    const out: ODataRow[] = [];
    let skipped = 0;
    for (let i = start; i < rows.length && out.length < top; i++) {
      const r = rows[i];
      if (filter && !evaluate(filter, r)) continue;
      if (skipped < skip) {
        skipped++;
        continue;
      }
      out.push(project(r, q.$select));
    }
    return this.json({ 'odata.metadata': `${this.baseUrl}/$metadata#${s.name}`, value: out });
  }

  private sortedRows(s: SimSet, order: string[]): ODataRow[] {
    const key = order.join(',');
    const cached = s.sorted.get(key);
    if (cached && cached.version === s.version) return cached.rows;
    const rows = [...s.rows].sort((a, b) => {
      for (const f of order) {
        const c = compareValues(a[f], b[f]);
        if (c) return c;
      }
      return 0;
    });
    s.sorted.set(key, { version: s.version, rows });
    return rows;
  }

  private balance(
    segment: string,
    q: Record<string, string>,
  ): { status: number; body: string; type: string } {
    const inner = /^Balance\((.*)\)$/s.exec(segment)?.[1] ?? '';
    const params = inner ? splitParameters(inner) : new Map<string, string>();
    for (const name of params.keys())
      if (!['Period', 'AccountCondition', 'Condition', 'ExtraDimensions', 'Dimensions'].includes(name))
        throw new FilterError(400, `Неизвестный параметр виртуальной таблицы ${name}`);
    const period = params.get('Period');
    let periodValue: string | null = null;
    if (period !== undefined) {
      const m = /^datetime'(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})'$/.exec(period);
      if (!m) throw new FilterError(400, `Неправильный литерал ${period}`);
      periodValue = m[1];
    }
    const fields = new Set<string>(['Account_Key', 'Организация_Key']);
    for (const r of this.balances) for (const k in r) fields.add(k);
    const conds: FilterNode[] = [];
    for (const name of ['AccountCondition', 'Condition']) {
      const raw = params.get(name);
      if (raw === undefined) continue;
      const node = parseFilter(unwrapParameter(raw));
      checkFilter(node, (f) => fields.has(f));
      conds.push(node);
    }
    const out: ODataRow[] = [];
    for (const r of this.balances) {
      // Ready balances are dated 0001-01-01 (always before Period); rows may carry `Period` of movements.
      const rowPeriod = typeof r.Period === 'string' ? r.Period : '0001-01-01T00:00:00';
      if (periodValue && !(rowPeriod < periodValue)) continue;
      if (conds.every((c) => evaluate(c, r))) {
        const { Period: _omit, ...rest } = r;
        out.push(project(rest, q.$select));
      }
    }
    return this.json({
      'odata.metadata': `${this.baseUrl}/$metadata#${this.registerName}_Balance`,
      value: out,
    });
  }

  /** The SverkaFeed HTTP service: `GET changes?limit=`, `POST ack`, `GET state`; errors as `{ "error": … }`. */
  private feedRoute(
    method: string,
    rel: string,
    query: Record<string, string>,
    body: string,
  ): { status: number; body: string; type: string } {
    const routes: Record<string, string> = { changes: 'GET', ack: 'POST', state: 'GET' };
    if (!(rel in routes)) return feedError(404, `no such resource: ${rel}`);
    if (method !== routes[rel]) return feedError(405, `${rel} takes ${routes[rel]}`);
    if (rel === 'state') return this.json(this.feed.counters());
    if (rel === 'changes') {
      const text = query.limit ?? String(FEED_DEFAULT_LIMIT);
      const limit = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
      if (!(limit >= 1 && limit <= FEED_MAX_LIMIT))
        return feedError(400, `limit must be a whole number from 1 to ${FEED_MAX_LIMIT}`);
      const message = this.feed.build(limit);
      const items = message.items.map((r) => {
        const row = this.sets.get(r.set)?.byRef.get(r.ref);
        return {
          set: r.set,
          ref: r.ref,
          dataVersion: row && typeof row.DataVersion === 'string' ? row.DataVersion : '',
          deleted: !row,
        };
      });
      return this.json({ messageNo: message.messageNo, items, more: message.more });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return feedError(400, 'the body is not JSON');
    }
    const n = (parsed as { messageNo?: unknown } | null)?.messageNo;
    try {
      return this.json({ receivedNo: this.feed.ack(typeof n === 'number' ? n : NaN) });
    } catch (e) {
      if (e instanceof FeedProtocolError) return feedError(400, e.message);
      throw e;
    }
  }

  private metadata(): string {
    const names = [...this.sets.keys(), this.registerName, `${this.registerName}_Balance`];
    const sets = names
      .map((n) => `        <EntitySet Name="${n}" EntityType="StandardODATA.${n}"/>`)
      .join('\n');
    return `<?xml version="1.0" encoding="UTF-8"?>
<edmx:Edmx xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" Version="1.0">
  <edmx:DataServices xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" m:DataServiceVersion="3.0">
    <Schema xmlns="http://schemas.microsoft.com/ado/2009/11/edm" Namespace="StandardODATA">
      <EntityContainer Name="InfoBase" m:IsDefaultEntityContainer="true">
${sets}
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
`;
  }

  private json(value: unknown): { status: number; body: string; type: string } {
    return { status: 200, body: JSON.stringify(value), type: 'application/json;charset=utf-8' };
  }
}

function feedError(status: number, message: string): { status: number; body: string; type: string } {
  return { status, body: JSON.stringify({ error: message }), type: 'application/json;charset=utf-8' };
}

/** A request body as UTF-8 text (at most 64 KiB: the feed's bodies are tiny). */
async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 65_536) throw new FilterError(400, 'Тело запроса слишком велико');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseQuery(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    out[k] = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
  }
  return out;
}

function nonNegativeInt(text: string, name: string): number {
  if (!/^\d+$/.test(text)) throw new FilterError(400, `Неправильное значение ${name}`);
  return Number(text);
}

function project(row: ODataRow, select: string | undefined): ODataRow {
  if (!select) return row;
  const out: ODataRow = {};
  for (const f of select.split(',')) {
    const name = f.trim();
    if (name in row) out[name] = row[name];
  }
  return out;
}

function odataError(
  status: number,
  code: string,
  message: string,
): { status: number; body: string; type: string } {
  return {
    status,
    body: JSON.stringify({ 'odata.error': { code, message: { lang: 'ru', value: message } } }),
    type: 'application/json;charset=utf-8',
  };
}

function faultAnswer(
  status: number,
  html: boolean,
): { status: number; body: string; type: string; headers?: Record<string, string> } {
  if (status === 401)
    return {
      status,
      body: '',
      type: 'text/plain',
      headers: { 'WWW-Authenticate': 'Basic realm="1C:Enterprise"' },
    };
  if (html) {
    const text =
      status === 503
        ? 'Service Unavailable'
        : status === 502
          ? 'Bad Gateway'
          : status === 504
            ? 'Gateway Timeout'
            : 'Internal Server Error';
    return {
      status,
      body: `<html><head><title>${status} ${text}</title></head><body><h1>${text}</h1></body></html>`,
      type: 'text/html',
    };
  }
  if (status === 404) return odataError(404, '6', 'Сегмент пути не найден');
  if (status === 400) return odataError(400, '-1', 'Неправильный запрос');
  return odataError(status, '-1', INTERNAL_ERROR);
}

/** The GUIDs a filter of `Ref_Key eq guid'…'` terms joined by `or` (possibly `and`-ed with more) is limited to; else null. */
function refKeys(node: FilterNode): string[] | null {
  // `x and (Ref_Key eq … or …)`: the keys of either side bound the rows (the whole filter is still applied).
  if (node.type === 'and') return refKeys(node.left) ?? refKeys(node.right);
  if (node.type === 'cmp')
    return node.field === 'Ref_Key' && node.op === 'eq' && node.literal.kind === 'guid'
      ? [node.literal.value]
      : null;
  if (node.type !== 'or') return null;
  const a = refKeys(node.left);
  const b = a && refKeys(node.right);
  return a && b ? [...new Set([...a, ...b])] : null;
}

/** The smallest value the filter allows for `field` when that is implied by the whole filter (keyset start). */
function lowerBound(node: FilterNode, field: string): unknown {
  switch (node.type) {
    case 'cmp':
      return node.field === field && (node.op === 'gt' || node.op === 'ge' || node.op === 'eq')
        ? node.literal.value
        : undefined;
    case 'and': {
      const a = lowerBound(node.left, field);
      const b = lowerBound(node.right, field);
      if (a === undefined) return b;
      if (b === undefined) return a;
      return compareValues(a, b) >= 0 ? a : b;
    }
    case 'or': {
      const a = lowerBound(node.left, field);
      const b = lowerBound(node.right, field);
      if (a === undefined || b === undefined) return undefined;
      return compareValues(a, b) <= 0 ? a : b;
    }
    case 'not':
      return undefined;
  }
}

function firstAtLeast(rows: ODataRow[], field: string, bound: unknown): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareValues(rows[mid][field], bound) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export { EMPTY as EMPTY_GUID, REF_ORDER_MESSAGE };
