/**
 * The data and the REST methods of the fake Bitrix24 portal (docs/protocols/bitrix24.md#fake-bitrix24 and
 * the page's sections from Object types to Stages),
 * independent of HTTP: items of types 4, 3, 2, 31, requisites, presets, stage directories and the
 * invoice pipeline. Method handlers throw `B24SimError` (status, code, description) for the errors of
 * docs/protocols/bitrix24.md#errors.
 */

import {
  B24SimError,
  asObject,
  compileFilter,
  compileOrder,
  formatMoscow,
  listOf,
  paginate,
} from './bitrix24-query.js';
import { Bitrix24Todos, type UserRow } from './bitrix24-todos.js';

export { B24SimError, asObject, compileFilter, compileOrder, formatMoscow, paginate };

/** `crm.item` spelling of a CRM user field. */
const USER_FIELD = /^ufCrm[A-Za-z0-9_]+$/;

export type EntityTypeId = 2 | 3 | 4 | 31;
export type Item = Record<string, unknown> & { id: number };
export type RequisiteRow = Record<string, string | null> & { ID: string };

/** The seed: items as crm.item.get returns them (with or without `id`), requisites as crm.requisite.list returns them. */
export interface Bitrix24Seed {
  /** Plain JSON objects (typed interfaces such as the data set's CrmCompanyItem fit). */
  companies?: readonly object[];
  contacts?: readonly object[];
  deals?: readonly object[];
  /** E.g. the data set's `invoicesFor(links)` output (no ids: assigned from 1). */
  invoices?: readonly object[];
  requisites?: readonly object[];
  /** Highest `fm` entry id used in the seed (new entries continue after it; default: the highest seen). */
  maxFmId?: number;
  /** The portal's users (default: the webhook's user 1 and managers 2–5, all active). */
  users?: UserRow[];
}

export const TYPE_OF = { companies: 4, contacts: 3, deals: 2, invoices: 31 } as const;
export type SimEntity = keyof typeof TYPE_OF;

const NOT_SUPPORTED = () => new B24SimError(400, 'ENTITY_TYPE_NOT_SUPPORTED', 'Entity type not supported');
const SMART_NOT_FOUND = () => new B24SimError(400, 'NOT_FOUND', 'Smart process not found');

type Kind = 'int' | 'ints' | 'money' | 'text' | 'yn' | 'time' | 'fm' | 'ro';
const COMMON: Record<string, Kind> = {
  id: 'ro',
  createdTime: 'ro',
  updatedTime: 'ro',
  createdBy: 'int',
  updatedBy: 'int',
  assignedById: 'int',
  opened: 'yn',
  comments: 'text',
  categoryId: 'int',
};
/**
 * Writable/filterable fields per type (docs/protocols/bitrix24.md#object-types). Anything else in `fields` is
 * ignored.
 */
const FIELDS: Record<EntityTypeId, Record<string, Kind>> = {
  4: {
    ...COMMON,
    title: 'text',
    originatorId: 'text',
    originId: 'text',
    originVersion: 'text',
    contactIds: 'ints',
    companyTypeId: 'text',
    currencyId: 'text',
    fm: 'fm',
    hasPhone: 'ro',
    hasEmail: 'ro',
  },
  3: {
    ...COMMON,
    name: 'text',
    lastName: 'text',
    secondName: 'text',
    originatorId: 'text',
    originId: 'text',
    originVersion: 'text',
    companyId: 'int',
    companyIds: 'ints',
    fm: 'fm',
    hasPhone: 'ro',
    hasEmail: 'ro',
  },
  2: {
    ...COMMON,
    title: 'text',
    originatorId: 'text',
    originId: 'text',
    companyId: 'int',
    contactIds: 'ints',
    stageId: 'text',
    stageSemanticId: 'ro',
    opportunity: 'money',
    currencyId: 'text',
    isManualOpportunity: 'yn',
  },
  31: {
    ...COMMON,
    title: 'text',
    xmlId: 'text',
    accountNumber: 'text',
    companyId: 'int',
    contactIds: 'ints',
    stageId: 'text',
    opportunity: 'money',
    currencyId: 'text',
    isManualOpportunity: 'yn',
    parentId2: 'int',
    begindate: 'time',
    closedate: 'time',
  },
};
const TITLE: Record<string, string> = {
  categoryId: 'Category',
  stageId: 'Stage',
  opportunity: 'Amount',
  companyId: 'Company',
};

export interface StatusRow {
  ID: string;
  ENTITY_ID: string;
  STATUS_ID: string;
  NAME: string;
  SORT: string;
  SYSTEM: 'Y' | 'N';
  CATEGORY_ID: string | null;
  SEMANTICS: 'S' | 'F' | '' | null;
  EXTRA?: { SEMANTICS: string; COLOR: string };
}

/** Deal pipeline 0 and the default invoice pipeline 2 (docs/protocols/bitrix24.md#stages). */
function defaultStatuses(): StatusRow[] {
  const deal = (
    id: number,
    status: string,
    name: string,
    sort: number,
    sem: 'S' | 'F' | null,
  ): StatusRow => ({
    ID: String(id),
    ENTITY_ID: 'DEAL_STAGE',
    STATUS_ID: status,
    NAME: name,
    SORT: String(sort),
    SYSTEM: 'Y',
    CATEGORY_ID: null,
    SEMANTICS: sem,
    EXTRA: {
      SEMANTICS: sem === 'S' ? 'success' : sem === 'F' ? 'failure' : 'process',
      COLOR: sem === 'S' ? '#7BD500' : sem === 'F' ? '#FF5752' : '#39A8EF',
    },
  });
  const inv = (
    id: number,
    status: string,
    name: string,
    sort: number,
    sem: 'S' | 'F' | '' | null,
  ): StatusRow => ({
    ID: String(id),
    ENTITY_ID: 'SMART_INVOICE_STAGE_2',
    STATUS_ID: status,
    NAME: name,
    SORT: String(sort),
    SYSTEM: 'Y',
    CATEGORY_ID: '2',
    SEMANTICS: sem,
  });
  return [
    deal(101, 'NEW', 'Новая', 10, null),
    deal(103, 'PREPARATION', 'Подготовка документов', 20, null),
    deal(105, 'PREPAYMENT_INVOICE', 'Счёт на предоплату', 30, null),
    deal(107, 'EXECUTING', 'В работе', 40, null),
    deal(109, 'FINAL_INVOICE', 'Финальный счёт', 50, null),
    deal(111, 'WON', 'Сделка успешна', 60, 'S'),
    deal(113, 'LOSE', 'Сделка провалена', 70, 'F'),
    deal(115, 'APOLOGY', 'Анализ причины провала', 80, 'F'),
    // In progress as null and as "" (both mean P, docs/protocols/bitrix24.md#stages).
    inv(201, 'DT31_2:N', 'Новый', 10, null),
    inv(203, 'DT31_2:S', 'Отправлен клиенту', 20, ''),
    inv(205, 'DT31_2:P', 'Оплачен', 30, 'S'),
    inv(207, 'DT31_2:D', 'Не оплачен', 40, 'F'),
  ];
}

export const PRESETS = [
  {
    ID: '1',
    NAME: 'Организация',
    COUNTRY_ID: '1',
    ENTITY_TYPE_ID: '8',
    ACTIVE: 'Y',
    SORT: '500',
    XML_ID: '#CRM_REQUISITE_PRESET_DEF_RU_COMPANY#',
  },
  {
    ID: '3',
    NAME: 'ИП',
    COUNTRY_ID: '1',
    ENTITY_TYPE_ID: '8',
    ACTIVE: 'Y',
    SORT: '500',
    XML_ID: '#CRM_REQUISITE_PRESET_DEF_RU_INDIVIDUAL#',
  },
  {
    ID: '5',
    NAME: 'Физ. лицо',
    COUNTRY_ID: '1',
    ENTITY_TYPE_ID: '8',
    ACTIVE: 'Y',
    SORT: '500',
    XML_ID: '#CRM_REQUISITE_PRESET_DEF_RU_PERSON#',
  },
];

const REQUISITE_FIELDS = new Set([
  'ID',
  'ENTITY_TYPE_ID',
  'ENTITY_ID',
  'PRESET_ID',
  'NAME',
  'XML_ID',
  'ACTIVE',
  'SORT',
  'CODE',
  'RQ_INN',
  'RQ_KPP',
  'RQ_OGRN',
  'RQ_OGRNIP',
  'RQ_OKPO',
  'RQ_COMPANY_NAME',
  'RQ_COMPANY_FULL_NAME',
  'RQ_FIRST_NAME',
  'RQ_LAST_NAME',
  'RQ_SECOND_NAME',
  'RQ_NAME',
  'DATE_CREATE',
  'DATE_MODIFY',
]);

/**
 * The store and the method implementations of one fake portal. In-process API (tests, demo; every
 * change goes through crm.item.update semantics, so `updatedTime` moves only when a value changes and
 * `stageSemanticId`/`hasPhone`/`hasEmail` are recomputed). `entity` is `'companies' | 'contacts' |
 * 'deals' | 'invoices'` or the entityTypeId 4/3/2/31; ids are numbers (digit strings accepted):
 *
 * - `list(entity)`, `get(entity, id)`, `count(entity)`, `findByOrigin(entity, originatorId, originId)`
 * - `add(entity, fields)` → item (fields as crm.item.add takes them; `fm` as an add array)
 * - `update(entity, id, fields)` → item (`fm` as the keyed update object of
 *   docs/protocols/bitrix24.md#phones-and-e-mails)
 * - `delete(entity, id)`; `setStage('deals' | 'invoices', id, stageId)`; `setInvoiceSum(id, opportunity)`
 * - `addInvoices(items)` → ids (the data set's `invoicesFor(links)` output); `invoiceByXmlId(xmlId)`
 * - `requisites()`, `requisite(id)`, `addRequisite(fields)` → id, `updateRequisite(id, fields)`, `deleteRequisite(id)`
 * - `semanticOf(stageId)`; `statuses` (the seeded DEAL_STAGE and SMART_INVOICE_STAGE_2 rows)
 *
 * Returned items are copies; errors are `B24SimError` (status, code, description of
 * docs/protocols/bitrix24.md#errors).
 */
export class Bitrix24State {
  private readonly items = new Map<EntityTypeId, Map<number, Item>>();
  private readonly nextId = new Map<EntityTypeId, number>();
  private readonly requisiteRows = new Map<number, RequisiteRow>();
  /** Requisite IDs ascending (built on first use; kept on add and delete). */
  private requisiteIndex: number[] | null = null;
  /**
   * Requisite IDs per value of ENTITY_ID and of RQ_INN (built on first use, dropped on any requisite
   * write): an IN filter on either (`@RQ_INN`, `RQ_INN: [...]`, `@ENTITY_ID`) reads only its rows.
   */
  private requisiteValueIndex: Map<string, Map<string, number[]>> | null = null;
  private nextRequisiteId = 1;
  private nextFmId = 1;
  readonly statuses: StatusRow[] = defaultStatuses();
  /** To-dos (activities of the universal kind) and users: see bitrix24-todos.ts. */
  readonly todos: Bitrix24Todos;

  constructor(
    seed: Bitrix24Seed = {},
    /** The portal's clock (tests may pin it). */
    readonly clock: () => Date = () => new Date(),
  ) {
    this.todos = new Bitrix24Todos(
      (t, id) => this.items.get(t as EntityTypeId)?.has(id) ?? false,
      () => this.clock(),
      seed.users,
    );
    for (const t of [2, 3, 4, 31] as EntityTypeId[]) {
      this.items.set(t, new Map());
      this.nextId.set(t, 1);
    }
    let maxFm = seed.maxFmId ?? 0;
    for (const [entity, t] of Object.entries(TYPE_OF) as [SimEntity, EntityTypeId][])
      for (const raw of seed[entity] ?? []) {
        const item = structuredClone(raw) as Item;
        if (!Number.isInteger(item.id) || item.id <= 0) item.id = this.nextId.get(t)!;
        for (const e of (item.fm as { id?: number }[] | undefined) ?? [])
          maxFm = Math.max(maxFm, Number(e.id ?? 0));
        this.insert(t, this.complete(t, item));
      }
    this.nextFmId = maxFm + 1;
    for (const raw of seed.requisites ?? []) {
      const row = { ...raw } as unknown as RequisiteRow;
      const id = Number(row.ID) > 0 ? Number(row.ID) : this.nextRequisiteId;
      row.ID = String(id);
      this.requisiteRows.set(id, row);
      this.nextRequisiteId = Math.max(this.nextRequisiteId, id + 1);
    }
  }

  now(): string {
    return formatMoscow(this.clock());
  }

  // ---- in-process API (tests, demo) ----

  typeOf(entity: SimEntity | EntityTypeId | number): EntityTypeId {
    const t = typeof entity === 'number' ? entity : TYPE_OF[entity];
    if (t === 5) throw NOT_SUPPORTED();
    if (!this.items.has(t as EntityTypeId)) throw SMART_NOT_FOUND();
    return t as EntityTypeId;
  }

  /** Every item of a type, in id order (live objects: do not mutate, use update()). */
  list(entity: SimEntity | EntityTypeId): Item[] {
    return [...this.items.get(this.typeOf(entity))!.values()];
  }

  get(entity: SimEntity | EntityTypeId, id: number | string): Item | undefined {
    return this.items.get(this.typeOf(entity))!.get(Number(id));
  }

  count(entity: SimEntity | EntityTypeId): number {
    return this.items.get(this.typeOf(entity))!.size;
  }

  /** Items of a type carrying this origin, ascending ids. */
  findByOrigin(entity: SimEntity | EntityTypeId, originatorId: string, originId: string): Item[] {
    return this.list(entity).filter((i) => i.originatorId === originatorId && i.originId === originId);
  }

  /** Adds an item as a manager would (fields as crm.item.add takes them); returns the stored item. */
  add(entity: SimEntity | EntityTypeId, fields: Record<string, unknown>): Item {
    return structuredClone(this.itemAdd(this.typeOf(entity), fields));
  }

  /** Updates an item (crm.item.update semantics: updatedTime moves only when a value changed). */
  update(entity: SimEntity | EntityTypeId, id: number | string, fields: Record<string, unknown>): Item {
    return structuredClone(this.itemUpdate(this.typeOf(entity), Number(id), fields));
  }

  delete(entity: SimEntity | EntityTypeId, id: number | string): void {
    this.itemDelete(this.typeOf(entity), Number(id));
  }

  /** Moves a deal or an invoice to a stage (bumps updatedTime, recomputes stageSemanticId). */
  setStage(entity: 'deals' | 'invoices' | 2 | 31, id: number | string, stageId: string): Item {
    return this.update(entity, id, { stageId });
  }

  /** Sets an invoice's amount (JSON number, as Bitrix24 stores it). */
  setInvoiceSum(id: number | string, opportunity: number | string): Item {
    return this.update('invoices', id, { opportunity });
  }

  /** Adds invoices in crm.item.get shape (dataset `invoicesFor()` output); returns their ids. */
  addInvoices(invoices: Record<string, unknown>[]): number[] {
    return invoices.map((i) => {
      const { id: _id, ...rest } = i;
      return this.itemAdd(31, rest).id;
    });
  }

  /** The invoice with this `xmlId` (dataset invoices carry `sim-inv-…`). */
  invoiceByXmlId(xmlId: string): Item | undefined {
    return this.list(31).find((i) => i.xmlId === xmlId);
  }

  requisites(): RequisiteRow[] {
    return [...this.requisiteRows.values()];
  }

  requisite(id: number | string): RequisiteRow | undefined {
    return this.requisiteRows.get(Number(id));
  }

  addRequisite(fields: Record<string, unknown>): number {
    return this.requisiteAdd(fields);
  }

  updateRequisite(id: number | string, fields: Record<string, unknown>): void {
    this.requisiteUpdate(Number(id), fields);
  }

  deleteRequisite(id: number | string): void {
    this.requisiteValueIndex = null;
    if (this.requisiteRows.delete(Number(id)) && this.requisiteIndex)
      removeSorted(this.requisiteIndex, Number(id));
  }

  /** Stage semantics of a stage id: P/S/F, or null when unknown. */
  semanticOf(stageId: string): 'P' | 'S' | 'F' | null {
    const s = this.statuses.find((r) => r.STATUS_ID === stageId);
    if (!s) return null;
    return s.SEMANTICS === 'S' || s.SEMANTICS === 'F' ? s.SEMANTICS : 'P';
  }

  // ---- REST methods ----

  itemAdd(t: EntityTypeId, rawFields: unknown): Item {
    const fields = this.coerceFields(t, rawFields, null);
    const now = this.now();
    const item: Item = { id: this.nextId.get(t)!, createdTime: now, updatedTime: now, ...fields };
    if ('fm' in fields) item.fm = this.fmFromAdd(fields.fm);
    return structuredClone(this.insert(t, this.complete(t, item)));
  }

  itemUpdate(t: EntityTypeId, id: number, rawFields: unknown): Item {
    const item = this.items.get(t)!.get(id);
    if (!item) throw new B24SimError(400, 'NOT_FOUND', 'Item not found');
    const fields = this.coerceFields(t, rawFields, item);
    let changed = false;
    for (const [k, v] of Object.entries(fields)) {
      if (k === 'fm') {
        changed = this.fmApplyUpdate(item, v) || changed;
        continue;
      }
      if (JSON.stringify(item[k] ?? null) !== JSON.stringify(v ?? null)) {
        item[k] = v;
        changed = true;
      }
    }
    if (changed) {
      item.updatedTime = this.now();
      this.complete(t, item);
    }
    return structuredClone(item);
  }

  itemGet(t: EntityTypeId, id: number): Item {
    const item = this.items.get(t)!.get(id);
    if (!item) throw new B24SimError(400, 'NOT_FOUND', 'Element not found');
    return structuredClone(item);
  }

  itemDelete(t: EntityTypeId, id: number): void {
    if (!this.items.get(t)!.delete(id)) throw new B24SimError(400, 'NOT_FOUND', 'Item not found');
    const ids = this.idIndex.get(t);
    if (ids) removeSorted(ids, id);
  }

  /**
   * crm.item.list: filter, order, select, 50-row pages, `start=-1`. Id constraints of an AND filter
   * (`@id`, `=id`/`id`, `>id`, `>=id`, `<id`, `<=id`) narrow the candidates through a sorted id index,
   * and with `start=-1` in id order (ascending or descending) the scan stops at 50 rows, so keyset and
   * id-range pages cost O(log n + page) as on the real portal
   * (docs/protocols/bitrix24.md#bulk-export).
   */
  itemList(
    t: EntityTypeId,
    params: Record<string, unknown>,
  ): { items: Item[]; total: number; next?: number } {
    const known = FIELDS[t];
    const filter = compileFilter(params.filter, (f) => f in known && f !== 'fm', 'id');
    const order = compileOrder(params.order, (f) => f in known && f !== 'fm', 'id');
    const dir = idOrder(params.order, 'id');
    const fast = Number(params.start) === -1 && dir !== null;
    const rows: Item[] = [];
    for (const item of this.candidates(t, params.filter, dir === 'desc')) {
      if (!filter(item)) continue;
      rows.push(item);
      if (fast && rows.length >= 50) break;
    }
    if (dir === null && order) rows.sort(order);
    const sel = selectOf(params.select);
    const page = paginate(rows, params.start);
    return { ...page, items: page.items.map((i) => project(i, sel, t)) };
  }

  /** Items in id order, narrowed by the filter's id constraints (the full filter still applies). */
  private *candidates(t: EntityTypeId, rawFilter: unknown, desc: boolean): Iterable<Item> {
    const map = this.items.get(t)!;
    const f = andFilter(rawFilter);
    if (f?.['@id'] !== undefined) {
      const ids = [...new Set(listOf(f['@id']).map(Number))].sort((a, b) => (desc ? b - a : a - b));
      for (const id of ids) {
        const item = map.get(id);
        if (item) yield item;
      }
      return;
    }
    const ids = this.sortedIds(t);
    const [lo, hi] = f ? idBounds(ids, f, 'id', numericBound) : [0, ids.length];
    if (desc)
      for (let i = hi - 1; i >= lo; i--) {
        const item = map.get(ids[i]);
        if (item) yield item;
      }
    else
      for (let i = lo; i < hi; i++) {
        const item = map.get(ids[i]);
        if (item) yield item;
      }
  }

  private readonly idIndex = new Map<EntityTypeId, number[]>();

  private sortedIds(t: EntityTypeId): number[] {
    let ids = this.idIndex.get(t);
    if (!ids) {
      ids = [...this.items.get(t)!.keys()].sort((a, b) => a - b);
      this.idIndex.set(t, ids);
    }
    return ids;
  }

  /**
   * crm.requisite.list: filter, order, select, 50-row pages, `start=-1`. In ID order (the default) the
   * ID constraints of an AND filter (`=ID`/`ID`, `>ID`, `>=ID`, `<ID`, `<=ID`) narrow the candidates
   * through a sorted ID index and `start=-1` stops at 50 rows, like crm.item.list.
   */
  requisiteList(params: Record<string, unknown>): { rows: RequisiteRow[]; total: number; next?: number } {
    const filter = compileFilter(params.filter, (f) => REQUISITE_FIELDS.has(f), 'ID');
    const order = compileOrder(params.order, (f) => REQUISITE_FIELDS.has(f), 'ID');
    const dir = idOrder(params.order, 'ID');
    let rows: RequisiteRow[];
    if (dir === null) {
      rows = [...this.requisiteRows.values()].filter(filter);
      if (order) rows.sort(order);
    } else {
      rows = [];
      const fast = Number(params.start) === -1;
      const f = andFilter(params.filter);
      const ids = (f && this.indexedRequisiteIds(f)) ?? this.sortedRequisiteIds();
      const [lo, hi] = f ? idBounds(ids, f, 'ID', digitBound) : [0, ids.length];
      for (let k = 0; k < hi - lo && !(fast && rows.length >= 50); k++) {
        const row = this.requisiteRows.get(ids[dir === 'desc' ? hi - 1 - k : lo + k]);
        if (row && filter(row)) rows.push(row);
      }
    }
    const sel = selectOf(params.select);
    const page = paginate(rows, params.start);
    return {
      ...page,
      rows: page.items.map((r) =>
        sel.all
          ? { ...r }
          : (Object.fromEntries([...sel.fields].map((f) => [f, r[f] ?? null])) as RequisiteRow),
      ),
    };
  }

  /**
   * The ascending IDs of the requisites an equality or IN constraint of an AND filter on ENTITY_ID or
   * RQ_INN allows (the narrower of the two), or null when the filter has none. Only a narrowing: the
   * compiled filter still decides every row.
   */
  private indexedRequisiteIds(f: Record<string, unknown>): number[] | null {
    let best: number[] | null = null;
    for (const field of ['ENTITY_ID', 'RQ_INN']) {
      const values: unknown[] = [];
      for (const key of [`@${field}`, `=${field}`, field]) {
        const v = f[key];
        if (v === undefined) continue;
        if (key === `@${field}` || Array.isArray(v) || (v !== null && typeof v === 'object'))
          values.push(...listOf(v));
        else values.push(v);
      }
      if (!values.length) continue;
      this.requisiteValueIndex ??= this.buildRequisiteValueIndex();
      const byValue = this.requisiteValueIndex.get(field)!;
      const ids = [...new Set(values.flatMap((v) => byValue.get(String(v ?? '')) ?? []))].sort(
        (a, b) => a - b,
      );
      if (best === null || ids.length < best.length) best = ids;
    }
    return best;
  }

  private buildRequisiteValueIndex(): Map<string, Map<string, number[]>> {
    const index = new Map<string, Map<string, number[]>>([
      ['ENTITY_ID', new Map()],
      ['RQ_INN', new Map()],
    ]);
    for (const [id, row] of this.requisiteRows)
      for (const [field, byValue] of index) {
        const value = String(row[field] ?? '');
        const list = byValue.get(value);
        if (list) list.push(id);
        else byValue.set(value, [id]);
      }
    return index;
  }

  private sortedRequisiteIds(): number[] {
    this.requisiteIndex ??= [...this.requisiteRows.keys()].sort((a, b) => a - b);
    return this.requisiteIndex;
  }

  requisiteAdd(raw: unknown): number {
    const fields = asObject(raw);
    const typeId = Number(fields.ENTITY_TYPE_ID);
    if (typeId !== 3 && typeId !== 4)
      throw new B24SimError(400, '', 'ENTITY_TYPE_ID is not defined or invalid.');
    const entityId = Number(fields.ENTITY_ID);
    if (!Number.isInteger(entityId) || entityId <= 0)
      throw new B24SimError(400, '', 'ENTITY_ID is not defined or invalid.');
    const presetId = Number(fields.PRESET_ID);
    if (!Number.isInteger(presetId) || presetId <= 0)
      throw new B24SimError(400, '', 'PRESET_ID is not defined or invalid.');
    if (!this.items.get(typeId as EntityTypeId)!.has(entityId))
      throw new B24SimError(400, '', 'Entity not found.');
    const id = this.nextRequisiteId++;
    const row: RequisiteRow = { ID: String(id), ACTIVE: 'Y', XML_ID: null };
    for (const [k, v] of Object.entries(fields))
      if (REQUISITE_FIELDS.has(k) && k !== 'ID') row[k] = v === null || v === undefined ? null : String(v);
    row.ENTITY_TYPE_ID = String(typeId);
    row.ENTITY_ID = String(entityId);
    row.PRESET_ID = String(presetId);
    row.DATE_CREATE = this.now();
    this.requisiteRows.set(id, row);
    this.requisiteValueIndex = null;
    if (this.requisiteIndex) addSorted(this.requisiteIndex, id);
    return id;
  }

  requisiteUpdate(id: number, raw: unknown): void {
    const row = this.requisiteRows.get(id);
    if (!row) throw new B24SimError(400, '', `The Requisite with ID '${id}' is not found`);
    this.requisiteValueIndex = null;
    for (const [k, v] of Object.entries(asObject(raw)))
      if (REQUISITE_FIELDS.has(k) && !['ID', 'ENTITY_TYPE_ID', 'ENTITY_ID'].includes(k))
        row[k] = v === null || v === undefined ? null : String(v);
    row.DATE_MODIFY = this.now();
  }

  presetList(params: Record<string, unknown>): Record<string, string>[] {
    const filter = compileFilter(params.filter, (f) => f in PRESETS[0], 'ID');
    const sel = selectOf(params.select);
    return PRESETS.filter((p) => filter(p)).map((p) =>
      sel.all
        ? { ...p }
        : Object.fromEntries([...sel.fields].map((f) => [f, (p as Record<string, string>)[f]])),
    );
  }

  statusList(params: Record<string, unknown>): StatusRow[] {
    const filter = compileFilter(
      params.filter,
      (f) =>
        ['ID', 'ENTITY_ID', 'STATUS_ID', 'NAME', 'SORT', 'CATEGORY_ID', 'SEMANTICS', 'SYSTEM'].includes(f),
      'ID',
    );
    const order = compileOrder(
      params.order ?? { SORT: 'ASC' },
      (f) => ['ID', 'SORT', 'STATUS_ID', 'NAME'].includes(f),
      'ID',
    );
    const rows = this.statuses.filter((r) => filter(r as unknown as Record<string, unknown>));
    if (order)
      rows.sort((a, b) =>
        order(a as unknown as Record<string, unknown>, b as unknown as Record<string, unknown>),
      );
    return structuredClone(rows);
  }

  categoryList(params: Record<string, unknown>): { categories: Record<string, unknown>[] } {
    const t = Number(params.entityTypeId);
    if (t === 31)
      return { categories: [{ id: 2, name: 'Общая', sort: 500, entityTypeId: 31, isDefault: 'Y' }] };
    if (t === 2)
      return { categories: [{ id: 0, name: 'Общая', sort: 500, entityTypeId: 2, isDefault: 'Y' }] };
    if (t === 5) throw NOT_SUPPORTED();
    throw SMART_NOT_FOUND();
  }

  // ---- internals ----

  private insert(t: EntityTypeId, item: Item): Item {
    const ids = this.idIndex.get(t);
    if (ids && !this.items.get(t)!.has(item.id)) addSorted(ids, item.id);
    this.items.get(t)!.set(item.id, item);
    this.nextId.set(t, Math.max(this.nextId.get(t)!, item.id + 1));
    return item;
  }

  /** Derived fields: entityTypeId, stageSemanticId (deals), hasPhone/hasEmail (4, 3), defaults. */
  private complete(t: EntityTypeId, item: Item): Item {
    item.entityTypeId = t;
    const now = this.now();
    item.createdTime ??= now;
    item.updatedTime ??= item.createdTime;
    item.opened ??= 'Y';
    item.assignedById ??= 1;
    item.comments ??= null;
    if (t === 4 || t === 3 || t === 2) {
      item.originatorId ??= null;
      item.originId ??= null;
    }
    if (t === 4 || t === 3) {
      item.originVersion ??= null;
      item.fm ??= [];
      const fm = item.fm as { typeId: string }[];
      item.hasPhone = fm.some((e) => e.typeId === 'PHONE') ? 'Y' : 'N';
      item.hasEmail = fm.some((e) => e.typeId === 'EMAIL') ? 'Y' : 'N';
    }
    if (t === 4) item.contactIds ??= [];
    if (t === 3) {
      item.companyId ??= 0;
      item.companyIds ??= item.companyId ? [item.companyId] : [];
    }
    if (t === 2 || t === 31) {
      item.categoryId ??= t === 2 ? 0 : 2;
      item.stageId ??= t === 2 ? 'NEW' : 'DT31_2:N';
      item.opportunity ??= 0;
      item.currencyId ??= 'RUB';
      item.isManualOpportunity ??= 'N';
      item.companyId ??= 0;
      item.contactIds ??= [];
    }
    if (t === 2) item.stageSemanticId = this.semanticOf(String(item.stageId)) ?? 'P';
    return item;
  }

  /**
   * Coerces `fields` (JSON or parse_str strings) to stored types; unknown keys are ignored
   * (docs/protocols/bitrix24.md#object-types).
   */
  private coerceFields(t: EntityTypeId, raw: unknown, existing: Item | null): Record<string, unknown> {
    if (raw === undefined || raw === null || raw === '') return {};
    const fields = asObject(raw);
    const kinds = FIELDS[t];
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) {
      // User fields (`ufCrm…`): the fake behaves as a portal where the admin created them, as text.
      if (USER_FIELD.test(k)) {
        out[k] = v === null ? '' : String(v);
        continue;
      }
      const kind = kinds[k];
      if (!kind || kind === 'ro') continue;
      const bad = () =>
        new B24SimError(400, 'CRM_FIELD_ERROR_VALUE_NOT_VALID', `Invalid value for field "${TITLE[k] ?? k}"`);
      switch (kind) {
        case 'int': {
          const n = v === null || v === '' ? 0 : Number(v);
          if (!Number.isInteger(n) || n < 0) throw bad();
          out[k] = n;
          break;
        }
        case 'ints': {
          if (!Array.isArray(v) && !(v !== null && typeof v === 'object'))
            throw new B24SimError(
              400,
              '100',
              `Expected iterable value for multiple field, but got ${typeof v} instead`,
            );
          out[k] = Object.values(v as object)
            .map(Number)
            .filter((n) => Number.isInteger(n) && n > 0);
          break;
        }
        case 'money': {
          const n = v === null || v === '' ? 0 : Number(v);
          if (!Number.isFinite(n)) throw bad();
          out[k] = n;
          break;
        }
        case 'yn':
          if (v !== 'Y' && v !== 'N') throw bad();
          out[k] = v;
          break;
        case 'text':
        case 'time':
          out[k] = v === null ? null : String(v);
          break;
        case 'fm':
          if (v === null || typeof v !== 'object')
            throw new B24SimError(
              400,
              '100',
              `Expected iterable value for multiple field, but got ${typeof v} instead`,
            );
          out[k] = v;
          break;
      }
    }
    if (t === 2 || t === 31) {
      const cat = (out.categoryId ?? existing?.categoryId ?? (t === 2 ? 0 : 2)) as number;
      if ((t === 2 && cat !== 0) || (t === 31 && cat !== 2))
        throw new B24SimError(400, 'CRM_FIELD_ERROR_VALUE_NOT_VALID', 'Invalid value for field "Category"');
      if (out.stageId !== undefined) {
        const dir = t === 2 ? 'DEAL_STAGE' : 'SMART_INVOICE_STAGE_2';
        if (!this.statuses.some((s) => s.ENTITY_ID === dir && s.STATUS_ID === out.stageId))
          throw new B24SimError(400, 'CRM_FIELD_ERROR_VALUE_NOT_VALID', 'Invalid value for field "Stage"');
      }
    }
    return out;
  }

  private checkFmEntry(e: Record<string, unknown>): void {
    const type = e.typeId;
    const phone = ['WORK', 'MOBILE', 'FAX', 'HOME', 'PAGER', 'MAILING', 'OTHER'];
    const email = ['WORK', 'HOME', 'MAILING', 'OTHER'];
    const vt = e.valueType ?? 'WORK';
    const ok =
      (type === 'PHONE' && phone.includes(String(vt))) ||
      (type === 'EMAIL' && email.includes(String(vt))) ||
      ((type === 'WEB' || type === 'IM' || type === 'LINK') && typeof vt === 'string');
    if (!ok) throw new B24SimError(400, 'CRM_FIELD_ERROR_VALUE_NOT_VALID', 'Invalid value for field "fm"');
  }

  private fmFromAdd(v: unknown): Record<string, unknown>[] {
    if (!Array.isArray(v))
      throw new B24SimError(400, '100', 'Expected iterable value for multiple field, but got object instead');
    const out: Record<string, unknown>[] = [];
    for (const raw of v) {
      const e = asObject(raw);
      this.checkFmEntry(e);
      if (String(e.value ?? '') === '') continue;
      out.push({
        id: this.nextFmId++,
        typeId: e.typeId,
        valueType: e.valueType ?? 'WORK',
        value: String(e.value),
      });
    }
    return out;
  }

  /**
   * The keyed fm update (docs/protocols/bitrix24.md#phones-and-e-mails); returns whether anything changed.
   */
  private fmApplyUpdate(item: Item, v: unknown): boolean {
    const fm = (item.fm as Record<string, unknown>[] | undefined) ?? [];
    let changed = false;
    const entries = Array.isArray(v) ? v.map((e, i) => [`n${i}`, e] as const) : Object.entries(asObject(v));
    for (const [key, raw] of entries) {
      const e = asObject(raw);
      const existing = /^\d+$/.test(key) ? fm.find((x) => Number(x.id) === Number(key)) : undefined;
      if (/^\d+$/.test(key)) {
        if (!existing) continue;
        if (String(e.value ?? '') === '') {
          fm.splice(fm.indexOf(existing), 1);
          changed = true;
        } else if (
          existing.value !== String(e.value) ||
          (e.valueType !== undefined && existing.valueType !== e.valueType)
        ) {
          existing.value = String(e.value);
          if (e.valueType !== undefined) existing.valueType = e.valueType;
          changed = true;
        }
        continue;
      }
      this.checkFmEntry(e);
      if (String(e.value ?? '') === '') continue;
      fm.push({
        id: this.nextFmId++,
        typeId: e.typeId,
        valueType: e.valueType ?? 'WORK',
        value: String(e.value),
      });
      changed = true;
    }
    item.fm = fm;
    return changed;
  }
}

// ---- filter / order / select / paging (docs/protocols/bitrix24.md#item-methods) ----

function selectOf(raw: unknown): { all: boolean; fields: Set<string> } {
  const list = raw === undefined || raw === null || raw === '' ? ['*'] : listOf(raw).map(String);
  return { all: list.length === 0 || list.includes('*'), fields: new Set(list) };
}

function project(item: Item, sel: { all: boolean; fields: Set<string> }, _t: EntityTypeId): Item {
  if (sel.all) return structuredClone(item);
  const out: Item = { id: item.id };
  // `fm` cannot be named in select (docs/protocols/bitrix24.md#phones-and-e-mails): it only comes with "*".
  for (const f of sel.fields) if (f !== 'fm' && f in item) out[f] = structuredClone(item[f]);
  return out;
}

function bound(ids: number[], v: number, strict: boolean): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid] < v || (strict && ids[mid] === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function addSorted(ids: number[], id: number): void {
  if (ids.length === 0 || ids[ids.length - 1] < id) ids.push(id);
  else {
    const i = bound(ids, id, false);
    if (ids[i] !== id) ids.splice(i, 0, id);
  }
}

function removeSorted(ids: number[], id: number): void {
  const i = bound(ids, id, false);
  if (ids[i] === id) ids.splice(i, 1);
}

/** The top level of a filter when its keys are ANDed (the default), else null. */
function andFilter(raw: unknown): Record<string, unknown> | null {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const f = raw as Record<string, unknown>;
  return String(f.logic ?? f.LOGIC ?? 'AND').toUpperCase() === 'OR' ? null : f;
}

/** `asc`/`desc` when the order is by the id key alone (or not given), else null. */
function idOrder(raw: unknown, idKey: string): 'asc' | 'desc' | null {
  const keys = raw && typeof raw === 'object' ? Object.entries(raw as Record<string, unknown>) : [];
  if (keys.length === 0) return 'asc';
  if (keys.length !== 1 || keys[0][0] !== idKey) return null;
  return String(keys[0][1]).toUpperCase() === 'DESC' ? 'desc' : 'asc';
}

/** A bound on a numeric id as `cmp` compares it (`Number(value)`), or null when cmp would not. */
function numericBound(v: unknown): number | null {
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** A bound on a digit-string ID (requisites) as `cmp` compares it: only digit strings compare as numbers. */
function digitBound(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const text = String(v);
  return /^\d+$/.test(text) ? Number(text) : null;
}

/**
 * The index range `[lo, hi)` of `ids` that the id constraints of an AND filter allow (`=`/none, `>`,
 * `>=`, `<`, `<=`); only a narrowing: the compiled filter still decides every row.
 */
function idBounds(
  ids: number[],
  f: Record<string, unknown>,
  key: string,
  toBound: (v: unknown) => number | null,
): [number, number] {
  let lo = 0;
  let hi = ids.length;
  const at = (op: string, fn: (v: number) => void) => {
    const raw = f[`${op}${key}`];
    if (raw === undefined || (op === '' && (Array.isArray(raw) || (raw !== null && typeof raw === 'object'))))
      return;
    const v = toBound(raw);
    if (v !== null) fn(v);
  };
  at('>=', (v) => (lo = Math.max(lo, bound(ids, v, false))));
  at('>', (v) => (lo = Math.max(lo, bound(ids, v, true))));
  at('<', (v) => (hi = Math.min(hi, bound(ids, v, false))));
  at('<=', (v) => (hi = Math.min(hi, bound(ids, v, true))));
  for (const op of ['=', '']) {
    at(op, (v) => {
      lo = Math.max(lo, bound(ids, v, false));
      hi = Math.min(hi, bound(ids, v, true));
    });
  }
  return [lo, Math.max(lo, hi)];
}
