import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DriftTarget } from '../dataset/drift.js';
import { mulberry32 } from '../common/prng.js';
import {
  B24SimError,
  Bitrix24State,
  TYPE_OF,
  type Bitrix24Seed,
  type EntityTypeId,
} from './bitrix24-state.js';
import { parseStr } from './parse-str.js';

/**
 * Fault injection (docs/protocols/bitrix24.md#rate-limits, docs/protocols/bitrix24.md#fake-bitrix24). All
 * optional; `setFaults()` replaces the whole object at run time.
 */
export interface Bitrix24Faults {
  /** Share (0..1) of HTTP requests answered 500 INTERNAL_SERVER_ERROR before anything runs. */
  errorRate?: number;
  /** Share of batch commands answered with INTERNAL_SERVER_ERROR in `result_error` (not run). */
  commandErrorRate?: number;
  /** Added to every answer (ms). */
  latencyMs?: number;
  /**
   * Share of requests that write (crm.item.add|update|delete, crm.requisite.add|update,
   * crm.activity.todo.add|update, crm.activity.update, or a batch with such a command) that run and are
   * saved, after which the socket is destroyed with no answer: "committed but the response is lost".
   */
  lostResponseRate?: number;
  /** Every Nth writing request since `setFaults()` is committed and its answer lost (deterministic form of the above). */
  lostResponseEvery?: number;
  /**
   * Methods answering 429 OPERATION_TIME_LIMIT (direct calls, and as `result_error` inside a batch).
   * A record gives seconds from `setFaults()` until the block lifts by itself (and that moment is the
   * method's `operating_reset_at`); a list blocks until the faults are changed.
   */
  blockedMethods?: Record<string, number> | string[];
  /** The next N requests get 503 QUERY_LIMIT_EXCEEDED whatever the bucket says (counts down). */
  forceQueryLimit?: number;
  /**
   * Every call refused: `scope` → 401 insufficient_scope, `plan` → 401 ACCESS_DENIED "REST is available
   * only by subscription", `intranet` → 403 allowed_only_intranet_user.
   */
  forbid?: 'scope' | 'plan' | 'intranet' | null;
  /** Every call gets 401 OVERLOAD_LIMIT (REST manually blocked for the portal). */
  overload?: boolean;
}

/** One HTTP request as the fake saw it. */
export interface Bitrix24Call {
  /** Unix ms when it arrived. */
  at: number;
  /** REST method (`batch` for a batch). */
  method: string;
  /** For a batch: every command with its method and outcome (`ok` or the error code). */
  commands?: { key: string; method: string; outcome: string }[];
  status: number;
  /** Parameters of a direct (non-batch) call, as parsed. */
  params?: Record<string, unknown>;
  /** `error` code of an error answer. */
  error?: string;
  /** The write was saved and the socket destroyed (lostResponseRate). */
  lost?: boolean;
  ms: number;
}

export interface Bitrix24SimulatorOptions {
  /** Port (0 = any free; default 0). */
  port?: number;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Webhook user id and secret (default 1 / `sverka-sim-secret`). */
  userId?: number;
  secret?: string;
  /** Data in Bitrix24 REST shape; or a whole generated Dataset (its `crm` part is used). */
  seed?: Bitrix24Seed;
  dataset?: { crm: Bitrix24Seed };
  /**
   * The portal's leaky bucket: X = `burst`, Y = `rps` (default 2 / 50, non-Enterprise plans);
   * `false` turns it off.
   */
  limits?: { rps: number; burst: number } | false;
  faults?: Bitrix24Faults;
  /** Seed of the fault dice (reproducible fault sequences; default 1). */
  faultSeed?: number;
  /** Length of the operating-time window reported in `operating_reset_at` (default 600 s). */
  operatingWindowSec?: number;
  /** The portal's clock: item times and the `time` block of answers (default: real time). */
  clock?: () => Date;
}

const WRITE_METHODS = new Set([
  'crm.item.add',
  'crm.item.update',
  'crm.item.delete',
  'crm.requisite.add',
  'crm.requisite.update',
  'crm.activity.todo.add',
  'crm.activity.todo.update',
  'crm.activity.update',
]);

interface Answer {
  result: unknown;
  total?: number;
  next?: number;
}

/**
 * A fake Bitrix24 portal over real HTTP (node:http) per docs/protocols/bitrix24.md#fake-bitrix24:
 * `POST /rest/<user_id>/<secret>/<method>[.json]` with a JSON body (form-encoded bodies are read with
 * parse_str too). Methods: crm.item.add|update|get|list|delete (types 4, 3, 2, 31; 5 →
 * ENTITY_TYPE_NOT_SUPPORTED), crm.requisite.preset.list|list|add|update, crm.status.list,
 * crm.category.list, the universal to-dos (crm.activity.todo.add|update, crm.activity.update of
 * COMPLETED, crm.activity.get|list) and user.get (sim/bitrix24/bitrix24-todos.ts), batch (≤ 50
 * commands, parse_str parsing, per-command results, not atomic).
 * Errors with the exact statuses and bodies of docs/protocols/bitrix24.md#errors; a `time` block with all
 * eight keys on every success.
 *
 * ```ts
 * const sim = await startBitrix24Simulator({ seed: dataset.crm, limits: { rps: 2, burst: 50 } });
 * // BITRIX24_WEBHOOK_URL = sim.webhookUrl
 * sim.state.update('companies', 5, { title: 'Другое имя' });    // bumps updatedTime
 * sim.setFaults({ lostResponseRate: 0.25 });
 * sim.calls.filter((c) => c.status === 503);
 * await sim.close();
 * ```
 */
export class Bitrix24Simulator {
  readonly state: Bitrix24State;
  /** Every HTTP request, in arrival order (clearCalls() empties it). */
  readonly calls: Bitrix24Call[] = [];
  readonly userId: number;
  readonly secret: string;
  private faults: Bitrix24Faults;
  private faultsSetAt = Date.now();
  /** Writing requests since `setFaults()` (for lostResponseEvery). */
  private writesSinceFaults = 0;
  private limits: { rps: number; burst: number } | false;
  private level = 0;
  private levelAt = performance.now();
  private readonly dice: () => number;
  private readonly operating = new Map<string, { since: number; seconds: number }>();
  private readonly windowSec: number;
  private server: Server | null = null;
  private base = '';

  constructor(private readonly opts: Bitrix24SimulatorOptions = {}) {
    this.state = new Bitrix24State(opts.seed ?? opts.dataset?.crm ?? {}, opts.clock);
    this.userId = opts.userId ?? 1;
    this.secret = opts.secret ?? 'sverka-sim-secret';
    this.faults = { ...(opts.faults ?? {}) };
    this.limits = opts.limits === undefined ? { rps: 2, burst: 50 } : opts.limits;
    this.dice = mulberry32(opts.faultSeed ?? 1);
    this.windowSec = opts.operatingWindowSec ?? 600;
  }

  /** `http://host:port/rest/<user_id>/<secret>/` (valid after start()). */
  get webhookUrl(): string {
    return `${this.base}/rest/${this.userId}/${this.secret}/`;
  }

  /** `http://host:port` (valid after start()). */
  get url(): string {
    return this.base;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    const a = server.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    this.base = `http://${host}:${a.port}`;
    return this;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }

  /** Replaces the fault settings (a blockedMethods timer starts now). */
  setFaults(faults: Bitrix24Faults): void {
    this.faults = { ...faults };
    this.writesSinceFaults = 0;
    this.faultsSetAt = Date.now();
  }

  /** Changes the leaky bucket (X = burst, Y = rps) or turns it off; the level is kept. */
  setLimits(limits: { rps: number; burst: number } | false): void {
    this.drain();
    this.limits = limits;
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  /**
   * applyDrift's target (sim/dataset/drift.ts) on this portal: companies and deals are
   * found by `originatorId` + `originId` (the lowest id), requisites by company + XML_ID, invoices by xmlId.
   */
  driftTarget(originatorId = 'sverka-1c'): DriftTarget {
    const s = this.state;
    const lowest = (entity: 'companies' | 'deals', ref: string) =>
      s.findByOrigin(entity, originatorId, ref)[0]?.id;
    return {
      companyIdOf: (ref) => lowest('companies', ref),
      dealIdOf: (orderRef) => lowest('deals', orderRef),
      updateCompany: (id, fields) => void s.update('companies', id, fields),
      updateRequisite: (companyId, xmlId, fields) => {
        const row = s
          .requisites()
          .find((r) => r.ENTITY_TYPE_ID === '4' && r.ENTITY_ID === String(companyId) && r.XML_ID === xmlId);
        if (!row) throw new Error(`no requisite ${xmlId} on company ${companyId}`);
        s.updateRequisite(row.ID, fields);
      },
      deleteCompany: (id) => s.delete('companies', id),
      updateDeal: (id, fields) => void s.setStage('deals', id, fields.stageId),
      updateInvoiceByXmlId: (xmlId, fields) => {
        const inv = s.invoiceByXmlId(xmlId);
        if (!inv) throw new Error(`no invoice ${xmlId}`);
        s.setInvoiceSum(inv.id, fields.opportunity);
      },
      addCompany: (company, requisite) => {
        const { fm, ...rest } = company as Record<string, unknown>;
        const item = s.add('companies', {
          ...rest,
          fm: ((fm as { typeId: string; valueType: string; value: string }[] | undefined) ?? []).map(
            ({ typeId, valueType, value }) => ({ typeId, valueType, value }),
          ),
        });
        if (requisite) s.addRequisite({ ...requisite, ENTITY_TYPE_ID: 4, ENTITY_ID: item.id });
        return item.id;
      },
    };
  }

  // ---- HTTP ----

  /**
   * The portal's web pages that reports link to: a record's card at `/crm/company/details/<id>/`,
   * `/crm/contact/details/<id>/`, `/crm/deal/details/<id>/`, `/crm/type/31/details/<id>/` — a minimal
   * HTML page with the record's title (404 for a record the portal does not have). Not REST: no
   * webhook, no bucket, not in `calls`. Returns false for any other request.
   */
  private servePage(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const m = /^\/crm\/(?:(company|contact|deal)|type\/(\d+))\/details\/(\d+)\/?$/.exec(path);
    if (!m) return false;
    const entity = m[1] === 'company' ? 4 : m[1] === 'contact' ? 3 : m[1] === 'deal' ? 2 : Number(m[2]);
    const known = (Object.values(TYPE_OF) as number[]).includes(entity);
    const item = known ? this.state.get(entity as EntityTypeId, m[3]) : undefined;
    const kind = { 4: 'Компания', 3: 'Контакт', 2: 'Сделка' }[entity as 2 | 3 | 4] ?? 'Элемент';
    const title = item
      ? String(
          entity === 3
            ? [item.lastName, item.name, item.secondName].filter(Boolean).join(' ')
            : (item.title ?? ''),
        )
      : '';
    const esc = (t: string) =>
      t.replace(
        /[&<>"']/g,
        (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
      );
    const body = item
      ? `<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>${esc(title)} — ${kind} ${m[3]}</title></head>` +
        `<body><p>Bitrix24 (симулятор Sverka)</p><h1>${esc(title)}</h1><p>${kind}, ID ${m[3]}</p></body></html>`
      : `<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Не найдено</title></head>` +
        `<body><h1>${kind} ${m[3]} не найден(а)</h1></body></html>`;
    res.writeHead(item ? 200 : 404, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.servePage(req, res)) return;
    const t0 = performance.now();
    const call: Bitrix24Call = { at: Date.now(), method: '', status: 0, ms: 0 };
    const finish = (status: number, body: unknown) => {
      call.status = status;
      call.ms = performance.now() - t0;
      this.calls.push(call);
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    const fail = (e: B24SimError) => {
      call.error = String(e.code);
      finish(e.status, { error: e.code, error_description: e.description });
    };
    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/rest\/([^/]+)\/([^/]+)\/([^/]+?)(?:\.json)?\/?$/.exec(url.pathname);
    call.method = m ? decodeURIComponent(m[3]) : url.pathname;
    if (this.faults.latencyMs) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    if (!m) return fail(new B24SimError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!'));
    // Statuses and texts per the docs' _includes/system-errors.md (older descriptions say 403/503 for some,
    // docs/protocols/bitrix24.md#errors).
    if (m[1] !== String(this.userId) || decodeURIComponent(m[2]) !== this.secret)
      return fail(new B24SimError(401, 'INVALID_CREDENTIALS', 'Invalid request credentials'));
    if (this.faults.overload)
      return fail(new B24SimError(401, 'OVERLOAD_LIMIT', 'REST API is blocked due to overload'));
    if (this.faults.forbid === 'scope')
      return fail(
        new B24SimError(
          401,
          'insufficient_scope',
          'The request requires higher privileges than provided by the webhook token',
        ),
      );
    if (this.faults.forbid === 'plan')
      return fail(new B24SimError(401, 'ACCESS_DENIED', 'REST is available only by subscription'));
    if (this.faults.forbid === 'intranet')
      return fail(
        new B24SimError(403, 'allowed_only_intranet_user', 'Action is allowed only for intranet users'),
      );
    if (!this.admit()) return fail(new B24SimError(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests'));
    let params: Record<string, unknown>;
    try {
      params = parseParams(raw, req.headers['content-type'], url.search);
    } catch (e) {
      return fail(e as B24SimError);
    }
    if (call.method !== 'batch') call.params = params;
    if (this.faults.errorRate && this.dice() < this.faults.errorRate)
      return fail(new B24SimError(500, 'INTERNAL_SERVER_ERROR', 'Internal server error'));
    const startedAt = this.portalNow();
    let answer: Answer;
    let writes: boolean;
    try {
      if (call.method === 'batch') {
        const b = this.batch(params, call);
        answer = b.answer;
        writes = b.writes;
      } else {
        const blocked = this.blocked(call.method);
        if (blocked) throw blocked;
        writes = WRITE_METHODS.has(call.method);
        answer = this.dispatch(call.method, params);
      }
    } catch (e) {
      if (e instanceof B24SimError) return fail(e);
      return fail(new B24SimError(500, 'INTERNAL_SERVER_ERROR', 'Internal server error'));
    }
    const every = this.faults.lostResponseEvery;
    const nth = writes ? ++this.writesSinceFaults : 0;
    if (
      writes &&
      ((every && nth % every === 0) ||
        (this.faults.lostResponseRate && this.dice() < this.faults.lostResponseRate))
    ) {
      call.status = 0;
      call.lost = true;
      call.ms = performance.now() - t0;
      this.calls.push(call);
      res.socket?.destroy();
      return;
    }
    const body: Record<string, unknown> = { result: answer.result };
    if (answer.total !== undefined) body.total = answer.total;
    if (answer.next !== undefined) body.next = answer.next;
    body.time = this.time(call.method, startedAt, true);
    finish(200, body);
  }

  /**
   * The portal's leaky bucket (docs/protocols/bitrix24.md#rate-limits): +1 per request, drains Y/s,
   * above X → 503 (not counted).
   */
  private admit(): boolean {
    if (this.faults.forceQueryLimit && this.faults.forceQueryLimit > 0) {
      this.faults.forceQueryLimit--;
      return false;
    }
    if (!this.limits) return true;
    this.drain();
    if (this.level + 1 > this.limits.burst + 1e-9) return false;
    this.level += 1;
    return true;
  }

  private drain(): void {
    const now = performance.now();
    if (this.limits) this.level = Math.max(0, this.level - ((now - this.levelAt) / 1000) * this.limits.rps);
    this.levelAt = now;
  }

  private blocked(method: string): B24SimError | null {
    const b = this.faults.blockedMethods;
    if (!b) return null;
    const hit = Array.isArray(b)
      ? b.includes(method)
      : method in b && Date.now() < this.faultsSetAt + b[method] * 1000;
    return hit
      ? new B24SimError(429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.')
      : null;
  }

  /** The portal's clock in ms (the `clock` option, else real time): item times and the `time` block agree. */
  private portalNow(): number {
    return this.opts.clock ? this.opts.clock().getTime() : Date.now();
  }

  private time(method: string, startedAt: number, full: boolean): Record<string, unknown> {
    const finish = this.portalNow();
    const processing = (finish - startedAt) / 1000;
    const op = this.operating.get(method);
    const now = finish / 1000;
    const cur = op && now < op.since + this.windowSec ? op : { since: now, seconds: 0 };
    cur.seconds += processing;
    this.operating.set(method, cur);
    let resetAt = Math.floor(cur.since + this.windowSec);
    const b = this.faults.blockedMethods;
    if (b && !Array.isArray(b) && method in b) resetAt = Math.floor(this.faultsSetAt / 1000 + b[method]);
    const t: Record<string, unknown> = {
      start: startedAt / 1000,
      finish: now,
      duration: processing,
      processing,
      date_start: isoOffset(startedAt),
      date_finish: isoOffset(finish),
    };
    if (full) {
      t.operating_reset_at = resetAt;
      t.operating = cur.seconds;
    }
    return t;
  }

  private batch(params: Record<string, unknown>, call: Bitrix24Call): { answer: Answer; writes: boolean } {
    const blocked = this.blocked('batch');
    if (blocked) throw blocked;
    const cmd = params.cmd;
    const entries: [string, string][] =
      cmd && typeof cmd === 'object'
        ? Object.entries(cmd as Record<string, unknown>).map(([k, v]) => [k, String(v)])
        : [];
    if (entries.length > 50)
      throw new B24SimError(400, 'ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded');
    const parsed = entries.map(([key, text]) => {
      const q = text.indexOf('?');
      const method = (q < 0 ? text : text.slice(0, q)).replace(/\.json$/, '');
      return { key, method, params: q < 0 ? {} : parseStr(text.slice(q + 1)) };
    });
    if (parsed.some((p) => p.method === 'batch'))
      throw new B24SimError(405, 'ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method not allowed in batch');
    const halt = params.halt === true || params.halt === 1 || params.halt === '1' || params.halt === 'true';
    const result: Record<string, unknown> = {};
    const errors: Record<string, unknown> = {};
    const totals: Record<string, unknown> = {};
    const nexts: Record<string, unknown> = {};
    const times: Record<string, unknown> = {};
    call.commands = [];
    let writes = false;
    for (const p of parsed) {
      const started = this.portalNow();
      try {
        const blockedCmd = this.blocked(p.method);
        if (blockedCmd) throw blockedCmd;
        if (this.faults.commandErrorRate && this.dice() < this.faults.commandErrorRate)
          throw new B24SimError(500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
        const a = this.dispatch(p.method, p.params);
        if (WRITE_METHODS.has(p.method)) writes = true;
        result[p.key] = a.result;
        if (a.total !== undefined) totals[p.key] = a.total;
        if (a.next !== undefined) nexts[p.key] = a.next;
        times[p.key] = this.time(p.method, started, false);
        call.commands.push({ key: p.key, method: p.method, outcome: 'ok' });
      } catch (e) {
        const err =
          e instanceof B24SimError
            ? e
            : new B24SimError(500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
        errors[p.key] = { error: err.code, error_description: err.description };
        call.commands.push({ key: p.key, method: p.method, outcome: String(err.code) });
        if (halt) break;
      }
    }
    // PHP sends empty containers as [] (docs/protocols/bitrix24.md#batch).
    const php = (o: Record<string, unknown>) => (Object.keys(o).length ? o : []);
    return {
      answer: {
        result: {
          result: php(result),
          result_error: php(errors),
          result_total: php(totals),
          result_next: php(nexts),
          result_time: php(times),
        },
      },
      writes,
    };
  }

  private dispatch(method: string, p: Record<string, unknown>): Answer {
    const s = this.state;
    const type = (): EntityTypeId => {
      const raw = p.entityTypeId;
      const n = Number(raw);
      if (raw === undefined || raw === '' || !Number.isInteger(n))
        throw new B24SimError(400, 'NOT_FOUND', 'Smart process not found');
      return s.typeOf(n);
    };
    const id = (): number => {
      const n = Number(p.id);
      if (!Number.isInteger(n) || n <= 0) throw new B24SimError(400, 'NOT_FOUND', 'Item not found');
      return n;
    };
    switch (method) {
      case 'crm.item.add':
        return { result: { item: s.itemAdd(type(), p.fields) } };
      case 'crm.item.update': {
        const t = type();
        return { result: { item: s.itemUpdate(t, id(), p.fields) } };
      }
      case 'crm.item.get': {
        const t = type();
        const n = Number(p.id);
        if (!Number.isInteger(n) || n <= 0) throw new B24SimError(400, 'NOT_FOUND', 'Element not found');
        return { result: { item: s.itemGet(t, n) } };
      }
      case 'crm.item.delete': {
        const t = type();
        s.itemDelete(t, id());
        return { result: [] };
      }
      case 'crm.item.list': {
        const r = s.itemList(type(), p);
        return { result: { items: r.items }, total: r.total, next: r.next };
      }
      case 'crm.requisite.preset.list': {
        const rows = s.presetList(p);
        return { result: rows, total: rows.length };
      }
      case 'crm.requisite.list': {
        const r = s.requisiteList(p);
        return { result: r.rows, total: r.total, next: r.next };
      }
      case 'crm.requisite.add':
        return { result: s.requisiteAdd(p.fields) };
      case 'crm.requisite.update': {
        const n = Number(p.id);
        if (!Number.isInteger(n) || n <= 0) throw new B24SimError(400, '', 'ID is not defined or invalid.');
        s.requisiteUpdate(n, p.fields);
        return { result: true };
      }
      case 'crm.status.list': {
        const rows = s.statusList(p);
        return { result: rows, total: rows.length };
      }
      case 'crm.category.list': {
        const r = s.categoryList(p);
        return { result: r, total: r.categories.length };
      }
      case 'crm.activity.todo.add':
        return { result: s.todos.todoAdd(p, this.userId) };
      case 'crm.activity.todo.update':
        return { result: s.todos.todoUpdate(p, this.userId) };
      case 'crm.activity.update':
        return { result: s.todos.activityUpdate(p, this.userId) };
      case 'crm.activity.get':
        return { result: s.todos.activityGet(p) };
      case 'crm.activity.list': {
        const r = s.todos.activityList(p);
        return { result: r.rows, total: r.total, next: r.next };
      }
      case 'user.get': {
        const r = s.todos.userGet(p);
        return { result: r.rows, total: r.total, next: r.next };
      }
      default:
        throw new B24SimError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!');
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseParams(raw: string, contentType: string | undefined, search: string): Record<string, unknown> {
  const fromQuery = search.length > 1 ? parseStr(search.slice(1)) : {};
  if (!raw.trim()) return fromQuery;
  if (/json/i.test(contentType ?? '') || /^\s*[[{]/.test(raw)) {
    try {
      const j = JSON.parse(raw) as unknown;
      if (j === null || typeof j !== 'object' || Array.isArray(j)) throw new Error('not an object');
      return { ...fromQuery, ...(j as Record<string, unknown>) };
    } catch {
      throw new B24SimError(400, 'INVALID_REQUEST', 'Invalid JSON in the request body');
    }
  }
  return { ...fromQuery, ...parseStr(raw) };
}

function isoOffset(ms: number): string {
  const t = new Date(ms + 3 * 3600_000);
  return `${t.toISOString().slice(0, 19)}+03:00`;
}

export { TYPE_OF };
