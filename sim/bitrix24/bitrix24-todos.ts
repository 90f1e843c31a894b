import {
  B24SimError,
  asObject,
  compileFilter,
  compileOrder,
  formatMoscow,
  paginate,
} from './bitrix24-query.js';

/**
 * The fake portal's activities of the universal to-do kind (`PROVIDER_ID` `CRM_TODO`) and its users
 * (docs/protocols/bitrix24.md#conflict-to-dos): `crm.activity.todo.add|update`, `crm.activity.update`
 * (only `COMPLETED`), `crm.activity.get|list`, `user.get`. Rows are in the REST shape (every value a
 * string, `ACTIVE` of a user a boolean). In-process: a manager completes, moves or deletes a to-do; an
 * administrator dismisses a user.
 */

/** An activity row as crm.activity.get returns it (values as strings). */
export type ActivityRow = Record<string, string | null> & { ID: string };

/** A user row as user.get returns it. */
export interface UserRow {
  ID: string;
  ACTIVE: boolean;
  NAME: string;
  LAST_NAME: string;
  SECOND_NAME: string;
  EMAIL: string;
  USER_TYPE: 'employee' | 'extranet';
}

/** The users of a new fake portal: the webhook's user (1) and four managers (2–5, the data set's `assignedById`). */
export function defaultUsers(): UserRow[] {
  const u = (id: number, name: string, last: string, email: string): UserRow => ({
    ID: String(id),
    ACTIVE: true,
    NAME: name,
    LAST_NAME: last,
    SECOND_NAME: '',
    EMAIL: email,
    USER_TYPE: 'employee',
  });
  return [
    u(1, 'Администратор', 'Портала', 'admin@example.ru'),
    u(2, 'Ольга', 'Менеджерова', 'olga@example.ru'),
    u(3, 'Пётр', 'Продажин', 'petr@example.ru'),
    u(4, 'Ирина', 'Клиентова', 'irina@example.ru'),
    u(5, 'Сергей', 'Сделкин', 'sergey@example.ru'),
  ];
}

const ACTIVITY_FIELDS = new Set([
  'ID',
  'OWNER_ID',
  'OWNER_TYPE_ID',
  'TYPE_ID',
  'PROVIDER_ID',
  'PROVIDER_TYPE_ID',
  'SUBJECT',
  'DESCRIPTION',
  'DESCRIPTION_TYPE',
  'CREATED',
  'LAST_UPDATED',
  'START_TIME',
  'END_TIME',
  'DEADLINE',
  'COMPLETED',
  'STATUS',
  'RESPONSIBLE_ID',
  'PRIORITY',
  'AUTHOR_ID',
  'EDITOR_ID',
  'ORIGINATOR_ID',
  'ORIGIN_ID',
]);

const USER_FIELDS = new Set(['ID', 'ACTIVE', 'NAME', 'LAST_NAME', 'SECOND_NAME', 'EMAIL', 'USER_TYPE']);

const todoNotFound = () => new B24SimError(400, 'NOT_FOUND', 'Not found.');
const activityNotFound = () => new B24SimError(400, '', 'Activity is not found.');

export class Bitrix24Todos {
  private readonly rows = new Map<number, ActivityRow>();
  private nextId = 1;
  readonly users: UserRow[];

  constructor(
    /** Whether the CRM record a to-do is put on exists (owner type 2, 3, 4). */
    private readonly ownerExists: (typeId: number, id: number) => boolean,
    private readonly clock: () => Date,
    users?: UserRow[],
  ) {
    this.users = structuredClone(users ?? defaultUsers());
  }

  // ---- in-process API (tests, demo) ----

  /** Every activity, in id order (copies). */
  list(): ActivityRow[] {
    return [...this.rows.values()].map((r) => ({ ...r }));
  }

  get(id: number | string): ActivityRow | undefined {
    const r = this.rows.get(Number(id));
    return r ? { ...r } : undefined;
  }

  /** The open to-dos on one record. */
  openOn(ownerTypeId: number, ownerId: number | string): ActivityRow[] {
    return this.list().filter(
      (r) => r.OWNER_TYPE_ID === String(ownerTypeId) && r.OWNER_ID === String(ownerId) && r.COMPLETED === 'N',
    );
  }

  /** A manager ticks the to-do done in the portal (LAST_UPDATED moves). */
  complete(id: number | string, byUserId = 2): ActivityRow {
    return this.change(Number(id), { COMPLETED: 'Y', STATUS: '2' }, byUserId);
  }

  /** A manager moves the deadline in the portal. */
  moveDeadline(id: number | string, deadline: Date, byUserId = 2): ActivityRow {
    const at = formatMoscow(deadline);
    return this.change(Number(id), { DEADLINE: at, END_TIME: at, START_TIME: at }, byUserId);
  }

  /** A manager deletes the to-do in the portal. */
  delete(id: number | string): void {
    this.rows.delete(Number(id));
  }

  user(id: number | string): UserRow | undefined {
    return this.users.find((u) => u.ID === String(id));
  }

  /** An administrator dismisses a user (ACTIVE false): the user stays in user.get, marked inactive. */
  dismissUser(id: number | string): void {
    const u = this.user(id);
    if (!u) throw new Error(`no user ${id}`);
    u.ACTIVE = false;
  }

  addUser(fields: Partial<UserRow> & { NAME: string; LAST_NAME: string }): UserRow {
    const id = Math.max(0, ...this.users.map((u) => Number(u.ID))) + 1;
    const row: UserRow = {
      ID: String(id),
      ACTIVE: true,
      SECOND_NAME: '',
      EMAIL: '',
      USER_TYPE: 'employee',
      ...fields,
    };
    this.users.push(row);
    return { ...row };
  }

  // ---- REST methods ----

  /** crm.activity.todo.add: `{ownerTypeId*, ownerId*, deadline*, title, description, responsibleId, …}` → id. */
  todoAdd(p: Record<string, unknown>, actorId: number): { id: number } {
    const { typeId, ownerId } = this.owner(p);
    const deadline = this.deadline(p.deadline);
    const responsible =
      p.responsibleId === undefined || p.responsibleId === '' ? actorId : intOf(p.responsibleId);
    if (responsible === null || responsible <= 0)
      throw new B24SimError(
        400,
        'CRM_FIELD_ERROR_VALUE_NOT_VALID',
        'Invalid value for field "responsibleId"',
      );
    const now = formatMoscow(this.clock());
    const id = this.nextId++;
    this.rows.set(id, {
      ID: String(id),
      OWNER_ID: String(ownerId),
      OWNER_TYPE_ID: String(typeId),
      TYPE_ID: '6',
      PROVIDER_ID: 'CRM_TODO',
      PROVIDER_TYPE_ID: 'TODO',
      SUBJECT: textOf(p.title),
      DESCRIPTION: textOf(p.description),
      DESCRIPTION_TYPE: '1',
      CREATED: now,
      LAST_UPDATED: now,
      START_TIME: deadline,
      END_TIME: deadline,
      DEADLINE: deadline,
      COMPLETED: 'N',
      STATUS: '1',
      RESPONSIBLE_ID: String(responsible),
      PRIORITY: '2',
      AUTHOR_ID: String(actorId),
      EDITOR_ID: String(actorId),
      ORIGINATOR_ID: null,
      ORIGIN_ID: null,
    });
    return { id };
  }

  /** crm.activity.todo.update: `{id*, ownerTypeId*, ownerId*, deadline*, title, description, responsibleId}` → `{id}`. */
  todoUpdate(p: Record<string, unknown>, actorId: number): { id: number } {
    const id = intOf(p.id);
    if (id === null || id <= 0) throw new B24SimError(400, '100', 'Required fields are missing: id');
    const { typeId, ownerId } = this.owner(p);
    const deadline = this.deadline(p.deadline);
    const row = this.rows.get(id);
    if (
      !row ||
      row.PROVIDER_ID !== 'CRM_TODO' ||
      row.OWNER_TYPE_ID !== String(typeId) ||
      row.OWNER_ID !== String(ownerId)
    )
      throw todoNotFound();
    if (row.COMPLETED === 'Y')
      throw new B24SimError(400, 'CAN_NOT_UPDATE_COMPLETED_TODO', 'Completed activity cannot be modified');
    const fields: Record<string, string> = { DEADLINE: deadline, START_TIME: deadline, END_TIME: deadline };
    if (p.title !== undefined) fields.SUBJECT = textOf(p.title);
    if (p.description !== undefined) fields.DESCRIPTION = textOf(p.description);
    if (p.responsibleId !== undefined && p.responsibleId !== '') {
      const r = intOf(p.responsibleId);
      if (r === null || r <= 0)
        throw new B24SimError(
          400,
          'CRM_FIELD_ERROR_VALUE_NOT_VALID',
          'Invalid value for field "responsibleId"',
        );
      fields.RESPONSIBLE_ID = String(r);
    }
    this.change(id, fields, actorId);
    return { id };
  }

  /** crm.activity.update: only `fields.COMPLETED` (`Y`/`N`) is honoured here; → true. */
  activityUpdate(p: Record<string, unknown>, actorId: number): boolean {
    const id = intOf(p.id);
    const row = id === null ? undefined : this.rows.get(id);
    if (!row) throw activityNotFound();
    const fields = asObject(p.fields);
    const completed = fields.COMPLETED;
    if (completed !== undefined) {
      if (completed !== 'Y' && completed !== 'N')
        throw new B24SimError(400, '', 'The field COMPLETED is not valid.');
      if (row.COMPLETED !== completed)
        this.change(id!, { COMPLETED: completed, STATUS: completed === 'Y' ? '2' : '1' }, actorId);
    }
    return true;
  }

  /** crm.activity.get `{id}`. */
  activityGet(p: Record<string, unknown>): ActivityRow {
    const id = intOf(p.id);
    const row = id === null ? undefined : this.rows.get(id);
    if (!row) throw activityNotFound();
    return { ...row };
  }

  /**
   * crm.activity.list: filter (the prefixes of crm.item.list), order (default START_TIME ascending, then
   * ID), select (names or `*`), 50 rows a page; `start=-1` gives a page without counting (`total` 0).
   */
  activityList(p: Record<string, unknown>): { rows: ActivityRow[]; total: number; next?: number } {
    const filter = compileFilter(p.filter, (f) => ACTIVITY_FIELDS.has(f), 'ID');
    const order = compileOrder(p.order ?? { START_TIME: 'ASC' }, (f) => ACTIVITY_FIELDS.has(f), 'ID')!;
    const rows = [...this.rows.values()].filter((r) => filter(r)).sort(order);
    const { items, ...page } = paginate(rows, p.start);
    const sel = selectOf(p.select);
    return {
      ...page,
      rows: items.map((r) =>
        sel === null
          ? { ...r }
          : (Object.fromEntries(['ID', ...sel].map((f) => [f, r[f] ?? null])) as ActivityRow),
      ),
    };
  }

  /**
   * user.get: `filter` (or `FILTER`) on the user fields with the list prefixes (`ID` may be an array; `ACTIVE`
   * true keeps active users only), `sort`/`order`, 50 a page with `total`/`next`.
   */
  userGet(p: Record<string, unknown>): { rows: UserRow[]; total: number; next?: number } {
    const raw = asObject(p.filter ?? p.FILTER);
    const f: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw))
      f[k] =
        k.replace(/^[^A-Z_]+/, '') === 'ACTIVE' ? v === true || v === 'true' || v === 'Y' || v === '1' : v;
    const pred = compileFilter(
      Object.fromEntries(Object.entries(f).filter(([k]) => k.replace(/^[^A-Z_]+/, '') !== 'ACTIVE')),
      (x) => USER_FIELDS.has(x),
      'ID',
    );
    const activeOnly = Object.entries(f).some(
      ([k, v]) => k.replace(/^[^A-Z_]+/, '') === 'ACTIVE' && v === true,
    );
    const sortKey =
      typeof p.sort === 'string' && USER_FIELDS.has(p.sort.toUpperCase()) ? p.sort.toUpperCase() : 'ID';
    const dir = String(p.order ?? 'ASC').toUpperCase() === 'DESC' ? 'DESC' : 'ASC';
    const order = compileOrder({ [sortKey]: dir }, (x) => USER_FIELDS.has(x), 'ID')!;
    const rows = this.users
      .filter((u) => (!activeOnly || u.ACTIVE) && pred(u as unknown as Record<string, unknown>))
      .sort((a, b) =>
        order(a as unknown as Record<string, unknown>, b as unknown as Record<string, unknown>),
      );
    const { items, ...page } = paginate(rows, p.start);
    return { ...page, rows: items.map((u) => ({ ...u })) };
  }

  // ---- internals ----

  private change(id: number, fields: Record<string, string>, editor: number): ActivityRow {
    const row = this.rows.get(id);
    if (!row) throw activityNotFound();
    let changed = false;
    for (const [k, v] of Object.entries(fields))
      if (row[k] !== v) {
        row[k] = v;
        changed = true;
      }
    if (changed) {
      row.LAST_UPDATED = formatMoscow(this.clock());
      row.EDITOR_ID = String(editor);
    }
    return { ...row };
  }

  private owner(p: Record<string, unknown>): { typeId: number; ownerId: number } {
    const typeId = intOf(p.ownerTypeId);
    const ownerId = intOf(p.ownerId);
    if (typeId === null || ownerId === null || p.deadline === undefined || p.deadline === '')
      throw new B24SimError(400, '100', 'Required fields are missing');
    if (![2, 3, 4].includes(typeId) || !this.ownerExists(typeId, ownerId))
      throw new B24SimError(400, 'OWNER_NOT_FOUND', 'Owner of the entity not found');
    return { typeId, ownerId };
  }

  /** A datetime (`2025-02-03T15:00:00` in the portal's zone, or with an offset) as the portal prints it. */
  private deadline(v: unknown): string {
    const text = String(v ?? '');
    const local = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(text);
    const ms = Date.parse(local ? `${text}+03:00` : text);
    if (!/^\d{4}-\d\d-\d\d/.test(text) || Number.isNaN(ms))
      throw new B24SimError(400, 'WRONG_DATETIME_FORMAT', 'Incorrect date format');
    return formatMoscow(new Date(ms));
  }
}

function intOf(v: unknown): number | null {
  const n = Number(v);
  return v === null || v === undefined || v === '' || !Number.isInteger(n) ? null : n;
}

function textOf(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

/** The fields a select names, or null for all (`*` or none). */
function selectOf(raw: unknown): string[] | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const list = (Array.isArray(raw) ? raw : typeof raw === 'object' ? Object.values(raw) : [raw]).map(String);
  return list.length === 0 || list.includes('*') ? null : list.filter((f) => ACTIVITY_FIELDS.has(f));
}
