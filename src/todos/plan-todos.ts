import { createHash } from 'node:crypto';
import type { SyncEntity } from '../common/vocabulary.js';
import type { CrmUser } from '../crm/crm.types.js';

/**
 * The pure rules of conflict to-dos (src/todos/): one open to-do per CRM record with open conflicts; a
 * to-do whose record's conflicts changed (a new one, a 1C value that moved) is rewritten, keeping its
 * deadline; a to-do whose record has no open conflict left (resolved through the API) is closed; who gets
 * a new to-do. No I/O, no clock.
 */

/** One open conflict as a to-do names it. */
export interface TodoConflict {
  id: string;
  field: string;
  onecValue: string;
  crmValue: string;
}

/** A record with its open conflicts (oldest first). */
export interface RecordGroup {
  entity: SyncEntity;
  crmId: string;
  onecRef: string;
  conflicts: TodoConflict[];
}

/** An open to-do as Sverka keeps it. */
export interface OpenTodo {
  /** Sverka's row id. */
  id: string;
  /** The CRM's to-do id. */
  todoId: string;
  entity: SyncEntity;
  crmId: string;
  onecRef: string;
  recordName: string;
  responsibleId: string | null;
  responsibleName: string;
  fallback: boolean;
  deadline: Date;
  conflicts: TodoConflict[];
  fingerprint: string;
  createdAt: Date;
}

export interface TodoPlan {
  /** Records with open conflicts and no open to-do. */
  create: RecordGroup[];
  /** Open to-dos whose record's conflicts are no longer what they name. */
  update: { todo: OpenTodo; group: RecordGroup }[];
  /** Open to-dos whose record has no open conflict left. */
  close: OpenTodo[];
}

const key = (entity: string, crmId: string) => `${entity}\u001f${crmId}`;

/** What a to-do names: its conflicts' ids, fields and both values, in order. */
export function conflictsFingerprint(conflicts: TodoConflict[]): string {
  return createHash('sha1')
    .update(JSON.stringify(conflicts.map((c) => [c.id, c.field, c.onecValue, c.crmValue])))
    .digest('hex');
}

export function planTodos(input: { groups: RecordGroup[]; open: OpenTodo[] }): TodoPlan {
  const plan: TodoPlan = { create: [], update: [], close: [] };
  const open = new Map(input.open.map((t) => [key(t.entity, t.crmId), t]));
  const live = new Set<string>();
  for (const g of input.groups) {
    if (!g.conflicts.length) continue;
    const k = key(g.entity, g.crmId);
    live.add(k);
    const todo = open.get(k);
    if (!todo) plan.create.push(g);
    else if (todo.fingerprint !== conflictsFingerprint(g.conflicts)) plan.update.push({ todo, group: g });
  }
  for (const t of input.open) if (!live.has(key(t.entity, t.crmId))) plan.close.push(t);
  return plan;
}

/** A new to-do's deadline: `hours` after `now`, to the whole second (as CRMs keep times). */
export function todoDeadline(now: Date, hours: number): Date {
  return new Date(Math.floor(now.getTime() / 1000) * 1000 + hours * 3_600_000);
}

export interface ChosenResponsible {
  /** The user to give the to-do to; null = the CRM's default (the integration's own user). */
  id: string | null;
  name: string;
  /** The record's own responsible user could not take it. */
  fallback: boolean;
  /** Why not the record's own responsible user, for the log; null when it is. */
  warning: string | null;
}

/**
 * Who gets a new to-do: the record's responsible user while the CRM knows them as active; otherwise the
 * configured fallback user (when that one is active), otherwise nobody in particular (the CRM's default)
 * — each "otherwise" with a warning. `users` null: the CRM will not say who exists, so the record's user
 * is trusted (and the fallback used only for a record with none).
 */
export function chooseResponsible(input: {
  recordResponsible: string | null;
  users: ReadonlyMap<string, CrmUser> | null;
  fallback: string | null;
  where: string;
}): ChosenResponsible {
  const { recordResponsible: own, users, fallback, where } = input;
  if (!users) {
    if (own) return { id: own, name: '', fallback: false, warning: null };
    return {
      id: fallback,
      name: '',
      fallback: true,
      warning: `${where} has no responsible user: the to-do goes to ${fallback ? `the fallback user ${fallback}` : "the CRM's default user (set conflicts.todoFallbackUser)"}`,
    };
  }
  const ownUser = own ? users.get(own) : undefined;
  if (ownUser?.active) return { id: own, name: ownUser.name, fallback: false, warning: null };
  const why = !own
    ? 'has no responsible user'
    : ownUser
      ? `has a dismissed responsible user (${own})`
      : `has a responsible user the CRM does not know (${own})`;
  const fb = fallback ? users.get(fallback) : undefined;
  if (fallback && fb?.active)
    return {
      id: fallback,
      name: fb.name,
      fallback: true,
      warning: `${where} ${why}: the to-do goes to the fallback user ${fallback}`,
    };
  const noFallback = !fallback
    ? 'no fallback user is set (conflicts.todoFallbackUser)'
    : `the fallback user ${fallback} is ${fb ? 'dismissed' : 'unknown to the CRM'} too`;
  return {
    id: null,
    name: '',
    fallback: true,
    warning: `${where} ${why} and ${noFallback}: the to-do goes to the CRM's default user`,
  };
}
