import { Logger } from '@nestjs/common';
import { CrmError, CrmErrorCode } from '../crm.error.js';
import type { CrmTodos } from '../crm.port.js';
import type { CrmTodoPage, CrmTodoState, CrmTodoWrite, CrmTodoWriteResult, CrmUser } from '../crm.types.js';
import {
  ENTITY_TYPE_ID,
  PAGE_SIZE,
  TODO_CURSOR_OVERLAP_S,
  TODO_PING_OFFSETS,
  TODO_SELECT,
} from './bitrix24.constants.js';
import type { B24Command, B24CommandResult, Bitrix24Http } from './bitrix24-http.js';
import { convertRow, type B24Row } from './converters/converter.util.js';
import { toCrmTodoState, toCrmUser } from './converters/todo.converter.js';

/**
 * CrmTodos on a Bitrix24 portal (docs/protocols/bitrix24.md#conflict-to-dos): a to-do is a universal
 * activity on the record's timeline (`crm.activity.todo.add|update`, provider `CRM_TODO`), completed with
 * `crm.activity.update` `COMPLETED: Y`; changes are found with one `crm.activity.list` of the to-dos
 * this webhook's user made, last changed by someone else, whose `LAST_UPDATED` is at or after the cursor
 * (ids ascending, `start=-1`, 50 a page); users come from `user.get` (the `user_brief` scope). Writes go
 * in `batch` requests of ≤ 50.
 */
export class Bitrix24TodoOps implements CrmTodos {
  private readonly log = new Logger('Bitrix24Todos');
  private warnedUsers = false;

  constructor(
    private readonly http: Bitrix24Http,
    /** The webhook's user: the author of every to-do Sverka makes (null: not known, no author filter). */
    private readonly authorId: string | null,
    /** The portal's clock when an answer has no `time` block (tests). */
    private readonly now: () => number = Date.now,
  ) {}

  async upsertTodos(writes: CrmTodoWrite[]): Promise<CrmTodoWriteResult[]> {
    const commands = new Map<string, B24Command>();
    writes.forEach((w, i) =>
      commands.set(`t${i}`, {
        method: w.id ? 'crm.activity.todo.update' : 'crm.activity.todo.add',
        params: { ...(w.id ? { id: Number(w.id) } : {}), ...todoParams(w) },
      }),
    );
    // A create whose answer was lost may have made its to-do: found by record, author and title before a retry.
    const results = await this.http.batch(commands, (keys) => this.findLostCreates(keys, writes));
    return writes.map((w, i): CrmTodoWriteResult => {
      const r = results.get(`t${i}`);
      if (!r)
        return {
          key: w.key,
          ok: false,
          error: new CrmError(CrmErrorCode.TEMPORARY, 'Bitrix24 batch: no answer for the to-do'),
        };
      if (!r.ok)
        return {
          key: w.key,
          ok: false,
          error: r.error,
          // A completed to-do refuses changes; a deleted one is not found (docs: todo.update errors).
          closed:
            !!w.id &&
            (r.error.crmCode === 'CAN_NOT_UPDATE_COMPLETED_TODO' || r.error.code === CrmErrorCode.NOT_FOUND),
        };
      const id = (r.result as { id?: unknown } | null)?.id;
      if ((typeof id !== 'number' && typeof id !== 'string') || !/^\d+$/.test(String(id)))
        return {
          key: w.key,
          ok: false,
          error: new CrmError(
            CrmErrorCode.BAD_RESPONSE,
            `Bitrix24 ${commands.get(`t${i}`)!.method}: no id in the answer`,
          ),
        };
      return { key: w.key, ok: true, id: String(id) };
    });
  }

  async completeTodos(ids: string[]): Promise<{ id: string; ok: boolean; error?: CrmError }[]> {
    const commands = new Map<string, B24Command>();
    ids.forEach((id, i) =>
      commands.set(`c${i}`, {
        method: 'crm.activity.update',
        params: { id: Number(id), fields: { COMPLETED: 'Y' } },
      }),
    );
    // Completing twice is harmless: a lost answer is simply sent again.
    const results = await this.http.batch(commands);
    return ids.map((id, i) => {
      const r = results.get(`c${i}`);
      if (r?.ok) return { id, ok: true };
      return {
        id,
        ok: false,
        error: r?.error ?? new CrmError(CrmErrorCode.TEMPORARY, 'Bitrix24 batch: no answer'),
      };
    });
  }

  async *todosChangedSince(since: string): AsyncIterable<CrmTodoPage> {
    const from = Date.parse(since);
    if (Number.isNaN(from))
      throw new CrmError(CrmErrorCode.INVALID, `Bitrix24 to-dos: the cursor is not a time: ${since}`);
    let afterId = 0;
    let cursor: string | null = null;
    for (;;) {
      const body = await this.http.call('crm.activity.list', {
        filter: {
          '>=LAST_UPDATED': b24Time(from),
          PROVIDER_ID: 'CRM_TODO',
          // Made by this webhook's user, last changed by someone else: Sverka's own writes are not read back.
          ...(this.authorId ? { AUTHOR_ID: this.authorId, '!EDITOR_ID': this.authorId } : {}),
          ...(afterId ? { '>ID': afterId } : {}),
        },
        order: { ID: 'ASC' },
        select: TODO_SELECT,
        start: -1,
      });
      // The next look starts a little before the portal's own clock at the first page: a to-do changed
      // while the pages were read is read again next time, and the two clocks never need to agree.
      const portalNow = typeof body.time?.start === 'number' ? body.time.start * 1000 : this.now();
      cursor ??= new Date(Math.max(from, portalNow - TODO_CURSOR_OVERLAP_S * 1000)).toISOString();
      const rows = rowsOf(body.result, 'crm.activity.list');
      yield { todos: this.states(rows), cursor };
      if (rows.length < PAGE_SIZE) return;
      const last = Number((rows[rows.length - 1] as B24Row)?.ID);
      if (!Number.isInteger(last) || last <= afterId) return;
      afterId = last;
    }
  }

  async getTodos(ids: string[]): Promise<CrmTodoState[]> {
    const unique = [...new Set(ids.filter((i) => /^\d+$/.test(i)))];
    const commands = new Map<string, B24Command>();
    for (let i = 0; i < unique.length; i += PAGE_SIZE)
      commands.set(`g${i}`, {
        method: 'crm.activity.list',
        params: {
          filter: { '@ID': unique.slice(i, i + PAGE_SIZE).map(Number) },
          order: { ID: 'ASC' },
          select: TODO_SELECT,
          start: -1,
        },
      });
    const out: CrmTodoState[] = [];
    for (const r of (await this.http.batch(commands)).values())
      out.push(...this.states(rowsOf(okOrThrow(r), 'crm.activity.list')));
    return out;
  }

  async users(ids: string[]): Promise<Map<string, CrmUser> | null> {
    const unique = [...new Set(ids.filter((i) => /^\d+$/.test(i)))];
    const out = new Map<string, CrmUser>();
    const commands = new Map<string, B24Command>();
    for (let i = 0; i < unique.length; i += PAGE_SIZE)
      commands.set(`u${i}`, {
        method: 'user.get',
        params: { filter: { ID: unique.slice(i, i + PAGE_SIZE) } },
      });
    try {
      for (const r of (await this.http.batch(commands)).values())
        for (const row of rowsOf(okOrThrow(r), 'user.get')) {
          const c = convertRow('contacts', row, 'ID', toCrmUser);
          if (c.ok) out.set(c.record.id, c.record);
          else this.log.warn(`Bitrix24 user.get: a user row skipped: ${c.malformed.reason}`);
        }
    } catch (e) {
      if (
        !(e instanceof CrmError) ||
        (e.code !== CrmErrorCode.FORBIDDEN && e.code !== CrmErrorCode.UNAUTHORIZED)
      )
        throw e;
      if (!this.warnedUsers)
        this.log.warn(
          `Bitrix24 user.get refused (${e.crmCode ?? e.code}): the webhook cannot read users, so a dismissed manager is not noticed — add the "Users (user_brief)" scope to the incoming webhook`,
        );
      this.warnedUsers = true;
      return null;
    }
    return out;
  }

  /** Of the uncertain commands, the creates whose to-do is on the portal: found by record, author, title. */
  private async findLostCreates(
    keys: string[],
    writes: CrmTodoWrite[],
  ): Promise<Map<string, B24CommandResult>> {
    const settled = new Map<string, B24CommandResult>();
    const creates = keys.map((k) => ({ k, w: writes[Number(k.slice(1))] })).filter((x) => x.w && !x.w.id);
    if (!creates.length || !this.authorId) return settled;
    const commands = new Map<string, B24Command>();
    for (const { k, w } of creates)
      commands.set(k, {
        method: 'crm.activity.list',
        params: {
          filter: {
            OWNER_TYPE_ID: ENTITY_TYPE_ID[w.todo.entity],
            OWNER_ID: Number(w.todo.recordId),
            PROVIDER_ID: 'CRM_TODO',
            AUTHOR_ID: this.authorId,
            COMPLETED: 'N',
            SUBJECT: w.todo.title,
          },
          order: { ID: 'DESC' },
          select: ['ID'],
          start: -1,
        },
      });
    try {
      for (const [k, r] of await this.http.batch(commands)) {
        const id = r.ok ? (rowsOf(r.result, 'crm.activity.list')[0] as B24Row | undefined)?.ID : undefined;
        if (id !== undefined) settled.set(k, { ok: true, result: { id: Number(id) } });
      }
    } catch (e) {
      // Not found out now: the create is sent again (at worst a second to-do, which Sverka completes later).
      this.log.warn(`Bitrix24 to-dos: lost creates could not be looked up: ${(e as Error).message}`);
    }
    return settled;
  }

  private states(rows: unknown[]): CrmTodoState[] {
    const out: CrmTodoState[] = [];
    for (const row of rows) {
      const c = convertRow('companies', row, 'ID', toCrmTodoState);
      if (c.ok) out.push(c.record);
      else
        this.log.warn(
          `Bitrix24 crm.activity.list: to-do ${c.malformed.id ?? '?'} skipped: ${c.malformed.reason}`,
        );
    }
    return out;
  }
}

/** The parameters of crm.activity.todo.add|update for a to-do. */
function todoParams(w: CrmTodoWrite): Record<string, unknown> {
  const t = w.todo;
  return {
    ownerTypeId: ENTITY_TYPE_ID[t.entity],
    ownerId: Number(t.recordId),
    deadline: b24Time(Date.parse(t.deadline)),
    title: t.title,
    description: t.description,
    ...(t.responsibleId ? { responsibleId: Number(t.responsibleId) } : {}),
    pingOffsets: TODO_PING_OFFSETS,
  };
}

/** A time as Bitrix24 datetimes are written: ISO 8601 to the second with an explicit offset (UTC here). */
export function b24Time(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

function okOrThrow(r: B24CommandResult | undefined): unknown {
  if (!r) throw new CrmError(CrmErrorCode.TEMPORARY, 'Bitrix24 batch: no answer for a command');
  if (!r.ok) throw r.error;
  return r.result;
}

function rowsOf(result: unknown, method: string): unknown[] {
  if (!Array.isArray(result))
    throw new CrmError(CrmErrorCode.BAD_RESPONSE, `Bitrix24 ${method}: result is not an array`);
  return result;
}
