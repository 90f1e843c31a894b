import { Logger } from '@nestjs/common';
import { CrmError, CrmErrorCode } from '../crm.error.js';
import type { CrmTodos } from '../crm.port.js';
import type { CrmTodoPage, CrmTodoState, CrmTodoWrite, CrmTodoWriteResult, CrmUser } from '../crm.types.js';
import { FILTER_CHUNK, PAGE_LIMIT, TRANSIENT_DELAYS_MS, WRITE_CHUNK } from './amocrm.constants.js';
import { AmoFailure, itemError, type AmoItemError } from './amocrm-errors.js';
import type { AmoCrmHttp, AmoQuery } from './amocrm-http.js';
import { AMO_ENTITY } from './amocrm-writes.js';
import type { AmoRow } from './amocrm.types.js';

/** The task type of a conflict to-do: 1, «Связаться», present in every account (docs/protocols/amocrm.md#tasks). */
export const TODO_TASK_TYPE = 1;
/** The next "changed since" look starts this long before the newest change seen, so a late save is read again. */
export const TODO_CURSOR_OVERLAP_S = 60;
/** The result text amoCRM keeps on a task Sverka completes. */
const CLOSED_RESULT = 'Конфликты решены в Sverka';

type Outcome = { ok: true; id: string } | { ok: false; error: CrmError; closed?: boolean };

/**
 * CrmTodos on an amoCRM account (docs/protocols/amocrm.md#tasks): a to-do is a task («Связаться») on the
 * company, contact or lead, its text the title and the description; `complete_till` the deadline.
 * Adds and updates of ≤ 50 a request with `request_id`; a task completed or gone is never rewritten (read
 * first); completing is `is_completed: true` with a result text; changes are the tasks with
 * `filter[updated_at][from]` = the cursor (250 a page; the account's other tasks are left to the caller);
 * users are the account's user list (`rights.is_active`; an administrator's token only).
 */
export class AmoTodoOps implements CrmTodos {
  private readonly log = new Logger('AmoCrmTodos');
  private warnedUsers = false;

  constructor(private readonly http: AmoCrmHttp) {}

  async upsertTodos(writes: CrmTodoWrite[]): Promise<CrmTodoWriteResult[]> {
    const out = new Array<Outcome>(writes.length);
    // A completed or deleted task is not rewritten: the caller settles it as such.
    const updates = writes.map((w, i) => ({ w, i })).filter((x) => x.w.id);
    if (updates.length) {
      const now = new Map((await this.getTodos(updates.map((x) => x.w.id!))).map((t) => [t.id, t]));
      for (const { w, i } of updates) {
        const t = now.get(w.id!);
        if (!t || t.completed)
          out[i] = {
            ok: false,
            closed: true,
            error: new CrmError(
              t ? CrmErrorCode.INVALID : CrmErrorCode.NOT_FOUND,
              `amoCRM task ${w.id} is ${t ? 'completed' : 'gone'}`,
            ),
          };
      }
    }
    const items = writes.map((w, i) => ({ w, i })).filter((x) => !out[x.i]);
    for (const op of ['create', 'update'] as const) {
      const mine = items.filter((x) => (op === 'update') === !!x.w.id);
      for (let k = 0; k < mine.length; k += WRITE_CHUNK)
        await this.send(op, mine.slice(k, k + WRITE_CHUNK), out);
    }
    return writes.map((w, i): CrmTodoWriteResult => {
      const o = out[i] ?? {
        ok: false,
        error: new CrmError(CrmErrorCode.TEMPORARY, 'amoCRM tasks: no answer'),
      };
      return o.ok
        ? { key: w.key, ok: true, id: o.id }
        : { key: w.key, ok: false, error: o.error, closed: o.closed };
    });
  }

  async completeTodos(ids: string[]): Promise<{ id: string; ok: boolean; error?: CrmError }[]> {
    const results = new Map<string, { ok: boolean; error?: CrmError }>();
    for (let k = 0; k < ids.length; k += WRITE_CHUNK) {
      const chunk = ids.slice(k, k + WRITE_CHUNK);
      // Completing again is harmless: a lost answer is simply sent again.
      const ans = await this.write(
        'PATCH',
        chunk.map((id, j) => ({
          id: Number(id),
          is_completed: true,
          result: { text: CLOSED_RESULT },
          request_id: String(j),
        })),
      );
      if (ans.ok) for (const id of chunk) results.set(id, { ok: true });
      else
        chunk.forEach((id, j) => {
          const errs = ans.refused.get(String(j));
          results.set(id, { ok: false, error: errs ? itemError(`task ${id}`, errs) : ans.error });
        });
    }
    return ids.map((id) => ({ id, ...(results.get(id) ?? { ok: false }) }));
  }

  async *todosChangedSince(since: string): AsyncIterable<CrmTodoPage> {
    const from = Date.parse(since);
    if (Number.isNaN(from))
      throw new CrmError(CrmErrorCode.INVALID, `amoCRM tasks: the cursor is not a time: ${since}`);
    let newest = 0;
    const pages: CrmTodoState[][] = [];
    for await (const rows of this.pages({
      'filter[updated_at][from]': Math.floor(from / 1000),
      'order[id]': 'asc',
    })) {
      for (const r of rows) if (typeof r.updated_at === 'number') newest = Math.max(newest, r.updated_at);
      pages.push(this.states(rows));
    }
    // The next look starts a minute before the newest change seen (amoCRM's own clock), never before `since`.
    const cursor = new Date(Math.max(from, (newest - TODO_CURSOR_OVERLAP_S) * 1000)).toISOString();
    if (!pages.length) yield { todos: [], cursor };
    for (const todos of pages) yield { todos, cursor };
  }

  async getTodos(ids: string[]): Promise<CrmTodoState[]> {
    const unique = [...new Set(ids.filter((i) => /^[1-9]\d{0,18}$/.test(i)))];
    const out: CrmTodoState[] = [];
    for (let k = 0; k < unique.length; k += FILTER_CHUNK) {
      const chunk = new Set(unique.slice(k, k + FILTER_CHUNK));
      for await (const rows of this.pages({ 'filter[id][]': [...chunk] }))
        out.push(...this.states(rows).filter((t) => chunk.has(t.id)));
    }
    return out;
  }

  async users(ids: string[]): Promise<Map<string, CrmUser> | null> {
    const wanted = new Set(ids);
    const out = new Map<string, CrmUser>();
    try {
      for (let page = 1; ; page++) {
        const body = (await this.http.get('/api/v4/users', { limit: PAGE_LIMIT, page })) as AmoRow | null;
        const rows = ((body?._embedded as AmoRow | undefined)?.users ?? []) as AmoRow[];
        for (const u of rows) {
          const id = String(u?.id ?? '');
          if (!wanted.has(id)) continue;
          const rights = (u.rights ?? {}) as AmoRow;
          out.set(id, {
            id,
            name: typeof u.name === 'string' ? u.name : '',
            active: rights.is_active !== false,
          });
        }
        if (!body || !(body._links as AmoRow | undefined)?.next) break;
      }
    } catch (e) {
      if (!(e instanceof CrmError) || e.code !== CrmErrorCode.FORBIDDEN) throw e;
      if (!this.warnedUsers)
        this.log.warn(
          'amoCRM GET /api/v4/users refused (403): only an administrator may list users, so a dismissed manager is not noticed — create the integration as an administrator',
        );
      this.warnedUsers = true;
      return null;
    }
    return out;
  }

  // ---------------------------------------------------------------- helpers

  /** One request's worth of adds or updates, until each has an outcome. */
  private async send(
    op: 'create' | 'update',
    chunk: { w: CrmTodoWrite; i: number }[],
    out: Outcome[],
  ): Promise<void> {
    let pending = chunk;
    let lost = 0;
    while (pending.length) {
      const body = pending.map(({ w, i }) => ({
        ...(op === 'update'
          ? { id: Number(w.id) }
          : {
              entity_type: AMO_ENTITY[w.todo.entity],
              entity_id: Number(w.todo.recordId),
              task_type_id: TODO_TASK_TYPE,
            }),
        text: textOf(w),
        complete_till: Math.floor(Date.parse(w.todo.deadline) / 1000),
        ...(w.todo.responsibleId ? { responsible_user_id: Number(w.todo.responsibleId) } : {}),
        request_id: String(i),
      }));
      let ans;
      try {
        ans = await this.write(op === 'create' ? 'POST' : 'PATCH', body);
      } catch (e) {
        if (!(e instanceof AmoFailure)) throw e;
        if (lost >= TRANSIENT_DELAYS_MS.length) {
          for (const { i } of pending) out[i] = { ok: false, error: e.error };
          return;
        }
        // The outcome is unknown: a created task is looked for on its record (by its text) before adding again.
        if (op === 'create') pending = await this.findLost(pending, out);
        if (pending.length)
          await this.http.backoff(
            TRANSIENT_DELAYS_MS[lost],
            `${op === 'create' ? 'POST' : 'PATCH'} /api/v4/tasks`,
            e,
          );
        lost++;
        continue;
      }
      if (ans.ok) {
        const rows = ((ans.body as AmoRow | null)?._embedded as AmoRow | undefined)?.tasks;
        const byRequest = new Map<string, string>();
        if (Array.isArray(rows))
          for (const r of rows as AmoRow[])
            if (typeof r?.id === 'number') byRequest.set(String(r.request_id ?? ''), String(r.id));
        for (const { w, i } of pending) {
          const id = byRequest.get(String(i)) ?? w.id;
          out[i] = id
            ? { ok: true, id }
            : {
                ok: false,
                error: new CrmError(CrmErrorCode.BAD_RESPONSE, `amoCRM tasks: no id for item ${i}`),
              };
        }
        return;
      }
      const failed = pending.filter(({ i }) => ans.refused.has(String(i)));
      if (!failed.length) {
        for (const { i } of pending) out[i] = { ok: false, error: ans.error };
        return;
      }
      for (const { w, i } of failed)
        out[i] = {
          ok: false,
          error: itemError(`task on ${w.todo.entity} ${w.todo.recordId}`, ans.refused.get(String(i))!),
        };
      pending = pending.filter(({ i }) => !ans.refused.has(String(i)));
    }
  }

  /** Creates whose answer was lost: an open task of the record with the same text settles it. */
  private async findLost(
    pending: { w: CrmTodoWrite; i: number }[],
    out: Outcome[],
  ): Promise<{ w: CrmTodoWrite; i: number }[]> {
    const rest: { w: CrmTodoWrite; i: number }[] = [];
    for (const p of pending) {
      let found: string | null = null;
      try {
        for await (const rows of this.pages({
          'filter[entity_type]': AMO_ENTITY[p.w.todo.entity],
          'filter[entity_id][]': [p.w.todo.recordId],
          'filter[is_completed]': 0,
        }))
          for (const r of rows) if (r.text === textOf(p.w) && typeof r.id === 'number') found = String(r.id);
      } catch (e) {
        this.log.warn(`amoCRM tasks: a lost add could not be looked up: ${(e as Error).message}`);
      }
      if (found) out[p.i] = { ok: true, id: found };
      else rest.push(p);
    }
    return rest;
  }

  private async write(
    method: 'POST' | 'PATCH',
    body: unknown[],
  ): Promise<
    { ok: true; body: unknown } | { ok: false; error: CrmError; refused: Map<string, AmoItemError[]> }
  > {
    const ans = await this.http.write(method, '/api/v4/tasks', body);
    if (ans.ok) return ans;
    return {
      ok: false,
      error: ans.error,
      refused: new Map(ans.entries.map((e) => [e.request_id, e.errors])),
    };
  }

  /** The pages of GET /api/v4/tasks (250 rows each) until `_links.next` is gone; 204 ends it. */
  private async *pages(query: AmoQuery): AsyncIterable<AmoRow[]> {
    for (let page = 1; ; page++) {
      const body = (await this.http.get('/api/v4/tasks', {
        ...query,
        limit: PAGE_LIMIT,
        page,
      })) as AmoRow | null;
      if (body === null) return;
      const rows = (body._embedded as AmoRow | undefined)?.tasks;
      if (!Array.isArray(rows))
        throw new CrmError(
          CrmErrorCode.BAD_RESPONSE,
          'amoCRM GET /api/v4/tasks: _embedded.tasks is not an array',
        );
      yield rows as AmoRow[];
      if (!(body._links as AmoRow | undefined)?.next) return;
    }
  }

  private states(rows: AmoRow[]): CrmTodoState[] {
    const out: CrmTodoState[] = [];
    for (const r of rows) {
      if (typeof r?.id !== 'number' || typeof r.is_completed !== 'boolean') {
        this.log.warn(`amoCRM GET /api/v4/tasks: a task row skipped (no id or is_completed)`);
        continue;
      }
      out.push({
        id: String(r.id),
        completed: r.is_completed,
        deadline: typeof r.complete_till === 'number' ? new Date(r.complete_till * 1000).toISOString() : null,
        responsibleId: typeof r.responsible_user_id === 'number' ? String(r.responsible_user_id) : null,
      });
    }
    return out;
  }
}

/** A task has one text: the to-do's title, a blank line, its description. */
function textOf(w: CrmTodoWrite): string {
  return `${w.todo.title}\n\n${w.todo.description}`;
}
