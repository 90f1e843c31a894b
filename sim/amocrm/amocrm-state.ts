import { AmoSimError, ERR, PROBLEM, type ItemError, type ValidationEntry } from './amocrm-errors.js';
import {
  AMO_ENTITIES,
  FIELD_TYPES,
  fieldOut,
  fieldValuesOut,
  predefinedFields,
  readFieldWrites,
  type AmoEntity,
  type AmoField,
  type FieldType,
} from './amocrm-fields.js';
import {
  LOST_STATUS,
  TASK_TYPES,
  WON_STATUS,
  defaultPipelines,
  defaultUsers,
  type AmoCrmSeed,
  type AmoLink,
  type AmoPipeline,
  type AmoRecord,
  type AmoStatus,
  type AmoTask,
  type AmoUser,
  type SeedRecord,
  type TaskEntityType,
} from './amocrm-model.js';
import { commaListOf, listOf, rangeOf, type Query, type QueryValue } from './amocrm-query.js';

type Json = Record<string, unknown>;

/** Options of the account's behaviour where amoCRM's documentation leaves it open. */
export interface AmoCrmStateOptions {
  /**
   * Whether the account has API filtering (`is_api_filter_enabled`). Off, `filter[...]` on company,
   * contact and lead lists is ignored and every record comes back (what a client must detect).
   */
  filtersEnabled?: boolean;
  /**
   * A write batch with some invalid items: `false` (default) saves nothing; `true` saves the valid items
   * and still answers 400 listing the invalid ones, so the saved ids are never learnt.
   */
  partialBatches?: boolean;
  /** Items per add/update request above which the answer is 422 "Limit 250 per page" (default 250). */
  writeBatchLimit?: number;
}

/** One page of a list (or null: nothing on that page, the API's 204). */
export interface ListPage {
  items: Json[];
  page: number;
  limit: number;
  more: boolean;
}

const ORDER_FIELDS: Record<AmoEntity | 'tasks', readonly string[]> = {
  companies: ['id', 'updated_at'],
  contacts: ['id', 'updated_at'],
  leads: ['id', 'created_at', 'updated_at'],
  tasks: ['id', 'created_at', 'complete_till'],
};
const WITH_VALUES: Record<AmoEntity, readonly string[]> = {
  companies: ['leads', 'contacts', 'customers', 'catalog_elements', 'only_deleted'],
  contacts: ['leads', 'customers', 'catalog_elements', 'social_profiles', 'only_deleted'],
  leads: ['contacts', 'catalog_elements', 'loss_reason', 'source_id', 'only_deleted', 'source'],
};
/** Which record types may be linked (both directions). */
const LINKABLE = new Set([
  'leads>contacts',
  'leads>companies',
  'contacts>companies',
  'contacts>leads',
  'companies>contacts',
  'companies>leads',
]);

/**
 * The data and REST semantics of one fake amoCRM account (docs/protocols/amocrm.md), independent of
 * HTTP: companies, contacts and leads with custom fields, tags and links; pipelines with statuses;
 * tasks; users. REST-level methods take parsed queries and JSON bodies and return the JSON to send
 * (or null for the API's 204), throwing AmoSimError for amoCRM's error answers. The in-process API
 * (`add`, `update`, `deleteInInterface`, `completeTask`, `findByField`, …) is how tests and the demo
 * play a person working in the account; it never counts against the rate limit.
 */
export class AmoCrmState {
  readonly accountId: number;
  readonly subdomain: string;
  /** Base of every `_links` href (`http://host:port`); the simulator sets it when it listens. */
  baseUrl = 'https://example.amocrm.ru';
  filtersEnabled: boolean;
  partialBatches: boolean;
  writeBatchLimit: number;
  readonly users: AmoUser[];
  readonly pipelines: AmoPipeline[];
  private readonly records: Record<AmoEntity, Map<number, AmoRecord>> = {
    companies: new Map(),
    contacts: new Map(),
    leads: new Map(),
  };
  private readonly nextId: Record<AmoEntity | 'tasks', number> = {
    companies: 1,
    contacts: 1,
    leads: 1,
    tasks: 1,
  };
  private readonly fields: Record<AmoEntity, AmoField[]> = { companies: [], contacts: [], leads: [] };
  private nextFieldId = 270001;
  private nextStatusId = 0;
  private readonly tagIds: Record<AmoEntity, Map<string, number>> = {
    companies: new Map(),
    contacts: new Map(),
    leads: new Map(),
  };
  private nextTagId = 1;
  /** contact → its company; lead → its company; lead → its contacts (the main one first). */
  private readonly contactCompany = new Map<number, number>();
  private readonly leadCompany = new Map<number, number>();
  private readonly leadContacts = new Map<number, { id: number; main: boolean }[]>();
  private readonly tasks = new Map<number, AmoTask>();
  private closestTasks: Map<string, number> | null = null;

  constructor(
    seed: AmoCrmSeed = {},
    options: AmoCrmStateOptions = {},
    /** The account's clock. */
    readonly clock: () => Date = () => new Date(),
  ) {
    this.accountId = seed.accountId ?? 31000001;
    this.subdomain = seed.subdomain ?? 'sverka-sim';
    this.filtersEnabled = options.filtersEnabled ?? true;
    this.partialBatches = options.partialBatches ?? false;
    this.writeBatchLimit = options.writeBatchLimit ?? 250;
    this.users = structuredClone(seed.users ?? defaultUsers());
    this.pipelines = structuredClone(seed.pipelines ?? defaultPipelines());
    this.nextStatusId = Math.max(40000000, ...this.pipelines.flatMap((p) => p.statuses.map((s) => s.id))) + 1;
    for (const f of predefinedFields(() => this.nextFieldId++)) this.fields[f.entity_type].push(f);
    for (const entity of AMO_ENTITIES)
      for (const f of seed.fields?.[entity] ?? []) {
        this.fields[entity].push({ ...structuredClone(f), entity_type: entity });
        this.nextFieldId = Math.max(this.nextFieldId, f.id + 1, ...(f.enums ?? []).map((e) => e.id + 1));
      }
    for (const entity of AMO_ENTITIES) this.fields[entity].sort((a, b) => a.sort - b.sort || a.id - b.id);
    const admin = this.users[0].id;
    for (const entity of AMO_ENTITIES)
      for (const raw of seed[entity] ?? []) {
        const actor = Number(raw.created_by ?? admin);
        const p = this.prepareRecord(entity, raw, null, actor, '');
        if (p.errors.length)
          throw PROBLEM.validation([{ request_id: String(raw.id ?? ''), errors: p.errors }]);
        const r = p.apply(
          Number.isInteger(raw.id) && (raw.id as number) > 0 ? (raw.id as number) : undefined,
        );
        // As toSeed() keeps them: a tombstone (deleted in the interface, its id never given again), a
        // lead's closing time.
        if (raw.is_deleted === true) r.deleted = true;
        if (typeof raw.closed_at === 'number') r.closed_at = raw.closed_at;
      }
    for (const l of seed.links ?? [])
      this.linkOne(l.entity_type, l.entity_id, l.to_entity_type, l.to_entity_id, null);
    for (const { result, ...t } of seed.tasks ?? []) {
      const p = this.prepareTask(t as Json, null, admin, '');
      if (p.errors.length) throw PROBLEM.validation([{ request_id: String(t.id ?? ''), errors: p.errors }]);
      const task = p.apply(t.id);
      // A completed task kept by toSeed(), with its result as stored.
      if (t.is_completed) Object.assign(task, { is_completed: true, result: result ?? null });
    }
  }

  /** Unix seconds of the account's clock. */
  now(): number {
    return Math.floor(this.clock().getTime() / 1000);
  }

  // ---------------------------------------------------------------- in-process API (a person in the account)

  /** A record in the API's read shape (with contacts, leads), or undefined when there is none or it was deleted. */
  get(entity: AmoEntity, id: number): Json | undefined {
    const r = this.records[entity].get(id);
    return r && !r.deleted ? this.recordOut(r, new Set(['contacts', 'leads'])) : undefined;
  }

  /** Every live record of a type in id order, read shape. */
  list(entity: AmoEntity): Json[] {
    return [...this.records[entity].values()]
      .filter((r) => !r.deleted)
      .map((r) => this.recordOut(r, new Set()));
  }

  count(entity: AmoEntity): number {
    let n = 0;
    for (const r of this.records[entity].values()) if (!r.deleted) n++;
    return n;
  }

  /** Adds a record as a person would (write shape of the API); returns its id. */
  add(entity: AmoEntity, fields: Json, userId = this.users[1]?.id ?? this.users[0].id): number {
    const p = this.prepareRecord(entity, fields, null, userId, '');
    if (p.errors.length) throw PROBLEM.validation([{ request_id: '0', errors: p.errors }]);
    return p.apply().id;
  }

  /** Changes a record as a person would (write shape); `updated_at` moves when a value changed. */
  update(entity: AmoEntity, id: number, fields: Json, userId = this.users[1]?.id ?? this.users[0].id): void {
    const r = this.live(entity, id);
    const p = this.prepareRecord(entity, fields, r, userId, '');
    if (p.errors.length) throw PROBLEM.validation([{ request_id: '0', errors: p.errors }]);
    p.apply();
  }

  /**
   * Deletes a record in the account's interface (the API cannot): it vanishes from lists and reads
   * (GET by id answers 204) and comes back only as a tombstone with `with=only_deleted`.
   */
  deleteInInterface(entity: AmoEntity, id: number, userId = this.users[1]?.id ?? this.users[0].id): void {
    const r = this.live(entity, id);
    r.deleted = true;
    r.updated_at = this.now();
    r.updated_by = userId;
    if (entity === 'contacts') this.contactCompany.delete(id);
    if (entity === 'leads') {
      this.leadCompany.delete(id);
      this.leadContacts.delete(id);
    }
    if (entity === 'companies') {
      for (const [c, co] of this.contactCompany) if (co === id) this.contactCompany.delete(c);
      for (const [l, co] of this.leadCompany) if (co === id) this.leadCompany.delete(l);
    }
    if (entity === 'contacts')
      for (const [l, list] of this.leadContacts)
        this.leadContacts.set(
          l,
          list.filter((c) => c.id !== id),
        );
  }

  /** Moves a lead to a status (142/143 stay in the lead's pipeline unless one is given). */
  setLeadStatus(id: number, statusId: number, pipelineId?: number, userId?: number): void {
    this.update(
      'leads',
      id,
      { status_id: statusId, ...(pipelineId ? { pipeline_id: pipelineId } : {}) },
      userId,
    );
  }

  /** Ids of live records whose field (by name or code) holds this value, ascending. */
  findByField(entity: AmoEntity, field: string, value: string): number[] {
    const f = this.field(entity, field);
    if (!f) return [];
    const out: number[] = [];
    for (const r of this.records[entity].values())
      if (!r.deleted && (r.values.get(f.id) ?? []).some((v) => String(v.value) === value)) out.push(r.id);
    return out;
  }

  /** A field of a record type by name or code. */
  field(entity: AmoEntity, nameOrCode: string): AmoField | undefined {
    return (
      this.fields[entity].find((f) => f.code === nameOrCode) ??
      this.fields[entity].find((f) => f.name === nameOrCode)
    );
  }

  /** The first value of a field on a record (by field name or code), or undefined. */
  valueOf(entity: AmoEntity, id: number, field: string): string | undefined {
    const f = this.field(entity, field);
    const v = f ? this.records[entity].get(id)?.values.get(f.id)?.[0] : undefined;
    return v === undefined ? undefined : String(v.value);
  }

  /** Adds a custom field as an administrator would; returns it. */
  addField(
    entity: AmoEntity,
    def: { name: string; type: FieldType; code?: string; enums?: string[] },
  ): AmoField {
    const f: AmoField = {
      id: this.nextFieldId++,
      name: def.name,
      code: def.code ?? null,
      type: def.type,
      entity_type: entity,
      sort: 500 + this.fields[entity].length,
      is_predefined: false,
      is_deletable: true,
      is_api_only: false,
      enums: def.enums
        ? def.enums.map((value, i) => ({ id: this.nextFieldId++, value, sort: (i + 1) * 10 }))
        : null,
    };
    this.fields[entity].push(f);
    return f;
  }

  fieldsOf(entity: AmoEntity): readonly AmoField[] {
    return this.fields[entity];
  }

  mainPipeline(): AmoPipeline {
    return this.pipelines.find((p) => p.is_main) ?? this.pipelines[0];
  }

  /** A status of a pipeline by name (or 142/143 by id). */
  status(pipelineId: number, nameOrId: string | number): AmoStatus | undefined {
    const p = this.pipelines.find((x) => x.id === pipelineId);
    return p?.statuses.find((s) => (typeof nameOrId === 'number' ? s.id === nameOrId : s.name === nameOrId));
  }

  /** The company a contact or lead is linked to. */
  companyOf(entity: 'contacts' | 'leads', id: number): number | undefined {
    return (entity === 'contacts' ? this.contactCompany : this.leadCompany).get(id);
  }

  /** Every task in id order, read shape. */
  taskList(): Json[] {
    return [...this.tasks.values()].map((t) => this.taskOut(t));
  }

  /** Completes a task as its responsible person would, with a result text. */
  completeTask(id: number, resultText = 'Выполнено', userId?: number): void {
    const t = this.tasks.get(id);
    if (!t) throw new Error(`no task ${id}`);
    t.is_completed = true;
    t.result = resultText;
    t.updated_at = this.now();
    t.updated_by = userId ?? t.responsible_user_id;
    this.closestTasks = null;
  }

  /**
   * The whole account as a seed for `new AmoCrmState(seed)` (JSON-safe): users, pipelines, the custom
   * fields added to it, every record with its ids, times, values and tags (records deleted in the
   * interface as tombstones, `is_deleted: true`), the links and the tasks. How `npm run demo` keeps its
   * fake account between runs.
   */
  toSeed(): AmoCrmSeed {
    const records = (entity: AmoEntity): SeedRecord[] =>
      [...this.records[entity].values()].map((r) => ({
        id: r.id,
        name: r.name,
        ...(entity === 'contacts' ? { first_name: r.first_name, last_name: r.last_name } : {}),
        ...(entity === 'leads'
          ? { price: r.price, pipeline_id: r.pipeline_id, status_id: r.status_id, closed_at: r.closed_at }
          : {}),
        responsible_user_id: r.responsible_user_id,
        created_by: r.created_by,
        updated_by: r.updated_by,
        created_at: r.created_at,
        updated_at: r.updated_at,
        custom_fields_values: [...r.values].map(([field_id, values]) => ({ field_id, values })),
        _embedded: { tags: r.tags.map((id) => ({ name: this.tagName(entity, id) })) },
        ...(r.deleted ? { is_deleted: true } : {}),
      }));
    const links: Omit<AmoLink, 'metadata'>[] = [
      ...[...this.contactCompany].map(([c, co]) => link('contacts', c, 'companies', co)),
      ...[...this.leadCompany].map(([l, co]) => link('leads', l, 'companies', co)),
      // The main contact first: the first contact linked to a lead becomes its main one.
      ...[...this.leadContacts].flatMap(([l, list]) =>
        [...list]
          .sort((a, b) => Number(b.main) - Number(a.main))
          .map((c) => link('leads', l, 'contacts', c.id)),
      ),
    ];
    return structuredClone({
      accountId: this.accountId,
      subdomain: this.subdomain,
      users: this.users,
      pipelines: this.pipelines,
      fields: Object.fromEntries(
        AMO_ENTITIES.map((e) => [
          e,
          this.fields[e].filter((f) => !f.is_predefined).map(({ entity_type: _, ...f }) => f),
        ]),
      ),
      companies: records('companies'),
      contacts: records('contacts'),
      leads: records('leads'),
      links,
      tasks: [...this.tasks.values()],
    });
  }

  /** An administrator dismisses a user: `rights.is_active` false (still listed, still valid on tasks). */
  dismissUser(id: number): void {
    const u = this.users.find((x) => x.id === id);
    if (!u) throw new Error(`no user ${id}`);
    u.is_active = false;
  }

  // ---------------------------------------------------------------- REST: account, users

  accountOut(q: Query): Json {
    const withs = new Set(commaListOf(q.with));
    const admin = this.users[0].id;
    return {
      id: this.accountId,
      name: 'Сверка (симулятор)',
      subdomain: this.subdomain,
      created_at: 1700000000,
      created_by: admin,
      updated_at: 1700000000,
      updated_by: admin,
      current_user_id: admin,
      country: 'RU',
      customers_mode: 'disabled',
      is_unsorted_on: true,
      is_loss_reason_enabled: false,
      is_helpbot_enabled: false,
      is_technical_account: false,
      contact_name_display_order: 1,
      ...(withs.has('is_api_filter_enabled') ? { is_api_filter_enabled: this.filtersEnabled } : {}),
      ...(withs.has('task_types')
        ? { _embedded: { task_types: TASK_TYPES.map((t) => ({ ...t, color: null, icon_id: null })) } }
        : {}),
      _links: { self: { href: `${this.baseUrl}/api/v4/account` } },
    };
  }

  usersPage(q: Query): ListPage | null {
    const items = this.users.map((u) => ({
      id: u.id,
      name: u.name,
      email: u.email,
      lang: 'ru',
      rights: {
        is_admin: u.is_admin,
        is_free: false,
        is_active: u.is_active !== false,
        group_id: null,
        role_id: null,
      },
      _links: { self: { href: `${this.baseUrl}/api/v4/users/${u.id}` } },
    }));
    return this.page(items, q);
  }

  // ---------------------------------------------------------------- REST: companies, contacts, leads

  /** GET /api/v4/{entity}: filters, `query`, `order`, `with`, `page`/`limit`; null = 204. */
  listRecords(entity: AmoEntity, q: Query): ListPage | null {
    const withs = this.withsOf(entity, q);
    const deleted = withs.has('only_deleted');
    const filter = this.filtersEnabled ? this.recordFilter(entity, q.filter) : () => true;
    const search = this.searchOf(q.query);
    let rows = [...this.records[entity].values()].filter(
      (r) => r.deleted === deleted && filter(r) && search(r),
    );
    rows = this.sorted(rows, entity, q.order);
    return this.page(rows, q, (r) => (deleted ? this.tombstoneOut(r) : this.recordOut(r, withs)));
  }

  /** GET /api/v4/{entity}/{id}; null = 204 (no such record, or deleted). */
  getRecord(entity: AmoEntity, id: number, q: Query): Json | null {
    const r = this.records[entity].get(id);
    if (!r || r.deleted) return null;
    return this.recordOut(r, this.withsOf(entity, q));
  }

  /** POST /api/v4/{entity}: an array of new records → `_embedded.<entity>[{id, request_id, _links}]`. */
  addRecords(entity: AmoEntity, body: unknown, actor: number): Json {
    const saved = this.batch(body, this.writeBatchLimit, (item, requestId) => {
      const p = this.prepareRecord(entity, item, null, actor, '');
      return { errors: p.errors, apply: () => ({ r: p.apply(), requestId }) };
    });
    return {
      _links: { self: { href: `${this.baseUrl}/api/v4/${entity}` } },
      _embedded: {
        [entity]: saved.map(({ r, requestId }) => ({
          id: r.id,
          request_id: requestId,
          _links: { self: { href: this.href(entity, r.id) } },
        })),
      },
    };
  }

  /** PATCH /api/v4/{entity}: an array of changes, each with `id` → `_embedded.<entity>[{id, updated_at, …}]`. */
  updateRecords(entity: AmoEntity, body: unknown, actor: number): Json {
    const saved = this.batch(body, this.writeBatchLimit, (item, requestId) => {
      const r = this.records[entity].get(Number(item.id));
      if (item.id === undefined || item.id === null)
        return { errors: [ERR.blank('id')], apply: () => null as never };
      if (!r || r.deleted) return { errors: [ERR.notFound('id')], apply: () => null as never };
      const p = this.prepareRecord(entity, item, r, actor, '');
      return { errors: p.errors, apply: () => ({ r: p.apply(), requestId }) };
    });
    return {
      _links: { self: { href: `${this.baseUrl}/api/v4/${entity}` } },
      _embedded: { [entity]: saved.map(({ r, requestId }) => this.updatedOut(r, requestId)) },
    };
  }

  /** PATCH /api/v4/{entity}/{id}: one change as an object (not an array). */
  updateRecord(entity: AmoEntity, id: number, body: unknown, actor: number): Json {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw PROBLEM.validation([{ request_id: '0', errors: [ERR.type('', 'object')] }]);
    const r = this.records[entity].get(id);
    if (!r || r.deleted) throw PROBLEM.validation([{ request_id: '0', errors: [ERR.notFound('id')] }]);
    const p = this.prepareRecord(entity, body as Json, r, actor, '');
    if (p.errors.length) throw PROBLEM.validation([{ request_id: '0', errors: p.errors }]);
    const { request_id: _drop, ...out } = this.updatedOut(p.apply(), '0');
    return out;
  }

  /**
   * POST /api/v4/leads/complex: at most 50 leads, each with at most one new (or existing, by id) contact
   * and company, linked on creation. The answer is a bare array, not HAL.
   */
  addComplex(body: unknown, actor: number): Json[] {
    if (Array.isArray(body) && body.length > 50) throw PROBLEM.limit50();
    const saved = this.batch(body, 50, (item, requestId) => {
      const errors: ItemError[] = [];
      const emb = (item._embedded ?? {}) as Json;
      const side = (kind: 'contacts' | 'companies') => {
        const list = emb[kind];
        if (list === undefined || list === null) return null;
        if (!Array.isArray(list) || list.length > 1) {
          errors.push(ERR.type(`_embedded.${kind}`, 'array'));
          return null;
        }
        if (list.length === 0) return null;
        const e = list[0] as Json;
        if (e.id !== undefined) {
          if (!this.records[kind].get(Number(e.id))) errors.push(ERR.choice(`_embedded.${kind}.0.id`));
          return { existing: Number(e.id) };
        }
        const p = this.prepareRecord(kind, e, null, actor, `_embedded.${kind}.0.`);
        errors.push(...p.errors);
        return { prepared: p };
      };
      const contact = side('contacts');
      const company = side('companies');
      const { _embedded: _e, ...leadFields } = item;
      const lead = this.prepareRecord('leads', leadFields, null, actor, '');
      errors.push(...lead.errors);
      return {
        errors,
        apply: () => {
          const l = lead.apply();
          const c = contact ? (contact.existing ?? contact.prepared!.apply().id) : null;
          const co = company ? (company.existing ?? company.prepared!.apply().id) : null;
          if (c) this.linkOne('leads', l.id, 'contacts', c, { is_main: true });
          if (co) this.linkOne('leads', l.id, 'companies', co, null);
          if (c && co) this.linkOne('contacts', c, 'companies', co, null);
          return { id: l.id, contact_id: c, company_id: co, request_id: [requestId], merged: false };
        },
      };
    });
    return saved;
  }

  // ---------------------------------------------------------------- REST: custom fields

  /** GET /api/v4/{entity}/custom_fields: at most 50 per page whatever `limit` says. */
  listFields(entity: AmoEntity, q: Query): ListPage | null {
    const capped = { ...q, limit: String(Math.min(this.limitOf(q), 50)) };
    return this.page(this.fields[entity], capped, (f) =>
      fieldOut(f, this.accountId, this.fieldHref(entity, f.id)),
    );
  }

  getField(entity: AmoEntity, id: number): Json | null {
    const f = this.fields[entity].find((x) => x.id === id);
    return f ? fieldOut(f, this.accountId, this.fieldHref(entity, f.id)) : null;
  }

  /** POST /api/v4/{entity}/custom_fields: `[{name, type, code?, sort?, is_api_only?, enums?}]`. */
  addFields(entity: AmoEntity, body: unknown): Json {
    const saved = this.batch(body, this.writeBatchLimit, (item, requestId) => {
      const errors: ItemError[] = [];
      if (typeof item.name !== 'string' || item.name.trim() === '') errors.push(ERR.blank('name'));
      if (!FIELD_TYPES.includes(item.type as FieldType)) errors.push(ERR.choice('type'));
      const code = item.code === undefined || item.code === null ? null : String(item.code);
      if (code !== null && this.fields[entity].some((f) => f.code === code))
        errors.push({ code: 'NotUnique', path: 'code', detail: 'This value is already used.' });
      const enums = item.enums;
      if (enums !== undefined && enums !== null && !Array.isArray(enums))
        errors.push(ERR.type('enums', 'array'));
      const needsEnums = ['select', 'multiselect', 'radiobutton'].includes(String(item.type));
      if (needsEnums && (!Array.isArray(enums) || enums.length === 0)) errors.push(ERR.blank('enums'));
      return {
        errors,
        apply: () => {
          const f: AmoField = {
            id: this.nextFieldId++,
            name: String(item.name).trim(),
            code,
            type: item.type as FieldType,
            entity_type: entity,
            sort: Number.isInteger(item.sort) ? (item.sort as number) : 500 + this.fields[entity].length,
            is_predefined: false,
            is_deletable: true,
            is_api_only: item.is_api_only === true,
            enums: Array.isArray(enums)
              ? enums.map((e, i) => ({
                  id: this.nextFieldId++,
                  value: String((e as Json).value ?? ''),
                  sort: Number((e as Json).sort ?? (i + 1) * 10),
                }))
              : null,
          };
          this.fields[entity].push(f);
          return { ...fieldOut(f, this.accountId, this.fieldHref(entity, f.id)), request_id: requestId };
        },
      };
    });
    return { _total_items: saved.length, _embedded: { custom_fields: saved } };
  }

  // ---------------------------------------------------------------- REST: links

  /** GET /api/v4/{entity}/{id}/links (`filter[to_entity_type]`, `filter[to_entity_id]`); null = 204. */
  recordLinks(entity: AmoEntity, id: number, q: Query): Json | null {
    const r = this.records[entity].get(id);
    if (!r || r.deleted) return null;
    const f = (q.filter ?? {}) as Record<string, QueryValue>;
    const types = new Set(listOf(f.to_entity_type));
    const ids = new Set(listOf(f.to_entity_id).map(Number));
    const links = this.linksOf(entity, id).filter(
      (l) => (types.size === 0 || types.has(l.to_entity_type)) && (ids.size === 0 || ids.has(l.to_entity_id)),
    );
    return links.length ? this.linksOut(links, `${this.href(entity, id)}/links`) : null;
  }

  /** GET /api/v4/{entity}/links?filter[entity_id][]=…: the links of several records; null = 204. */
  massLinks(entity: AmoEntity, q: Query): Json | null {
    const f = (q.filter ?? {}) as Record<string, QueryValue>;
    const ids = listOf(f.entity_id).map(Number);
    if (ids.length === 0) throw PROBLEM.badRequest('filter[entity_id] is required');
    const links = ids.flatMap((id) => {
      const r = this.records[entity].get(id);
      return r && !r.deleted ? this.linksOf(entity, id) : [];
    });
    return links.length ? this.linksOut(links, `${this.baseUrl}/api/v4/${entity}/links`) : null;
  }

  /**
   * POST /api/v4/{entity}/{id}/link|unlink and /api/v4/{entity}/link|unlink: items `{to_entity_id,
   * to_entity_type, metadata?: {is_main}}` (plus `entity_id` in the mass form). Link → 200 with the
   * links; unlink → null (204, no body).
   */
  link(entity: AmoEntity, id: number | null, body: unknown, unlink: boolean): Json | null {
    const done = this.batch(body, this.writeBatchLimit, (item) => {
      const errors: ItemError[] = [];
      const from = id ?? Number(item.entity_id);
      const r = this.records[entity].get(from);
      if (!r || r.deleted) errors.push(ERR.choice('entity_id'));
      const toType = String(item.to_entity_type ?? '') as AmoEntity;
      const toId = Number(item.to_entity_id);
      if (!LINKABLE.has(`${entity}>${toType}`)) errors.push(ERR.choice('to_entity_type'));
      else {
        const to = this.records[toType].get(toId);
        if (!to || to.deleted) errors.push(ERR.choice('to_entity_id'));
      }
      const meta = (item.metadata ?? null) as Json | null;
      return {
        errors,
        apply: () => {
          if (unlink) this.unlinkOne(entity, from, toType, toId);
          else this.linkOne(entity, from, toType, toId, meta);
          return this.linksOf(entity, from).find(
            (l) => l.to_entity_type === toType && l.to_entity_id === toId,
          )!;
        },
      };
    });
    if (unlink) return null;
    return {
      _links: { self: { href: `${this.baseUrl}/api/v4/${entity}/link` } },
      _embedded: { links: done.map((l) => ({ ...l, metadata: l.metadata ? { ...l.metadata } : null })) },
    };
  }

  // ---------------------------------------------------------------- REST: pipelines

  pipelinesOut(): Json {
    return {
      _total_items: this.pipelines.length,
      _links: { self: { href: `${this.baseUrl}/api/v4/leads/pipelines` } },
      _embedded: { pipelines: this.pipelines.map((p) => this.pipelineOut(p)) },
    };
  }

  pipelineById(id: number): Json | null {
    const p = this.pipelines.find((x) => x.id === id);
    return p ? this.pipelineOut(p) : null;
  }

  statusesOut(pipelineId: number): Json | null {
    const p = this.pipelines.find((x) => x.id === pipelineId);
    if (!p) return null;
    return {
      _total_items: p.statuses.length,
      _links: { self: { href: `${this.pipelineHref(p.id)}/statuses` } },
      _embedded: { statuses: p.statuses.map((s) => this.statusOut(s)) },
    };
  }

  statusById(pipelineId: number, id: number): Json | null {
    const s = this.status(pipelineId, id);
    return s ? this.statusOut(s) : null;
  }

  /** POST /api/v4/leads/pipelines/{id}/statuses: `[{name, sort?, color?}]`; new ones go after the open statuses. */
  addStatuses(pipelineId: number, body: unknown): Json | null {
    const p = this.pipelines.find((x) => x.id === pipelineId);
    if (!p) return null;
    const saved = this.batch(body, 100, (item, requestId) => {
      const errors: ItemError[] = [];
      if (typeof item.name !== 'string' || item.name.trim() === '') errors.push(ERR.blank('name'));
      if (item.sort !== undefined && !Number.isInteger(item.sort)) errors.push(ERR.type('sort', 'int'));
      return {
        errors,
        apply: () => {
          const open = p.statuses.filter((s) => s.id !== WON_STATUS && s.id !== LOST_STATUS);
          const s: AmoStatus = {
            id: this.nextStatusId++,
            name: String(item.name).trim(),
            sort: (item.sort as number | undefined) ?? Math.max(...open.map((x) => x.sort)) + 10,
            is_editable: true,
            pipeline_id: p.id,
            color: typeof item.color === 'string' ? item.color : '#99ccff',
            type: 0,
          };
          p.statuses.push(s);
          p.statuses.sort((a, b) => a.sort - b.sort);
          return { ...this.statusOut(s), request_id: requestId };
        },
      };
    });
    return { _total_items: saved.length, _embedded: { statuses: saved } };
  }

  // ---------------------------------------------------------------- REST: tasks

  /** GET /api/v4/tasks; null = 204. */
  listTasks(q: Query): ListPage | null {
    const f = (q.filter ?? {}) as Record<string, QueryValue>;
    const ids = intSet(f.id);
    const users = intSet(f.responsible_user_id);
    const creators = intSet(f.created_by);
    const types = intSet(f.task_type ?? f.task_type_id);
    const done = listOf(f.is_completed)[0];
    const entityType = listOf(f.entity_type)[0];
    const entityIds = entityType ? intSet(f.entity_id) : null;
    const updated = rangeOf(f.updated_at);
    let rows = [...this.tasks.values()].filter(
      (t) =>
        (!ids || ids.has(t.id)) &&
        (!users || users.has(t.responsible_user_id)) &&
        (!creators || creators.has(t.created_by)) &&
        (!types || types.has(t.task_type_id)) &&
        (done === undefined || t.is_completed === (done === '1' || done === 'true')) &&
        (!entityType || t.entity_type === entityType) &&
        (!entityIds || (t.entity_id !== null && entityIds.has(t.entity_id))) &&
        inRange(t.updated_at, updated),
    );
    rows = this.sorted(rows, 'tasks', q.order);
    return this.page(rows, q, (t) => this.taskOut(t));
  }

  getTask(id: number): Json | null {
    const t = this.tasks.get(id);
    return t ? this.taskOut(t) : null;
  }

  /** POST /api/v4/tasks: `text` and `complete_till` required. */
  addTasks(body: unknown, actor: number): Json {
    const saved = this.batch(body, this.writeBatchLimit, (item, requestId) => {
      const p = this.prepareTask(item, null, actor, '');
      return { errors: p.errors, apply: () => ({ t: p.apply(), requestId }) };
    });
    return {
      _links: { self: { href: `${this.baseUrl}/api/v4/tasks` } },
      _embedded: {
        tasks: saved.map(({ t, requestId }) => ({
          id: t.id,
          request_id: requestId,
          _links: { self: { href: `${this.baseUrl}/api/v4/tasks/${t.id}` } },
        })),
      },
    };
  }

  /** PATCH /api/v4/tasks (array with ids); completing = `is_completed: true` with `result: {text}`. */
  updateTasks(body: unknown, actor: number): Json {
    const saved = this.batch(body, this.writeBatchLimit, (item, requestId) => {
      const t = this.tasks.get(Number(item.id));
      if (item.id === undefined || item.id === null)
        return { errors: [ERR.blank('id')], apply: () => null as never };
      if (!t) return { errors: [ERR.notFound('id')], apply: () => null as never };
      const p = this.prepareTask(item, t, actor, '');
      return { errors: p.errors, apply: () => ({ t: p.apply(), requestId }) };
    });
    return {
      _links: { self: { href: `${this.baseUrl}/api/v4/tasks` } },
      _embedded: {
        tasks: saved.map(({ t, requestId }) => ({
          id: t.id,
          updated_at: t.updated_at,
          request_id: requestId,
          _links: { self: { href: `${this.baseUrl}/api/v4/tasks/${t.id}` } },
        })),
      },
    };
  }

  updateTask(id: number, body: unknown, actor: number): Json {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw PROBLEM.validation([{ request_id: '0', errors: [ERR.type('', 'object')] }]);
    const t = this.tasks.get(id);
    if (!t) throw PROBLEM.validation([{ request_id: '0', errors: [ERR.notFound('id')] }]);
    const p = this.prepareTask(body as Json, t, actor, '');
    if (p.errors.length) throw PROBLEM.validation([{ request_id: '0', errors: p.errors }]);
    const saved = p.apply();
    return {
      id: saved.id,
      updated_at: saved.updated_at,
      _links: { self: { href: `${this.baseUrl}/api/v4/tasks/${id}` } },
    };
  }

  // ---------------------------------------------------------------- writes: validation then apply

  /**
   * One add/update request: an array of 1..limit objects, each validated first; with any invalid item
   * the answer is 400 listing each by `request_id` and nothing is saved (unless `partialBatches`).
   */
  private batch<T>(
    body: unknown,
    limit: number,
    prepare: (item: Json, requestId: string) => { errors: ItemError[]; apply: () => T },
  ): T[] {
    if (body === undefined || body === null || (Array.isArray(body) && body.length === 0))
      throw PROBLEM.empty();
    if (!Array.isArray(body))
      throw PROBLEM.validation([{ request_id: '0', errors: [ERR.type('', 'array')] }]);
    if (body.length > limit) throw PROBLEM.limit250();
    const prepared = body.map((raw, i) => {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
        return { requestId: String(i), errors: [ERR.type('', 'object')], apply: () => null as T };
      const item = raw as Json;
      // Echoed unchanged as a string, never stored; the item's index when absent.
      const requestId =
        item.request_id === undefined || item.request_id === null ? String(i) : String(item.request_id);
      return { requestId, ...prepare(item, requestId) };
    });
    const invalid: ValidationEntry[] = prepared
      .filter((p) => p.errors.length > 0)
      .map((p) => ({ request_id: p.requestId, errors: p.errors }));
    if (invalid.length && !this.partialBatches) throw PROBLEM.validation(invalid);
    const saved = prepared.filter((p) => p.errors.length === 0).map((p) => p.apply());
    if (invalid.length) throw PROBLEM.validation(invalid);
    return saved;
  }

  private prepareRecord(
    entity: AmoEntity,
    item: Json,
    existing: AmoRecord | null,
    actor: number,
    prefix: string,
  ): { errors: ItemError[]; apply: (id?: number) => AmoRecord } {
    const errors: ItemError[] = [];
    const at = (p: string) => prefix + p;
    const text = (key: string): string | undefined => {
      const v = item[key];
      if (v === undefined) return undefined;
      if (v === null) return '';
      if (typeof v !== 'string' && typeof v !== 'number') {
        errors.push(ERR.type(at(key), 'string'));
        return undefined;
      }
      return String(v);
    };
    const int = (key: string): number | undefined => {
      const v = item[key];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        errors.push(ERR.type(at(key), 'int'));
        return undefined;
      }
      return v;
    };
    const name = text('name');
    const first = entity === 'contacts' ? text('first_name') : undefined;
    const last = entity === 'contacts' ? text('last_name') : undefined;
    const responsible = int('responsible_user_id');
    if (responsible !== undefined && !this.users.some((u) => u.id === responsible))
      errors.push(ERR.choice(at('responsible_user_id')));
    const createdAt = int('created_at');
    const updatedAt = int('updated_at');
    const createdBy = int('created_by');
    const updatedBy = int('updated_by');
    const cf = readFieldWrites(item.custom_fields_values, this.fields[entity], at('custom_fields_values'));
    errors.push(...cf.errors);
    const emb = (item._embedded ?? {}) as Json;
    const tagsSet =
      emb.tags === undefined ? undefined : this.tagRefs(entity, emb.tags, at('_embedded.tags'), errors);
    const tagsAdd = this.tagRefs(entity, item.tags_to_add, at('tags_to_add'), errors);
    const tagsDel = this.tagRefs(entity, item.tags_to_delete, at('tags_to_delete'), errors);
    // Leads: price, pipeline and status; links on creation only.
    const price = entity === 'leads' ? int('price') : undefined;
    const place = entity === 'leads' ? this.placeOf(item, existing, errors, prefix) : null;
    const leadCompany =
      entity === 'leads' && !existing
        ? this.embeddedIds(emb.companies, 'companies', at('_embedded.companies'), errors)
        : [];
    const leadContacts =
      entity === 'leads' && !existing
        ? this.embeddedContacts(emb.contacts, at('_embedded.contacts'), errors)
        : [];
    return {
      errors,
      apply: (forcedId?: number) => {
        const now = this.now();
        let r = existing;
        let changed = false;
        if (!r) {
          const id = forcedId ?? this.nextId[entity];
          r = {
            id,
            entity,
            name: '',
            first_name: '',
            last_name: '',
            price: 0,
            status_id: 0,
            pipeline_id: 0,
            closed_at: null,
            responsible_user_id: actor,
            created_by: createdBy ?? actor,
            updated_by: updatedBy ?? createdBy ?? actor,
            created_at: createdAt ?? now,
            updated_at: updatedAt ?? createdAt ?? now,
            values: new Map(),
            tags: [],
            deleted: false,
          };
          this.records[entity].set(id, r);
          this.nextId[entity] = Math.max(this.nextId[entity], id + 1);
        }
        const set = <K extends keyof AmoRecord>(k: K, v: AmoRecord[K] | undefined) => {
          if (v === undefined || r![k] === v) return;
          r![k] = v;
          changed = true;
        };
        set('name', name);
        set('first_name', first);
        set('last_name', last);
        if (entity === 'contacts' && !existing && name === undefined)
          r.name = [r.first_name, r.last_name].filter((x) => x).join(' ');
        if (entity === 'leads' && !existing && (name === undefined || name === ''))
          r.name = `Сделка #${r.id}`;
        set('responsible_user_id', responsible);
        set('price', price);
        if (place) {
          set('pipeline_id', place.pipelineId);
          set('status_id', place.statusId);
          const closed = place.statusId === WON_STATUS || place.statusId === LOST_STATUS;
          if (closed && r.closed_at === null) r.closed_at = now;
          if (!closed) r.closed_at = null;
        }
        for (const [fid, values] of cf.set) {
          const before = JSON.stringify(r.values.get(fid) ?? null);
          if (values === null) r.values.delete(fid);
          else r.values.set(fid, values);
          if (JSON.stringify(r.values.get(fid) ?? null) !== before) changed = true;
        }
        const tagsBefore = r.tags.join(',');
        if (tagsSet) r.tags = [...new Set(this.tagIdsOf(entity, tagsSet))];
        for (const t of this.tagIdsOf(entity, tagsAdd ?? [])) if (!r.tags.includes(t)) r.tags.push(t);
        if (tagsDel) {
          const drop = this.tagIdsOf(entity, tagsDel);
          r.tags = r.tags.filter((t) => !drop.includes(t));
        }
        if (r.tags.join(',') !== tagsBefore) changed = true;
        if (existing && changed) {
          r.updated_at = updatedAt ?? now;
          r.updated_by = actor;
        }
        for (const co of leadCompany.slice(0, 1)) this.linkOne('leads', r.id, 'companies', co, null);
        for (const c of leadContacts) this.linkOne('leads', r.id, 'contacts', c.id, { is_main: c.main });
        return r;
      },
    };
  }

  /** The pipeline and status a lead write leads to (docs/protocols/amocrm.md#pipelines). */
  private placeOf(
    item: Json,
    existing: AmoRecord | null,
    errors: ItemError[],
    prefix: string,
  ): { pipelineId: number; statusId: number } | null {
    const rawP = item.pipeline_id;
    const rawS = item.status_id;
    if ((rawP === undefined || rawP === null) && (rawS === undefined || rawS === null))
      return existing
        ? null
        : { pipelineId: this.mainPipeline().id, statusId: firstOpen(this.mainPipeline()).id };
    let pipeline: AmoPipeline | undefined;
    if (rawP !== undefined && rawP !== null) {
      pipeline = this.pipelines.find((p) => p.id === Number(rawP));
      if (!Number.isInteger(rawP) || !pipeline) {
        errors.push(ERR.choice(`${prefix}pipeline_id`));
        return null;
      }
    }
    if (rawS === undefined || rawS === null) {
      // Moved to another pipeline without a status: its first stage.
      if (existing && pipeline!.id === existing.pipeline_id) return null;
      return { pipelineId: pipeline!.id, statusId: firstOpen(pipeline!).id };
    }
    const sid = Number(rawS);
    if (!Number.isInteger(rawS)) {
      errors.push(ERR.type(`${prefix}status_id`, 'int'));
      return null;
    }
    if (sid === WON_STATUS || sid === LOST_STATUS) {
      // 142/143 are in every pipeline: without pipeline_id the lead stays in its own (a new one: the main).
      const pid = pipeline?.id ?? existing?.pipeline_id ?? this.mainPipeline().id;
      return { pipelineId: pid, statusId: sid };
    }
    const owner = this.pipelines.find((p) => p.statuses.some((s) => s.id === sid));
    if (!owner || (pipeline && pipeline.id !== owner.id)) {
      errors.push(ERR.choice(`${prefix}status_id`));
      return null;
    }
    return { pipelineId: owner.id, statusId: sid };
  }

  private embeddedIds(raw: unknown, entity: AmoEntity, path: string, errors: ItemError[]): number[] {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) {
      errors.push(ERR.type(path, 'array'));
      return [];
    }
    const out: number[] = [];
    raw.forEach((e, i) => {
      const id = Number((e as Json | null)?.id);
      const r = this.records[entity].get(id);
      if (!r || r.deleted) errors.push(ERR.choice(`${path}.${i}.id`));
      else out.push(id);
    });
    return out;
  }

  private embeddedContacts(raw: unknown, path: string, errors: ItemError[]): { id: number; main: boolean }[] {
    const ids = this.embeddedIds(raw, 'contacts', path, errors);
    return ids.map((id, i) => ({ id, main: ((raw as Json[])[i] as Json).is_main === true }));
  }

  /** Tag references `[{id}|{name}]`: ids of existing tags, or names (a new name becomes a tag when saved). */
  private tagRefs(
    entity: AmoEntity,
    raw: unknown,
    path: string,
    errors: ItemError[],
  ): (number | string)[] | undefined {
    if (raw === undefined || raw === null) return undefined;
    if (!Array.isArray(raw)) {
      errors.push(ERR.type(path, 'array'));
      return undefined;
    }
    const known = new Set(this.tagIds[entity].values());
    const out: (number | string)[] = [];
    raw.forEach((t, i) => {
      const o = (t ?? {}) as Json;
      if (typeof o.name === 'string' && o.name.trim() !== '') out.push(o.name.trim());
      else if (Number.isInteger(o.id) && known.has(o.id as number)) out.push(o.id as number);
      else errors.push(ERR.choice(`${path}.${i}`));
    });
    return out;
  }

  /** Tag ids of references, creating the tags named for the first time. */
  private tagIdsOf(entity: AmoEntity, refs: (number | string)[]): number[] {
    return refs.map((ref) => {
      if (typeof ref === 'number') return ref;
      let id = this.tagIds[entity].get(ref);
      if (id === undefined) {
        id = this.nextTagId++;
        this.tagIds[entity].set(ref, id);
      }
      return id;
    });
  }

  private prepareTask(
    item: Json,
    existing: AmoTask | null,
    actor: number,
    prefix: string,
  ): { errors: ItemError[]; apply: (id?: number) => AmoTask } {
    const errors: ItemError[] = [];
    const creating = existing === null;
    const textV = item.text;
    if (creating && (typeof textV !== 'string' || textV.trim() === ''))
      errors.push(ERR.blank(`${prefix}text`));
    else if (textV !== undefined && typeof textV !== 'string')
      errors.push(ERR.type(`${prefix}text`, 'string'));
    const till = item.complete_till;
    if (creating && (till === undefined || till === null)) errors.push(ERR.blank(`${prefix}complete_till`));
    else if (till !== undefined && (typeof till !== 'number' || !Number.isInteger(till)))
      errors.push(ERR.type(`${prefix}complete_till`, 'int'));
    const responsible = item.responsible_user_id;
    if (responsible !== undefined && !this.users.some((u) => u.id === responsible))
      errors.push(ERR.choice(`${prefix}responsible_user_id`));
    const type = item.task_type_id;
    if (type !== undefined && !TASK_TYPES.some((t) => t.id === type))
      errors.push(ERR.choice(`${prefix}task_type_id`));
    const done = item.is_completed;
    if (done !== undefined && typeof done !== 'boolean')
      errors.push(ERR.type(`${prefix}is_completed`, 'bool'));
    const duration = item.duration;
    if (duration !== undefined && (!Number.isInteger(duration) || (duration as number) < 0))
      errors.push(ERR.type(`${prefix}duration`, 'int'));
    let result: string | undefined;
    if (item.result !== undefined && item.result !== null) {
      const t = (item.result as Json).text;
      if (typeof t !== 'string') errors.push(ERR.type(`${prefix}result.text`, 'string'));
      else result = t;
    }
    const eType = item.entity_type;
    const eId = item.entity_id;
    let entity: { type: TaskEntityType; id: number } | null | undefined;
    if (eType !== undefined || eId !== undefined) {
      const known = AMO_ENTITIES.includes(eType as AmoEntity);
      const r = known ? this.records[eType as AmoEntity].get(Number(eId)) : undefined;
      if (!known) errors.push(ERR.choice(`${prefix}entity_type`));
      else if (!r || r.deleted) errors.push(ERR.choice(`${prefix}entity_id`));
      else entity = { type: eType as TaskEntityType, id: Number(eId) };
    }
    return {
      errors,
      apply: (forcedId?: number) => {
        const now = this.now();
        let t = existing;
        if (!t) {
          const id = forcedId ?? this.nextId.tasks;
          t = {
            id,
            created_by: typeof item.created_by === 'number' ? item.created_by : actor,
            updated_by: actor,
            created_at: typeof item.created_at === 'number' ? item.created_at : now,
            updated_at: typeof item.created_at === 'number' ? item.created_at : now,
            responsible_user_id: actor,
            entity_id: null,
            entity_type: null,
            duration: 0,
            is_completed: false,
            task_type_id: 1,
            text: '',
            result: null,
            complete_till: 0,
          };
          this.tasks.set(id, t);
          this.nextId.tasks = Math.max(this.nextId.tasks, id + 1);
        } else {
          t.updated_at = now;
          t.updated_by = actor;
        }
        if (typeof textV === 'string') t.text = textV;
        if (typeof till === 'number') t.complete_till = till;
        if (typeof responsible === 'number') t.responsible_user_id = responsible;
        if (typeof type === 'number') t.task_type_id = type;
        if (typeof done === 'boolean') t.is_completed = done;
        if (typeof duration === 'number') t.duration = duration;
        if (result !== undefined) t.result = result;
        if (entity) {
          t.entity_type = entity.type;
          t.entity_id = entity.id;
        }
        this.closestTasks = null;
        return t;
      },
    };
  }

  // ---------------------------------------------------------------- links (storage)

  private linkOne(from: AmoEntity, fromId: number, to: AmoEntity, toId: number, meta: Json | null): void {
    const pair = `${from}>${to}`;
    if (pair === 'contacts>companies') this.contactCompany.set(fromId, toId);
    else if (pair === 'companies>contacts') this.contactCompany.set(toId, fromId);
    else if (pair === 'leads>companies') this.leadCompany.set(fromId, toId);
    else if (pair === 'companies>leads') this.leadCompany.set(toId, fromId);
    else if (pair === 'leads>contacts' || pair === 'contacts>leads') {
      const lead = pair === 'leads>contacts' ? fromId : toId;
      const contact = pair === 'leads>contacts' ? toId : fromId;
      const list = this.leadContacts.get(lead) ?? [];
      const main = meta?.is_main === true || list.length === 0;
      if (main) for (const c of list) c.main = false;
      const found = list.find((c) => c.id === contact);
      if (found) found.main = found.main || main;
      else list.push({ id: contact, main });
      this.leadContacts.set(lead, list);
    }
  }

  private unlinkOne(from: AmoEntity, fromId: number, to: AmoEntity, toId: number): void {
    const pair = `${from}>${to}`;
    const drop = (m: Map<number, number>, k: number, v: number) => m.get(k) === v && m.delete(k);
    if (pair === 'contacts>companies') drop(this.contactCompany, fromId, toId);
    else if (pair === 'companies>contacts') drop(this.contactCompany, toId, fromId);
    else if (pair === 'leads>companies') drop(this.leadCompany, fromId, toId);
    else if (pair === 'companies>leads') drop(this.leadCompany, toId, fromId);
    else {
      const lead = pair === 'leads>contacts' ? fromId : toId;
      const contact = pair === 'leads>contacts' ? toId : fromId;
      this.leadContacts.set(
        lead,
        (this.leadContacts.get(lead) ?? []).filter((c) => c.id !== contact),
      );
    }
  }

  private linksOf(entity: AmoEntity, id: number): AmoLink[] {
    const out: AmoLink[] = [];
    const link = (to: AmoEntity, toId: number, meta: AmoLink['metadata'] = null) =>
      out.push({
        entity_id: id,
        entity_type: entity,
        to_entity_id: toId,
        to_entity_type: to,
        metadata: meta,
      });
    if (entity === 'contacts') {
      const co = this.contactCompany.get(id);
      if (co !== undefined) link('companies', co);
      for (const [lead, list] of this.leadContacts) {
        const c = list.find((x) => x.id === id);
        if (c) link('leads', lead, { main_contact: c.main });
      }
    } else if (entity === 'leads') {
      for (const c of this.leadContacts.get(id) ?? []) link('contacts', c.id, { main_contact: c.main });
      const co = this.leadCompany.get(id);
      if (co !== undefined) link('companies', co);
    } else {
      for (const [c, co] of this.contactCompany) if (co === id) link('contacts', c);
      for (const [l, co] of this.leadCompany) if (co === id) link('leads', l);
    }
    return out;
  }

  private linksOut(links: AmoLink[], self: string): Json {
    return {
      _total_items: links.length,
      _links: { self: { href: self } },
      _embedded: { links: links.map((l) => ({ ...l, metadata: l.metadata ? { ...l.metadata } : null })) },
    };
  }

  // ---------------------------------------------------------------- reads: filter, order, page, shapes

  private withsOf(entity: AmoEntity, q: Query): Set<string> {
    return new Set(commaListOf(q.with).filter((w) => WITH_VALUES[entity].includes(w)));
  }

  private recordFilter(entity: AmoEntity, raw: QueryValue | undefined): (r: AmoRecord) => boolean {
    if (raw === undefined || typeof raw === 'string' || Array.isArray(raw)) return () => true;
    const f = raw;
    const preds: ((r: AmoRecord) => boolean)[] = [];
    const ints = (key: string, get: (r: AmoRecord) => number) => {
      const s = intSet(f[key]);
      if (s) preds.push((r) => s.has(get(r)));
    };
    const range = (key: string, get: (r: AmoRecord) => number | null) => {
      const rg = rangeOf(f[key]);
      if (rg) preds.push((r) => inRange(get(r), rg));
    };
    ints('id', (r) => r.id);
    ints('created_by', (r) => r.created_by);
    ints('updated_by', (r) => r.updated_by);
    ints('responsible_user_id', (r) => r.responsible_user_id);
    const names = listOf(f.name);
    if (names.length) preds.push((r) => names.includes(r.name));
    range('created_at', (r) => r.created_at);
    range('updated_at', (r) => r.updated_at);
    range('closest_task_at', (r) => this.closestTask(r));
    if (entity === 'leads') {
      const price = f.price;
      if (price !== undefined && typeof price === 'object' && !Array.isArray(price))
        range('price', (r) => r.price);
      else ints('price', (r) => r.price);
      ints('pipeline_id', (r) => r.pipeline_id);
      range('closed_at', (r) => r.closed_at);
      const statuses = f.statuses;
      if (statuses !== undefined && typeof statuses !== 'string') {
        const pairs = (Array.isArray(statuses) ? statuses : Object.values(statuses)).map((s) => {
          const o = (typeof s === 'object' && !Array.isArray(s) ? s : {}) as Record<string, QueryValue>;
          return { p: Number(listOf(o.pipeline_id)[0]), s: Number(listOf(o.status_id)[0]) };
        });
        preds.push((r) => pairs.some((x) => x.s === r.status_id && (!x.p || x.p === r.pipeline_id)));
      }
    }
    const cfv = f.custom_fields_values;
    if (cfv !== undefined && typeof cfv === 'object' && !Array.isArray(cfv))
      for (const [fid, cond] of Object.entries(cfv)) {
        const id = Number(fid);
        const isRange = typeof cond === 'object' && !Array.isArray(cond) && ('from' in cond || 'to' in cond);
        if (isRange) {
          const rg = rangeOf(cond);
          preds.push((r) => (r.values.get(id) ?? []).some((v) => inRange(Number(v.value), rg)));
        } else {
          const wanted = new Set(listOf(cond));
          preds.push((r) => (r.values.get(id) ?? []).some((v) => wanted.has(String(v.value))));
        }
      }
    return (r) => preds.every((p) => p(r));
  }

  /**
   * `query`: amoCRM searches "the filled fields" and does not document how; here a case-insensitive
   * substring of the name or of any field value, and for a query of digits also a substring of a value's
   * digits (phones written any way).
   */
  private searchOf(raw: QueryValue | undefined): (r: AmoRecord) => boolean {
    const q = listOf(raw)[0]?.trim().toLowerCase();
    if (!q) return () => true;
    const digits = /^[\d\s()+-]+$/.test(q) ? q.replace(/\D/g, '') : '';
    return (r) => {
      const texts = [r.name, r.first_name, r.last_name];
      for (const vs of r.values.values()) for (const v of vs) texts.push(String(v.value));
      return texts.some(
        (t) => t.toLowerCase().includes(q) || (digits.length >= 4 && t.replace(/\D/g, '').includes(digits)),
      );
    };
  }

  private sorted<T extends { id: number }>(
    rows: T[],
    kind: AmoEntity | 'tasks',
    raw: QueryValue | undefined,
  ): T[] {
    if (raw === undefined) return rows;
    if (typeof raw === 'string' || Array.isArray(raw))
      throw PROBLEM.badRequest('order: must be order[<field>]=asc|desc');
    const keys = Object.entries(raw).map(([field, dir]) => {
      const d = listOf(dir)[0]?.toLowerCase();
      if (!ORDER_FIELDS[kind].includes(field) || (d !== 'asc' && d !== 'desc'))
        throw PROBLEM.badRequest(`order: sorting by ${field} is not available`);
      return [field, d === 'desc' ? -1 : 1] as const;
    });
    const value = (row: T, field: string): number =>
      field === 'closest_task_at' ? 0 : Number((row as unknown as Json)[field] ?? 0);
    return [...rows].sort((a, b) => {
      for (const [f, d] of keys) {
        const c = value(a, f) - value(b, f);
        if (c !== 0) return c * d;
      }
      return a.id - b.id;
    });
  }

  private limitOf(q: Query): number {
    const raw = listOf(q.limit)[0];
    if (raw === undefined) return 50;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw PROBLEM.badRequest('limit: must be a positive integer');
    if (n > 250) throw PROBLEM.limit250();
    return n;
  }

  /** A page of rows (`page` from 1, `limit` ≤ 250, default 50); null when the page is empty (204). */
  private page<T>(rows: T[], q: Query, out: (row: T) => Json = (r) => r as Json): ListPage | null {
    const limit = this.limitOf(q);
    const rawPage = listOf(q.page)[0];
    const page = rawPage === undefined ? 1 : Number(rawPage);
    if (!Number.isInteger(page) || page < 1) throw PROBLEM.badRequest('page: must be a positive integer');
    const start = (page - 1) * limit;
    const slice = rows.slice(start, start + limit);
    if (slice.length === 0) return null;
    return { items: slice.map(out), page, limit, more: start + limit < rows.length };
  }

  private recordOut(r: AmoRecord, withs: Set<string>): Json {
    const self = { self: { href: this.href(r.entity, r.id) } };
    const ref = (entity: AmoEntity, id: number) => ({
      id,
      _links: { self: { href: this.href(entity, id) } },
    });
    const tags = r.tags.map((id) => ({ id, name: this.tagName(r.entity, id), color: null }));
    const common = {
      responsible_user_id: r.responsible_user_id,
      group_id: 0,
      created_by: r.created_by,
      updated_by: r.updated_by,
      created_at: r.created_at,
      updated_at: r.updated_at,
      closest_task_at: this.closestTask(r),
      is_deleted: false,
      custom_fields_values: fieldValuesOut(r.values, this.fields[r.entity]),
      account_id: this.accountId,
    };
    if (r.entity === 'companies') {
      const emb: Json = { tags };
      if (withs.has('contacts'))
        emb.contacts = [...this.contactCompany]
          .filter(([, co]) => co === r.id)
          .map(([c]) => ref('contacts', c));
      if (withs.has('leads'))
        emb.leads = [...this.leadCompany].filter(([, co]) => co === r.id).map(([l]) => ref('leads', l));
      if (withs.has('customers')) emb.customers = [];
      if (withs.has('catalog_elements')) emb.catalog_elements = [];
      return { id: r.id, name: r.name, ...common, _links: self, _embedded: emb };
    }
    if (r.entity === 'contacts') {
      const co = this.contactCompany.get(r.id);
      const emb: Json = { tags, companies: co !== undefined ? [ref('companies', co)] : [] };
      if (withs.has('leads'))
        emb.leads = [...this.leadContacts]
          .filter(([, l]) => l.some((c) => c.id === r.id))
          .map(([l]) => ref('leads', l));
      if (withs.has('customers')) emb.customers = [];
      if (withs.has('catalog_elements')) emb.catalog_elements = [];
      return {
        id: r.id,
        name: r.name,
        first_name: r.first_name,
        last_name: r.last_name,
        ...common,
        is_unsorted: false,
        _links: self,
        _embedded: emb,
      };
    }
    const co = this.leadCompany.get(r.id);
    const emb: Json = { tags, companies: co !== undefined ? [ref('companies', co)] : [] };
    if (withs.has('contacts'))
      emb.contacts = (this.leadContacts.get(r.id) ?? []).map((c) => ({
        ...ref('contacts', c.id),
        is_main: c.main,
      }));
    if (withs.has('catalog_elements')) emb.catalog_elements = [];
    return {
      id: r.id,
      name: r.name,
      price: r.price,
      responsible_user_id: r.responsible_user_id,
      group_id: 0,
      status_id: r.status_id,
      pipeline_id: r.pipeline_id,
      loss_reason_id: null,
      created_by: r.created_by,
      updated_by: r.updated_by,
      created_at: r.created_at,
      updated_at: r.updated_at,
      closed_at: r.closed_at,
      closest_task_at: this.closestTask(r),
      is_deleted: false,
      custom_fields_values: common.custom_fields_values,
      score: null,
      account_id: this.accountId,
      labor_cost: null,
      _links: self,
      _embedded: emb,
    };
  }

  /** A deleted record with `with=only_deleted`: `is_deleted`, most fields null, who and when it changed. */
  private tombstoneOut(r: AmoRecord): Json {
    return {
      id: r.id,
      name: null,
      ...(r.entity === 'contacts' ? { first_name: null, last_name: null } : {}),
      ...(r.entity === 'leads' ? { price: null, status_id: null, pipeline_id: null, closed_at: null } : {}),
      responsible_user_id: null,
      group_id: null,
      created_by: null,
      updated_by: r.updated_by,
      created_at: null,
      updated_at: r.updated_at,
      closest_task_at: null,
      is_deleted: true,
      custom_fields_values: null,
      account_id: this.accountId,
      _links: { self: { href: this.href(r.entity, r.id) } },
      _embedded: { tags: [] },
    };
  }

  private updatedOut(r: AmoRecord, requestId: string): Json {
    return {
      id: r.id,
      ...(r.entity !== 'contacts' || r.name ? { name: r.name } : {}),
      updated_at: r.updated_at,
      request_id: requestId,
      _links: { self: { href: this.href(r.entity, r.id) } },
    };
  }

  private taskOut(t: AmoTask): Json {
    return {
      id: t.id,
      created_by: t.created_by,
      updated_by: t.updated_by,
      created_at: t.created_at,
      updated_at: t.updated_at,
      responsible_user_id: t.responsible_user_id,
      group_id: 0,
      entity_id: t.entity_id,
      entity_type: t.entity_type,
      duration: t.duration,
      is_completed: t.is_completed,
      task_type_id: t.task_type_id,
      text: t.text,
      // amoCRM sends an empty PHP array for a task without a result.
      result: t.result === null ? [] : { text: t.result },
      complete_till: t.complete_till,
      account_id: this.accountId,
      _links: { self: { href: `${this.baseUrl}/api/v4/tasks/${t.id}` } },
    };
  }

  private pipelineOut(p: AmoPipeline): Json {
    return {
      id: p.id,
      name: p.name,
      sort: p.sort,
      is_main: p.is_main,
      is_unsorted_on: p.is_unsorted_on,
      is_archive: p.is_archive,
      account_id: this.accountId,
      _links: { self: { href: this.pipelineHref(p.id) } },
      _embedded: { statuses: p.statuses.map((s) => this.statusOut(s)) },
    };
  }

  private statusOut(s: AmoStatus): Json {
    return {
      id: s.id,
      name: s.name,
      sort: s.sort,
      is_editable: s.is_editable,
      pipeline_id: s.pipeline_id,
      color: s.color,
      type: s.type,
      account_id: this.accountId,
      _links: { self: { href: `${this.pipelineHref(s.pipeline_id)}/statuses/${s.id}` } },
    };
  }

  /** Due time of the record's nearest open task, or null. */
  private closestTask(r: AmoRecord): number | null {
    if (this.tasks.size === 0) return null;
    if (!this.closestTasks) {
      this.closestTasks = new Map();
      for (const t of this.tasks.values()) {
        if (t.is_completed || t.entity_type === null || t.entity_id === null) continue;
        const k = `${t.entity_type}:${t.entity_id}`;
        const cur = this.closestTasks.get(k);
        if (cur === undefined || t.complete_till < cur) this.closestTasks.set(k, t.complete_till);
      }
    }
    return this.closestTasks.get(`${r.entity}:${r.id}`) ?? null;
  }

  private tagName(entity: AmoEntity, id: number): string {
    for (const [name, tid] of this.tagIds[entity]) if (tid === id) return name;
    return '';
  }

  private live(entity: AmoEntity, id: number): AmoRecord {
    const r = this.records[entity].get(id);
    if (!r || r.deleted) throw new Error(`no ${entity} ${id}`);
    return r;
  }

  private href(entity: AmoEntity, id: number): string {
    return `${this.baseUrl}/api/v4/${entity}/${id}`;
  }

  private fieldHref(entity: AmoEntity, id: number): string {
    return `${this.baseUrl}/api/v4/${entity}/custom_fields/${id}`;
  }

  private pipelineHref(id: number): string {
    return `${this.baseUrl}/api/v4/leads/pipelines/${id}`;
  }
}

function firstOpen(p: AmoPipeline): AmoStatus {
  return p.statuses.find((s) => s.type === 0 && s.id !== WON_STATUS && s.id !== LOST_STATUS) ?? p.statuses[0];
}

function intSet(v: QueryValue | undefined): Set<number> | null {
  const xs = listOf(v)
    .map(Number)
    .filter((n) => Number.isFinite(n));
  return xs.length ? new Set(xs) : null;
}

/** Inclusive at both ends (amoCRM does not say; a client should overlap its windows anyway). */
function inRange(v: number | null, rg: { from?: number; to?: number } | null): boolean {
  if (!rg) return true;
  if (v === null || Number.isNaN(v)) return false;
  return (rg.from === undefined || v >= rg.from) && (rg.to === undefined || v <= rg.to);
}

export { AmoSimError };

function link(
  entity_type: AmoEntity,
  entity_id: number,
  to_entity_type: AmoEntity,
  to_entity_id: number,
): Omit<AmoLink, 'metadata'> {
  return { entity_type, entity_id, to_entity_type, to_entity_id };
}
