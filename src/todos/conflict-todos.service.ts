import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { describeError } from '../common/describe-error.js';
import type { SyncEntity } from '../common/vocabulary.js';
import { CrmError } from '../crm/crm.error.js';
import { CRM_PORT, type CrmPort, type CrmTodos } from '../crm/crm.port.js';
import type {
  CrmCompany,
  CrmContact,
  CrmDeal,
  CrmTodoState,
  CrmTodoWrite,
  CrmUser,
} from '../crm/crm.types.js';
import { withAdvisoryLock } from '../database/advisory-lock.js';
import { FeedPullGate } from '../feed/feed-pull-gate.js';
import { MAPPING } from '../mapping/mapping.tokens.js';
import type { Mapping } from '../mapping/mapping.types.js';
import { MetricsRestoreService } from '../metrics/metrics-restore.service.js';
import { SverkaMetrics } from '../metrics/sverka-metrics.js';
import { ConflictsService } from '../sync/conflicts.service.js';
import { CRM_ENTITY } from '../sync/plan-applier.js';
import { SyncRunnerService } from '../sync/sync-runner.service.js';
import { ConflictTodoReader } from './conflict-todo.reader.js';
import { ConflictTodoRepository } from './conflict-todo.repository.js';
import { TodosMetricsRestore } from './todos-metrics.restore.js';
import {
  chooseResponsible,
  conflictsFingerprint,
  planTodos,
  todoDeadline,
  type OpenTodo,
  type RecordGroup,
} from './plan-todos.js';
import { todoDescription, todoTitle } from './todo-text.js';
import {
  RESOLVED_BY_TODO,
  TODO_FIRST_LOOK_BACK_MS,
  TODO_FULL_CHECK_EVERY_MS,
  TODO_UPKEEP_LOCK,
  TODO_WRITE_CHUNK,
} from './todos.constants.js';

/** What one upkeep pass did (logs, tests, the benchmark). */
export interface UpkeepSummary {
  created: number;
  updated: number;
  /** Completed in the CRM by a person. */
  completed: number;
  /** Conflicts resolved by those completions. */
  resolved: number;
  /** Closed by Sverka: no open conflict left on the record (resolved through the API). */
  closed: number;
  /** Deleted in the CRM (a new one is made while conflicts stay open). */
  gone: number;
  /** Writes the CRM refused or did not answer; tried again next pass. */
  failed: number;
  overdue: number;
}

const emptySummary = (): UpkeepSummary => ({
  created: 0,
  updated: 0,
  completed: 0,
  resolved: 0,
  closed: 0,
  gone: 0,
  failed: 0,
  overdue: 0,
});

/**
 * Conflict to-dos (mapping `conflicts.todo`, docs/for-managers.md): every CRM record with open conflicts of
 * the `manual` strategy gets one to-do in the CRM for its responsible user, with a deadline; new conflicts
 * rewrite the same to-do; a person completing it resolves the conflicts it named with the values the CRM
 * holds at that moment; conflicts resolved through the API close it. One pass (`upkeep`) under an advisory
 * lock: (1) completions — the to-dos changed since the last look (one cheap request), plus an hourly read
 * of all open ones by id; (2) the plan (plan-todos.ts) against the open conflicts — creates, rewrites,
 * closes, in CRM calls of ≤ 50; (3) the overdue gauge. Passes run every CONFLICT_TODO_CHECK_SECONDS
 * (conflict-todos.scheduler.ts), after each sync run and after each resolution, one at a time.
 */
@Injectable()
export class ConflictTodosService implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(ConflictTodosService.name);
  readonly repo: ConflictTodoRepository;
  readonly reader: ConflictTodoReader;
  private readonly gate: FeedPullGate;

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(MAPPING) private readonly mapping: Mapping,
    @Inject(ConflictsService) private readonly conflicts: ConflictsService,
    @Optional() @Inject(CRM_PORT) private readonly crm: CrmPort | null,
    @Optional() @Inject(SyncRunnerService) private readonly syncRunner?: SyncRunnerService | null,
    @Optional() @Inject(SverkaMetrics) private readonly metrics?: SverkaMetrics | null,
    @Optional() @Inject(MetricsRestoreService) private readonly metricsRestore?: MetricsRestoreService | null,
  ) {
    this.repo = new ConflictTodoRepository(db);
    this.reader = new ConflictTodoReader(db);
    this.gate = new FeedPullGate({
      pull: async () => void (await this.upkeep()),
      onError: (e) => this.log.warn(`conflict to-dos: upkeep failed: ${describeError(e)}`),
      minIntervalMs: 1000,
    });
  }

  /** To-dos are on (mapping) and the CRM can hold them. */
  get enabled(): boolean {
    return this.mapping.conflicts.todo && !!this.crm?.todos;
  }

  onModuleInit(): void {
    // Every instance shows the overdue gauge from the table, not only the one whose pass set it.
    this.metricsRestore?.register(new TodosMetricsRestore(this.db));
    if (this.mapping.conflicts.todo && this.crm && !this.crm.todos)
      this.log.warn(
        `conflicts.todo is on but the ${this.crm.kind} adapter cannot make to-dos: conflicts wait at /api/v1/conflicts only`,
      );
    if (!this.enabled) return;
    this.conflicts.onResolved(() => this.request());
    this.syncRunner?.onFinished(() => this.request());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.gate.close();
  }

  /** Asks for a pass soon (coalesced: one at a time, one more when asked meanwhile). */
  request(): void {
    if (this.enabled) this.gate.request();
  }

  /** Resolves when no requested pass runs or waits (tests). */
  idle(): Promise<void> {
    return this.gate.idle();
  }

  /** One pass, if this instance gets the lock (null: off, or another instance is at it). */
  async upkeep(now = new Date()): Promise<UpkeepSummary | null> {
    if (!this.enabled) return null;
    const { acquired, result } = await withAdvisoryLock(this.db, TODO_UPKEEP_LOCK, () => this.pass(now));
    return acquired ? result! : null;
  }

  private async pass(now: Date): Promise<UpkeepSummary> {
    const todos = this.crm!.todos!;
    const s = emptySummary();
    await this.completions(todos, now, s);
    await this.follow(todos, now, s);
    s.overdue = await this.refreshMetrics(now);
    if (s.created || s.updated || s.completed || s.closed || s.gone || s.failed)
      this.log.log(
        `conflict to-dos: ${s.created} made, ${s.updated} rewritten, ${s.completed} completed in the CRM (${s.resolved} conflict(s) resolved), ` +
          `${s.closed} closed, ${s.gone} deleted in the CRM, ${s.failed} failed; ${s.overdue} overdue`,
      );
    return s;
  }

  // ---------------------------------------------------------------- (1) completions in the CRM

  private async completions(todos: CrmTodos, now: Date, s: UpkeepSummary): Promise<void> {
    const open = await this.repo.open();
    if (!open.length) {
      // Nothing to watch: the next to-do starts a fresh look instead of reading a long past, and needs
      // no full check before its first hour.
      await this.repo.setState('cursor', null);
      await this.repo.setState('fullCheckAt', now.toISOString());
      return;
    }
    const byTodo = new Map(open.map((t) => [t.todoId, t]));
    const oldest = Math.min(...open.map((t) => t.createdAt.getTime()));
    const since =
      (await this.repo.getState('cursor')) ?? new Date(oldest - TODO_FIRST_LOOK_BACK_MS).toISOString();
    const seen = new Map<string, CrmTodoState>();
    let cursor = since;
    for await (const page of todos.todosChangedSince(since)) {
      for (const t of page.todos) if (byTodo.has(t.id)) seen.set(t.id, t);
      cursor = page.cursor;
    }
    const lastFull = await this.repo.getState('fullCheckAt');
    if (!lastFull || now.getTime() - Date.parse(lastFull) >= TODO_FULL_CHECK_EVERY_MS) {
      const got = await todos.getTodos(open.map((t) => t.todoId));
      for (const t of got) if (!seen.has(t.id)) seen.set(t.id, t);
      const present = new Set(got.map((t) => t.id));
      const gone = open.filter((t) => !present.has(t.todoId));
      if (gone.length) {
        s.gone += (
          await this.repo.end(
            gone.map((t) => t.id),
            'gone',
            now,
          )
        ).length;
        this.log.warn(
          `conflict to-dos: ${gone.length} deleted in the CRM; new ones are made while their conflicts stay open`,
        );
      }
      await this.repo.setState('fullCheckAt', now.toISOString());
    }
    const moved: { todo: OpenTodo; state: CrmTodoState }[] = [];
    const done: OpenTodo[] = [];
    for (const state of seen.values()) {
      const todo = byTodo.get(state.id)!;
      if (state.completed) done.push(todo);
      else if (
        // A CRM may keep deadlines to the minute: only a real move counts.
        (state.deadline !== null &&
          Math.abs(Date.parse(state.deadline) - todo.deadline.getTime()) >= 60_000) ||
        state.responsibleId !== todo.responsibleId
      )
        moved.push({ todo, state });
    }
    await this.completed(done, now, s);
    if (moved.length) {
      const users = await todos.users(
        moved.map((m) => m.state.responsibleId).filter((u): u is string => !!u),
      );
      for (const { todo, state } of moved)
        await this.repo.mirrored(
          todo.id,
          {
            deadline: state.deadline ? new Date(state.deadline) : todo.deadline,
            responsibleId: state.responsibleId,
            responsibleName: (state.responsibleId && users?.get(state.responsibleId)?.name) || '',
          },
          now,
        );
    }
    // Only once every page was read and acted on: a crash before this reads the same changes again.
    await this.repo.setState('cursor', cursor);
  }

  /**
   * People completed these to-dos: the conflicts each named are resolved as the CRM holds them now — all
   * of them in one call, so the CRM records are read once per entity whatever the number of to-dos.
   */
  private async completed(done: OpenTodo[], now: Date, s: UpkeepSummary): Promise<void> {
    if (!done.length) return;
    const resolved = new Set<string>();
    // One `resolved_by` per to-do: the audit log says which to-do settled which conflict.
    const todoOf = new Map(done.flatMap((t) => t.conflicts.map((c) => [c.id, t.todoId] as const)));
    const r = await this.conflicts.resolveAsInCrm(
      done.flatMap((t) => t.conflicts.map((c) => ({ id: c.id, onecValue: c.onecValue }))),
      (id) => `${RESOLVED_BY_TODO}:${todoOf.get(id) ?? '?'}`,
    );
    for (const id of r.resolved) resolved.add(id);
    s.resolved += r.resolved.length;
    s.completed += (
      await this.repo.end(
        done.map((t) => t.id),
        'completed',
        now,
      )
    ).length;
    for (const t of done) {
      const kept = t.conflicts.filter((c) => !resolved.has(c.id)).length;
      this.log.log(
        `conflict to-do ${t.todoId} (${t.entity} ${t.crmId}) completed in the CRM: ${t.conflicts.length - kept} conflict(s) resolved with the CRM's values` +
          (kept ? `, ${kept} left open (changed in 1C since, or already resolved)` : ''),
      );
    }
  }

  // ---------------------------------------------------------------- (2) to-dos in step with conflicts

  private async follow(todos: CrmTodos, now: Date, s: UpkeepSummary): Promise<void> {
    const groups: RecordGroup[] = (await this.conflicts.openByRecord()).map((g) => ({
      entity: g.entity,
      crmId: g.crmId,
      onecRef: g.onecRef,
      conflicts: g.conflicts.map(({ id, field, onecValue, crmValue }) => ({
        id,
        field,
        onecValue,
        crmValue,
      })),
    }));
    const plan = planTodos({ groups, open: await this.repo.open() });
    if (plan.close.length) await this.close(todos, plan.close, now, s);
    if (!plan.create.length && !plan.update.length) return;
    const records = await this.records([...plan.create, ...plan.update.map((u) => u.group)]);
    const fallback = this.mapping.conflicts.todoFallbackUser ?? null;
    const wanted = new Set<string>(fallback ? [fallback] : []);
    for (const g of plan.create) {
      const r = records.get(`${g.entity}\u001f${g.crmId}`)?.responsibleId;
      if (r) wanted.add(r);
    }
    const users: Map<string, CrmUser> | null = plan.create.length ? await todos.users([...wanted]) : null;
    type Item = { write: CrmTodoWrite; save: (id: string) => Promise<void>; closed?: () => Promise<void> };
    const items: Item[] = [];
    const deadline = todoDeadline(now, this.mapping.conflicts.todoDeadlineHours);
    for (const g of plan.create) {
      const rec = records.get(`${g.entity}\u001f${g.crmId}`);
      if (!rec) {
        this.log.warn(`conflict to-dos: ${g.entity} ${g.crmId} is not in the CRM; no to-do while it is gone`);
        continue;
      }
      const who = chooseResponsible({
        recordResponsible: rec.responsibleId,
        users,
        fallback,
        where: `${CRM_ENTITY[g.entity]} ${g.crmId}`,
      });
      if (who.warning) this.log.warn(`conflict to-dos: ${who.warning}`);
      const text = { entity: g.entity, recordName: rec.name, conflicts: g.conflicts };
      items.push({
        write: {
          key: `new:${g.entity}:${g.crmId}`,
          todo: {
            entity: CRM_ENTITY[g.entity],
            recordId: g.crmId,
            responsibleId: who.id,
            deadline: deadline.toISOString(),
            title: todoTitle(text),
            description: todoDescription(text),
          },
        },
        save: async (id) => {
          await this.repo.insert(
            {
              todoId: id,
              entity: g.entity,
              crmId: g.crmId,
              onecRef: g.onecRef,
              recordName: rec.name,
              responsibleId: who.id,
              responsibleName: who.name,
              fallback: who.fallback,
              deadline,
              conflicts: g.conflicts,
              fingerprint: conflictsFingerprint(g.conflicts),
            },
            now,
          );
          s.created++;
        },
      });
    }
    for (const { todo, group: g } of plan.update) {
      const name = records.get(`${g.entity}\u001f${g.crmId}`)?.name ?? todo.recordName;
      const text = { entity: g.entity, recordName: name, conflicts: g.conflicts };
      items.push({
        write: {
          key: `upd:${todo.id}`,
          id: todo.todoId,
          todo: {
            entity: CRM_ENTITY[g.entity],
            recordId: g.crmId,
            // Whoever the CRM shows now (a person may have reassigned it) keeps it, with the same deadline.
            responsibleId: todo.responsibleId,
            deadline: todo.deadline.toISOString(),
            title: todoTitle(text),
            description: todoDescription(text),
          },
        },
        save: async () => {
          await this.repo.rewritten(
            todo.id,
            { conflicts: g.conflicts, fingerprint: conflictsFingerprint(g.conflicts), recordName: name },
            now,
          );
          s.updated++;
        },
        // Completed or deleted in the CRM meanwhile: completed → its conflicts resolved; deleted → a new one next pass.
        closed: async () => {
          const [state] = await todos.getTodos([todo.todoId]);
          if (state?.completed) await this.completed([todo], now, s);
          else if (!state) s.gone += (await this.repo.end([todo.id], 'gone', now)).length;
        },
      });
    }
    for (let i = 0; i < items.length; i += TODO_WRITE_CHUNK) {
      const chunk = items.slice(i, i + TODO_WRITE_CHUNK);
      let results;
      try {
        results = await todos.upsertTodos(chunk.map((c) => c.write));
      } catch (e) {
        if (!(e instanceof CrmError) || e.fatal) throw e;
        s.failed += chunk.length;
        this.log.warn(
          `conflict to-dos: ${chunk.length} write(s) failed, tried again next pass: ${describeError(e)}`,
        );
        continue;
      }
      for (const [j, r] of results.entries()) {
        const item = chunk[j];
        if (r.ok) await item.save(r.id);
        else if (r.closed && item.closed) await item.closed();
        else {
          if (r.error.fatal) throw r.error;
          s.failed++;
          this.log.warn(
            `conflict to-dos: ${item.write.todo.entity} ${item.write.todo.recordId}: ${describeError(r.error)}`,
          );
        }
      }
    }
  }

  /** Open to-dos whose conflicts were all resolved elsewhere (the API): completed in the CRM by Sverka. */
  private async close(todos: CrmTodos, close: OpenTodo[], now: Date, s: UpkeepSummary): Promise<void> {
    let results;
    try {
      results = await todos.completeTodos(close.map((t) => t.todoId));
    } catch (e) {
      if (!(e instanceof CrmError) || e.fatal) throw e;
      s.failed += close.length;
      this.log.warn(
        `conflict to-dos: ${close.length} could not be closed, tried again next pass: ${describeError(e)}`,
      );
      return;
    }
    const byTodo = new Map(close.map((t) => [t.todoId, t]));
    const failed: OpenTodo[] = [];
    for (const r of results) {
      const t = byTodo.get(r.id)!;
      if (r.ok) s.closed += (await this.repo.end([t.id], 'closed', now)).length;
      else if (r.error?.fatal) throw r.error;
      else failed.push(t);
    }
    if (!failed.length) return;
    // A to-do the CRM would not complete may be gone: read back; absent → gone, else tried again next pass.
    const present = new Set((await todos.getTodos(failed.map((t) => t.todoId))).map((t) => t.id));
    const gone = failed.filter((t) => !present.has(t.todoId));
    s.gone += (
      await this.repo.end(
        gone.map((t) => t.id),
        'gone',
        now,
      )
    ).length;
    s.failed += failed.length - gone.length;
  }

  /** The records' names and responsible users, read from the CRM in one call per entity. */
  private async records(
    groups: RecordGroup[],
  ): Promise<Map<string, { name: string; responsibleId: string | null }>> {
    const out = new Map<string, { name: string; responsibleId: string | null }>();
    const crm = this.crm!;
    for (const entity of new Set(groups.map((g) => g.entity))) {
      const ids = [...new Set(groups.filter((g) => g.entity === entity).map((g) => g.crmId))];
      const read = await crm.getMany(CRM_ENTITY[entity], ids);
      for (const r of read.records)
        out.set(`${entity}\u001f${r.id}`, { name: recordName(entity, r), responsibleId: r.responsibleId });
    }
    return out;
  }

  /** Sets `sverka_conflicts_overdue{entity}`; returns the total. */
  private async refreshMetrics(now: Date): Promise<number> {
    const overdue = await this.reader.overdueAt(now);
    if (!overdue) return 0;
    for (const [entity, n] of Object.entries(overdue.byEntity))
      this.metrics?.conflictsOverdue.set({ entity }, n);
    return overdue.total;
  }
}

function recordName(entity: SyncEntity, r: CrmCompany | CrmContact | CrmDeal): string {
  if (entity === 'contacts') {
    const c = r as CrmContact;
    return [c.lastName, c.firstName, c.middleName].filter((p) => p.trim() !== '').join(' ');
  }
  return (r as CrmCompany | CrmDeal).title;
}
