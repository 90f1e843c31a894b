import type { CrmUser } from '../crm/crm.types.js';
import {
  chooseResponsible,
  conflictsFingerprint,
  planTodos,
  todoDeadline,
  type OpenTodo,
  type RecordGroup,
  type TodoConflict,
} from './plan-todos.js';

const c = (id: string, field = 'title', onecValue = '1С', crmValue = 'CRM'): TodoConflict => ({
  id,
  field,
  onecValue,
  crmValue,
});
const group = (
  crmId: string,
  conflicts: TodoConflict[],
  entity: RecordGroup['entity'] = 'counterparties',
): RecordGroup => ({
  entity,
  crmId,
  onecRef: `ref-${crmId}`,
  conflicts,
});
const todo = (
  crmId: string,
  conflicts: TodoConflict[],
  entity: OpenTodo['entity'] = 'counterparties',
): OpenTodo => ({
  id: `row-${crmId}`,
  todoId: `t-${crmId}`,
  entity,
  crmId,
  onecRef: `ref-${crmId}`,
  recordName: '',
  responsibleId: '3',
  responsibleName: '',
  fallback: false,
  deadline: new Date('2026-12-03T09:00:00Z'),
  conflicts,
  fingerprint: conflictsFingerprint(conflicts),
  createdAt: new Date('2026-12-01T09:00:00Z'),
});

describe('planTodos: one to-do per record with open conflicts', () => {
  it('creates for a new record, rewrites when its conflicts changed, leaves an unchanged one, closes one with none left', () => {
    const plan = planTodos({
      groups: [
        group('1', [c('10')]),
        group('2', [c('20'), c('21', 'inn')]),
        group('3', [c('30')]),
        group('4', [c('40', 'title', '1С новое')]),
        // Same CRM id, another entity: another record.
        group('1', [c('50')], 'deals'),
      ],
      open: [todo('2', [c('20')]), todo('3', [c('30')]), todo('4', [c('40')]), todo('5', [c('55')])],
    });
    expect(plan.create.map((g) => [g.entity, g.crmId])).toEqual([
      ['counterparties', '1'],
      ['deals', '1'],
    ]);
    expect(plan.update.map((u) => [u.todo.crmId, u.group.conflicts.map((x) => x.id)])).toEqual([
      ['2', ['20', '21']],
      ['4', ['40']],
    ]);
    expect(plan.close.map((t) => t.crmId)).toEqual(['5']);
  });

  it('the fingerprint follows ids, fields and both values, in order', () => {
    const base = conflictsFingerprint([c('1'), c('2')]);
    expect(conflictsFingerprint([c('1'), c('2')])).toBe(base);
    expect(conflictsFingerprint([c('2'), c('1')])).not.toBe(base);
    expect(conflictsFingerprint([c('1'), c('2', 'title', '1С', 'CRM2')])).not.toBe(base);
  });

  it('the deadline is `hours` after now', () => {
    expect(todoDeadline(new Date('2026-12-01T09:00:00Z'), 48).toISOString()).toBe('2026-12-03T09:00:00.000Z');
  });
});

describe("chooseResponsible: the record's manager, else the fallback, else the CRM's default — with a warning", () => {
  const users = new Map<string, CrmUser>([
    ['3', { id: '3', name: 'Пётр Продажин', active: true }],
    ['9', { id: '9', name: 'Уволенный', active: false }],
    ['1', { id: '1', name: 'Администратор', active: true }],
  ]);
  const where = 'companies 17';

  it('an active responsible user gets it, no warning', () => {
    expect(chooseResponsible({ recordResponsible: '3', users, fallback: '1', where })).toEqual({
      id: '3',
      name: 'Пётр Продажин',
      fallback: false,
      warning: null,
    });
  });

  it('dismissed, unknown or missing → the fallback user, saying why', () => {
    expect(chooseResponsible({ recordResponsible: '9', users, fallback: '1', where })).toEqual({
      id: '1',
      name: 'Администратор',
      fallback: true,
      warning: 'companies 17 has a dismissed responsible user (9): the to-do goes to the fallback user 1',
    });
    expect(chooseResponsible({ recordResponsible: '77', users, fallback: '1', where }).warning).toBe(
      'companies 17 has a responsible user the CRM does not know (77): the to-do goes to the fallback user 1',
    );
    expect(chooseResponsible({ recordResponsible: null, users, fallback: '1', where })).toMatchObject({
      id: '1',
      fallback: true,
    });
  });

  it("no usable fallback → the CRM's default user, saying so", () => {
    expect(chooseResponsible({ recordResponsible: '9', users, fallback: null, where })).toEqual({
      id: null,
      name: '',
      fallback: true,
      warning:
        "companies 17 has a dismissed responsible user (9) and no fallback user is set (conflicts.todoFallbackUser): the to-do goes to the CRM's default user",
    });
    expect(chooseResponsible({ recordResponsible: '9', users, fallback: '9', where }).warning).toMatch(
      /the fallback user 9 is dismissed too/,
    );
  });

  it("the CRM will not tell who exists → the record's user is trusted", () => {
    expect(chooseResponsible({ recordResponsible: '9', users: null, fallback: '1', where })).toEqual({
      id: '9',
      name: '',
      fallback: false,
      warning: null,
    });
    expect(chooseResponsible({ recordResponsible: null, users: null, fallback: '1', where })).toMatchObject({
      id: '1',
      fallback: true,
    });
  });
});
