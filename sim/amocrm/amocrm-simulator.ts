import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Rng } from '../common/prng.js';
import type { CrmSeed } from '../dataset/dataset.types.js';
import type { DriftTarget } from '../dataset/drift.js';
import { AmoSimError, BLOCKED_HTML, GATEWAY_TIMEOUT_HTML, PROBLEM, TOO_MANY_HTML } from './amocrm-errors.js';
import { AMO_ENTITIES, type AmoEntity } from './amocrm-fields.js';
import { LOST_STATUS, WON_STATUS, type AmoCrmSeed } from './amocrm-model.js';
import { parseQuery, type Query } from './amocrm-query.js';
import { AmoRateLimit, type AmoLimits } from './amocrm-rate-limit.js';
import { amoSeedFromDataset, companyFromBitrix24 } from './amocrm-seed.converter.js';
import { AmoCrmState, type AmoCrmStateOptions, type ListPage } from './amocrm-state.js';

/** Fault injection. All optional; `setFaults()` replaces the whole object at run time. */
export interface AmoCrmFaults {
  /** Share (0..1) of admitted requests answered `errorStatus` before anything runs. */
  errorRate?: number;
  /** 500 (problem+json `ErrInternalServer`, the default) or a gateway's 502/503/504 HTML page. */
  errorStatus?: 500 | 502 | 503 | 504;
  /** Added to every answer (ms). */
  latencyMs?: number;
  /** Share of writes (POST/PATCH) that are saved, after which the socket is destroyed: the answer is lost. */
  lostResponseRate?: number;
  /** Every Nth write that runs since `setFaults()` is saved and its answer lost (the deterministic form). */
  lostResponseEvery?: number;
  /** Writes with more items than this are saved, then answered 504 (amoCRM's advice: smaller batches, watch for duplicates). */
  slowBatchOver?: number;
  /** The next N requests get 429 whatever the limit says (counts down; counts as abuse). */
  forceRateLimit?: number;
  /** 429 as an nginx HTML page without `retry_after` (seen in 2023) instead of the documented JSON. */
  html429?: boolean;
  /** Every request gets 402 Payment Required (the account's paid period ended). */
  unpaid?: boolean;
}

/** One HTTP request as the fake saw it. */
export interface AmoCrmCall {
  /** Unix ms when it arrived. */
  at: number;
  method: string;
  /** Path as sent, without the query. */
  path: string;
  /** Method and path with ids as `{id}`: `PATCH /api/v4/companies`, `GET /api/v4/leads/{id}`. */
  route: string;
  status: number;
  /** Items in the body of a write that ran (an array's length, 1 for an object). */
  items?: number;
  /** The write was saved and the socket destroyed (lostResponseRate). */
  lost?: boolean;
  ms: number;
}

/** What `summary()` counts, for tests and benchmarks. */
export interface AmoCrmCallSummary {
  requests: number;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  /** Answered 429. */
  rateLimited: number;
  /** POST/PATCH requests that ran (saved or refused by validation), and the items they carried. */
  writeRequests: number;
  writeItems: number;
}

export interface AmoCrmSimulatorOptions extends AmoCrmStateOptions {
  /** Port (0 = any free; default 0). */
  port?: number;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** The account's data; or a generated data set, whose CRM side is converted (amoSeedFromDataset). */
  seed?: AmoCrmSeed;
  dataset?: { crm: Pick<CrmSeed, 'companies' | 'requisites'> };
  /** The request limit (default 7 rps, block after 10 refusals in 60 s until unblock()); `false` turns it off. */
  limits?: AmoLimits | false;
  faults?: AmoCrmFaults;
  /** Seed of the fault dice (default 1). */
  faultSeed?: number;
  /** The long-lived token of the private integration (default: a generated JWT valid for 5 years). */
  token?: string;
  /** Expiry of the default token, Unix seconds. */
  tokenExpiresAt?: number;
  /** The account's clock (record times, token expiry). */
  clock?: () => Date;
}

interface TokenInfo {
  userId: number;
  expiresAt: number;
  revoked: boolean;
}

type Handler = (ctx: { q: Query; body: unknown; actor: number; ids: number[] }) => Answer;
type Answer = { json: unknown } | { list: ListPage | null; key: string } | null;

const WRITE_METHODS = new Set(['POST', 'PATCH']);
/** Bitrix24 stage ids of the data set's drift → the amoCRM statuses Sverka's default amoCRM status map uses. */
const DEFAULT_STAGE_STATUS: Record<string, string | number> = {
  NEW: 'Новый заказ',
  PREPARATION: 'К обеспечению',
  EXECUTING: 'К выполнению',
  FINAL_INVOICE: 'К отгрузке',
  WON: WON_STATUS,
  LOSE: LOST_STATUS,
};

/**
 * A fake amoCRM account (API v4) over real HTTP (node:http), per docs/protocols/amocrm.md: long-lived
 * Bearer tokens (401 for a missing, wrong, expired or revoked one), 7 requests a second with 429 and a
 * 403 block after repeated abuse, HAL lists of ≤ 250 with `page`/`limit` and 204 for an empty page,
 * filters, adds and updates of ≤ 250 items echoing `request_id`, per-item `validation-errors`, custom
 * fields, links, pipelines with 142/143, tasks, and no DELETE for records. Faults, a call log, and an
 * in-process API (`state`) for tests and the demo.
 *
 * ```ts
 * const sim = await new AmoCrmSimulator({ dataset }).start();
 * // AMOCRM_BASE_URL = sim.url, AMOCRM_TOKEN = sim.token
 * sim.state.deleteInInterface('companies', 5);   // a person deletes it (the API cannot)
 * sim.setFaults({ lostResponseRate: 0.2 });
 * sim.summary().byRoute['PATCH /api/v4/companies'];
 * await sim.close();
 * ```
 */
export class AmoCrmSimulator {
  readonly state: AmoCrmState;
  /** Every HTTP request, in arrival order (clearCalls() empties it). */
  readonly calls: AmoCrmCall[] = [];
  private faults: AmoCrmFaults;
  /** Writes run since `setFaults()` (for lostResponseEvery). */
  private writesSinceFaults = 0;
  private limiter: AmoRateLimit | null;
  private readonly dice: () => number;
  private readonly tokens = new Map<string, TokenInfo>();
  private readonly defaultToken: string;
  private readonly secret = randomBytes(16);
  private server: Server | null = null;
  private base = '';

  constructor(private readonly opts: AmoCrmSimulatorOptions = {}) {
    const seed = opts.seed ?? (opts.dataset ? amoSeedFromDataset(opts.dataset.crm) : {});
    this.state = new AmoCrmState(seed, opts, opts.clock);
    this.faults = { ...(opts.faults ?? {}) };
    this.limiter = opts.limits === false ? null : new AmoRateLimit(opts.limits ?? {});
    this.dice = new Rng(opts.faultSeed ?? 1).next;
    const expiresAt = opts.tokenExpiresAt ?? this.state.now() + 5 * 365 * 86400;
    this.defaultToken = opts.token ?? this.makeJwt(this.state.users[0].id, expiresAt);
    this.tokens.set(this.defaultToken, { userId: this.state.users[0].id, expiresAt, revoked: false });
  }

  /** `http://host:port`: AMOCRM_BASE_URL (valid after start()). */
  get url(): string {
    return this.base;
  }

  /** The long-lived token: AMOCRM_TOKEN. */
  get token(): string {
    return this.defaultToken;
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
    this.state.baseUrl = this.base;
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

  setFaults(faults: AmoCrmFaults): void {
    this.faults = { ...faults };
    this.writesSinceFaults = 0;
  }

  /** Replaces the request limit (a fresh window, no block) or turns it off. */
  setLimits(limits: AmoLimits | false): void {
    this.limiter = limits === false ? null : new AmoRateLimit(limits);
  }

  /** Whether the account is blocked for API abuse. */
  get blocked(): boolean {
    return this.limiter?.blocked ?? false;
  }

  /** What amoCRM support does on request: lifts an abuse block. */
  unblock(): void {
    this.limiter?.unblock();
  }

  /** Another long-lived token (e.g. one that expired: `expiresAt` in the past). */
  issueToken(opts: { expiresAt?: number; userId?: number } = {}): string {
    const userId = opts.userId ?? this.state.users[0].id;
    const expiresAt = opts.expiresAt ?? this.state.now() + 365 * 86400;
    const token = this.makeJwt(userId, expiresAt);
    this.tokens.set(token, { userId, expiresAt, revoked: false });
    return token;
  }

  /** "Revoke access" in the integration's settings: every request with the token gets 401. */
  revokeToken(token = this.defaultToken): void {
    const t = this.tokens.get(token);
    if (t) t.revoked = true;
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  /** Counts of the call log: per route, per status, 429s, write requests and their items. */
  summary(): AmoCrmCallSummary {
    const s: AmoCrmCallSummary = {
      requests: 0,
      byRoute: {},
      byStatus: {},
      rateLimited: 0,
      writeRequests: 0,
      writeItems: 0,
    };
    for (const c of this.calls) {
      s.requests++;
      s.byRoute[c.route] = (s.byRoute[c.route] ?? 0) + 1;
      s.byStatus[c.status] = (s.byStatus[c.status] ?? 0) + 1;
      if (c.status === 429) s.rateLimited++;
      if (c.items !== undefined) {
        s.writeRequests++;
        s.writeItems += c.items;
      }
    }
    return s;
  }

  /**
   * applyDrift's target (sim/dataset/drift.ts) on this account, for the default amoCRM mapping: a 1C
   * record's company or lead is the lowest id whose text field `keyField` holds `<originatorId>:<ref>`;
   * requisite edits go to the «ИНН»/«КПП» fields; a deletion is a person's deletion in the interface;
   * Bitrix24 stage ids map to the statuses of `stages`. There are no invoices: applyDrift skips those ops.
   */
  driftTarget(
    opts: { originatorId?: string; keyField?: string; stages?: Record<string, string | number> } = {},
  ): DriftTarget {
    const s = this.state;
    const key = (ref: string) => `${opts.originatorId ?? 'sverka-1c'}:${ref}`;
    const field = opts.keyField ?? 'Ключ 1С';
    const stages = opts.stages ?? DEFAULT_STAGE_STATUS;
    const tax: Record<string, string> = { RQ_INN: 'ИНН', RQ_KPP: 'КПП' };
    return {
      companyIdOf: (ref) => s.findByField('companies', field, key(ref))[0],
      dealIdOf: (orderRef) => s.findByField('leads', field, key(orderRef))[0],
      updateCompany: (id, fields) => s.update('companies', Number(id), { name: fields.title }),
      updateRequisite: (companyId, _xmlId, fields) => {
        const values = Object.entries(fields).map(([k, v]) => {
          const f = s.field('companies', tax[k]);
          if (!f) throw new Error(`the account has no company field «${tax[k]}»`);
          return { field_id: f.id, values: v ? [{ value: v }] : null };
        });
        s.update('companies', Number(companyId), { custom_fields_values: values });
      },
      deleteCompany: (id) => s.deleteInInterface('companies', Number(id)),
      updateDeal: (id, fields) => {
        const lead = s.get('leads', Number(id));
        if (!lead) throw new Error(`no lead ${id}`);
        const target = stages[fields.stageId];
        const pipelineId = Number(lead.pipeline_id);
        const status = target === undefined ? undefined : s.status(pipelineId, target);
        if (!status) throw new Error(`no status for stage ${fields.stageId} in pipeline ${pipelineId}`);
        s.setLeadStatus(Number(id), status.id, pipelineId);
      },
      addCompany: (company, requisite) =>
        s.add('companies', companyFromBitrix24(company, requisite, s.users)),
    };
  }

  // ---- HTTP ----

  /**
   * The account's web pages that reports link to: a record's card at `/companies/detail/<id>`,
   * `/contacts/detail/<id>`, `/leads/detail/<id>` — a minimal HTML page with the record's name (404 for
   * one the account does not have or that was deleted). Not the API: no token, no limit, not in `calls`.
   * Returns false for any other request.
   */
  private servePage(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const m = /^\/(companies|contacts|leads)\/detail\/(\d+)\/?$/.exec(path);
    if (!m) return false;
    const entity = m[1] as AmoEntity;
    const record = this.state.get(entity, Number(m[2]));
    const kind = { companies: 'Компания', contacts: 'Контакт', leads: 'Сделка' }[entity];
    const esc = (t: string) =>
      t.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
    const name = record ? String(record.name ?? '') : '';
    const body = record
      ? `<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>${esc(name)} — ${kind} ${m[2]}</title></head>` +
        `<body><p>amoCRM (симулятор Sverka)</p><h1>${esc(name)}</h1><p>${kind}, ID ${m[2]}</p></body></html>`
      : `<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Не найдено</title></head>` +
        `<body><h1>${kind} ${m[2]} не найден(а)</h1></body></html>`;
    res.writeHead(record ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.servePage(req, res)) return;
    const t0 = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://x');
    const call: AmoCrmCall = {
      at: Date.now(),
      method,
      path: url.pathname,
      route: routeOf(method, url.pathname),
      status: 0,
      ms: 0,
    };
    const requestId = randomBytes(16).toString('hex');
    const send = (status: number, body: string | null, type: string | null) => {
      call.status = status;
      call.ms = performance.now() - t0;
      this.calls.push(call);
      const headers: Record<string, string | number> = { 'X-Request-Id': requestId };
      if (type) headers['Content-Type'] = type;
      // A 204 carries no body and no Content-Length.
      if (body !== null) headers['Content-Length'] = Buffer.byteLength(body);
      res.writeHead(status, headers);
      res.end(body ?? undefined);
    };
    const fail = (e: AmoSimError) => send(e.status, JSON.stringify(e.body()), 'application/problem+json');
    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      return;
    }
    if (this.faults.latencyMs) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
    if (!url.pathname.startsWith('/api/'))
      return fail(PROBLEM.notFound(`Cannot ${method} ${this.base}${url.pathname}`));
    // 401 comes before anything else, the limit included.
    const actor = this.authorize(req.headers.authorization);
    if (actor === null) return fail(PROBLEM.unauthorized());
    if (this.limiter?.blocked) return send(403, BLOCKED_HTML, 'text/html');
    if (this.faults.unpaid) return fail(PROBLEM.paymentRequired());
    const forced = (this.faults.forceRateLimit ?? 0) > 0;
    if (forced) this.faults.forceRateLimit!--;
    const admission = this.limiter ? this.limiter.admit() : 'ok';
    if (admission === 'blocked') return send(403, BLOCKED_HTML, 'text/html');
    if (admission === 'limited' || forced) {
      if (this.faults.html429) return send(429, TOO_MANY_HTML, 'text/html');
      return fail(PROBLEM.tooManyRequests(this.limiter?.retryAfterSec() ?? 1));
    }
    if (this.faults.errorRate && this.dice() < this.faults.errorRate) {
      const status = this.faults.errorStatus ?? 500;
      if (status === 500) return fail(PROBLEM.internal(randomBytes(8).toString('hex')));
      return send(
        status,
        GATEWAY_TIMEOUT_HTML.replaceAll('504 Gateway Time-out', `${status} Error`),
        'text/html',
      );
    }
    const found = this.route(method, url.pathname);
    if (found === 'no-route') return fail(PROBLEM.notFound(`Cannot ${method} ${this.base}${url.pathname}`));
    if (found === 'no-method') return fail(PROBLEM.methodNotAllowed());
    let body: unknown;
    if (WRITE_METHODS.has(method)) {
      if (raw.trim() === '') return fail(PROBLEM.empty());
      try {
        body = JSON.parse(raw) as unknown;
      } catch {
        return fail(PROBLEM.badRequest('Request body is not valid JSON'));
      }
      call.items = Array.isArray(body) ? body.length : 1;
    }
    let answer: Answer;
    try {
      answer = found.handler({ q: parseQuery(url.search), body, actor, ids: found.ids });
    } catch (e) {
      if (e instanceof AmoSimError) return fail(e);
      return fail(PROBLEM.internal(randomBytes(8).toString('hex')));
    }
    if (WRITE_METHODS.has(method)) {
      const every = this.faults.lostResponseEvery;
      const nth = ++this.writesSinceFaults;
      if (
        (every && nth % every === 0) ||
        (this.faults.lostResponseRate && this.dice() < this.faults.lostResponseRate)
      ) {
        call.status = 0;
        call.lost = true;
        call.ms = performance.now() - t0;
        this.calls.push(call);
        res.socket?.destroy();
        return;
      }
      if (this.faults.slowBatchOver !== undefined && (call.items ?? 0) > this.faults.slowBatchOver)
        return send(504, GATEWAY_TIMEOUT_HTML, 'text/html');
    }
    if (answer === null) return send(204, null, null);
    if ('list' in answer) {
      if (answer.list === null) return send(204, null, null);
      return send(200, JSON.stringify(this.hal(answer.list, answer.key, url)), 'application/hal+json');
    }
    return send(200, JSON.stringify(answer.json), 'application/hal+json');
  }

  /** The token's user, or null: no Bearer header, an unknown token, an expired or revoked one. */
  private authorize(header: string | undefined): number | null {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    const t = m ? this.tokens.get(m[1]) : undefined;
    if (!t || t.revoked || t.expiresAt <= this.state.now()) return null;
    return t.userId;
  }

  /** A list page as HAL: `_page`, `_links.self`/`next`/`prev` (with the request's own parameters), `_embedded`. */
  private hal(page: ListPage, key: string, url: URL): Record<string, unknown> {
    const link = (n: number) => {
      const u = new URL(`${this.base}${url.pathname}${url.search}`);
      u.searchParams.set('limit', String(page.limit));
      u.searchParams.set('page', String(n));
      return { href: u.toString() };
    };
    const links: Record<string, unknown> = { self: link(page.page) };
    if (page.more) links.next = link(page.page + 1);
    if (page.page > 1) links.prev = link(page.page - 1);
    return { _page: page.page, _links: links, _embedded: { [key]: page.items } };
  }

  private route(
    method: string,
    path: string,
  ): { handler: Handler; ids: number[] } | 'no-route' | 'no-method' {
    const segs = path.replace(/\/+$/, '').split('/').slice(1);
    if (segs[0] !== 'api' || segs[1] !== 'v4') return 'no-route';
    const rest = segs.slice(2);
    const s = this.state;
    const ids: number[] = [];
    const shape = rest
      .map((x) => {
        if (/^\d+$/.test(x)) {
          ids.push(Number(x));
          return '{id}';
        }
        return x;
      })
      .join('/');
    const entity = rest[0] as AmoEntity;
    const isEntity = AMO_ENTITIES.includes(entity);
    const generic = isEntity ? shape.replace(entity, '{entity}') : shape;
    const table: Record<string, Partial<Record<string, Handler>>> = {
      account: { GET: ({ q }) => ({ json: s.accountOut(q) }) },
      users: { GET: ({ q }) => ({ list: s.usersPage(q), key: 'users' }) },
      tasks: {
        GET: ({ q }) => ({ list: s.listTasks(q), key: 'tasks' }),
        POST: ({ body, actor }) => ({ json: s.addTasks(body, actor) }),
        PATCH: ({ body, actor }) => ({ json: s.updateTasks(body, actor) }),
        DELETE: () => {
          throw PROBLEM.methodNotAllowed();
        },
      },
      'tasks/{id}': {
        GET: ({ ids: [id] }) => json(s.getTask(id)),
        PATCH: ({ ids: [id], body, actor }) => ({ json: s.updateTask(id, body, actor) }),
        DELETE: () => {
          throw PROBLEM.methodNotAllowed();
        },
      },
      'leads/complex': { POST: ({ body, actor }) => ({ json: s.addComplex(body, actor) }) },
      'leads/pipelines': { GET: () => ({ json: s.pipelinesOut() }) },
      'leads/pipelines/{id}': { GET: ({ ids: [id] }) => json(s.pipelineById(id)) },
      'leads/pipelines/{id}/statuses': {
        GET: ({ ids: [id] }) => json(s.statusesOut(id)),
        POST: ({ ids: [id], body }) => json(s.addStatuses(id, body)),
      },
      'leads/pipelines/{id}/statuses/{id}': { GET: ({ ids: [p, id] }) => json(s.statusById(p, id)) },
      '{entity}': {
        GET: ({ q }) => ({ list: s.listRecords(entity, q), key: entity }),
        POST: ({ body, actor }) => ({ json: s.addRecords(entity, body, actor) }),
        PATCH: ({ body, actor }) => ({ json: s.updateRecords(entity, body, actor) }),
        // amoCRM has no deletion of companies, contacts or leads through the API.
        DELETE: () => {
          throw PROBLEM.methodNotAllowed();
        },
      },
      '{entity}/{id}': {
        GET: ({ ids: [id], q }) => json(s.getRecord(entity, id, q)),
        PATCH: ({ ids: [id], body, actor }) => ({ json: s.updateRecord(entity, id, body, actor) }),
        DELETE: () => {
          throw PROBLEM.methodNotAllowed();
        },
      },
      '{entity}/custom_fields': {
        GET: ({ q }) => ({ list: s.listFields(entity, q), key: 'custom_fields' }),
        POST: ({ body }) => ({ json: s.addFields(entity, body) }),
      },
      '{entity}/custom_fields/{id}': { GET: ({ ids: [id] }) => json(s.getField(entity, id)) },
      '{entity}/links': { GET: ({ q }) => json(s.massLinks(entity, q)) },
      '{entity}/link': { POST: ({ body }) => ({ json: s.link(entity, null, body, false) }) },
      '{entity}/unlink': { POST: ({ body }) => (s.link(entity, null, body, true), null) },
      '{entity}/{id}/links': { GET: ({ ids: [id], q }) => json(s.recordLinks(entity, id, q)) },
      '{entity}/{id}/link': { POST: ({ ids: [id], body }) => ({ json: s.link(entity, id, body, false) }) },
      '{entity}/{id}/unlink': { POST: ({ ids: [id], body }) => (s.link(entity, id, body, true), null) },
    };
    // `leads/complex` and `leads/pipelines…` are not `{entity}/…` routes.
    const methods = table[shape] ?? (isEntity ? table[generic] : undefined);
    if (!methods) return 'no-route';
    const handler = methods[method];
    return handler ? { handler, ids } : 'no-method';
  }

  private makeJwt(userId: number, expiresAt: number): string {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = this.state.now();
    const head = b64({ typ: 'JWT', alg: 'HS256' });
    const payload = b64({
      aud: 'sverka-sim-integration',
      jti: randomBytes(16).toString('hex'),
      iat: now,
      nbf: now,
      exp: expiresAt,
      sub: String(userId),
      account_id: this.state.accountId,
      base_domain: 'amocrm.ru',
      scopes: ['crm', 'notifications'],
    });
    const sig = createHmac('sha256', this.secret).update(`${head}.${payload}`).digest('base64url');
    return `${head}.${payload}.${sig}`;
  }
}

/** A single object, or 204 when there is none. */
function json(v: Record<string, unknown> | null): Answer {
  return v === null ? null : { json: v };
}

/** Method and path with numeric segments as `{id}`. */
function routeOf(method: string, path: string): string {
  return `${method} ${path.replace(/\/+$/, '').replace(/\/\d+(?=\/|$)/g, '/{id}')}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
