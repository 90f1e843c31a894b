import { B24SimError, Bitrix24State } from './bitrix24-state.js';

/** A portal with one company (id 1) and a clock the test moves. */
function portal() {
  let now = new Date('2026-12-01T09:00:00Z');
  const s = new Bitrix24State({ companies: [{ title: 'ООО «Ромашка»' }] }, () => now);
  return { s, t: s.todos, tick: (sec: number) => (now = new Date(now.getTime() + sec * 1000)) };
}

const fails = (fn: () => unknown): B24SimError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof B24SimError) return e;
    throw e;
  }
  throw new Error('did not fail');
};

describe('fake Bitrix24 to-dos and users', () => {
  it('todo.add stores a CRM_TODO activity in the REST shape, by the webhook user, deadline in portal time', () => {
    const { t } = portal();
    const { id } = t.todoAdd(
      {
        ownerTypeId: 4,
        ownerId: 1,
        deadline: '2026-12-03T09:00:00+00:00',
        title: 'Т',
        description: 'О',
        responsibleId: 3,
      },
      1,
    );
    expect(t.activityGet({ id })).toMatchObject({
      ID: String(id),
      OWNER_TYPE_ID: '4',
      OWNER_ID: '1',
      PROVIDER_ID: 'CRM_TODO',
      SUBJECT: 'Т',
      DESCRIPTION: 'О',
      DEADLINE: '2026-12-03T12:00:00+03:00',
      COMPLETED: 'N',
      RESPONSIBLE_ID: '3',
      AUTHOR_ID: '1',
      CREATED: '2026-12-01T12:00:00+03:00',
      LAST_UPDATED: '2026-12-01T12:00:00+03:00',
    });
    // Without responsibleId the caller is responsible; a local time is the portal's zone.
    const b = t.todoAdd({ ownerTypeId: 4, ownerId: 1, deadline: '2026-12-03T15:00:00' }, 1);
    expect(t.get(b.id)).toMatchObject({ RESPONSIBLE_ID: '1', DEADLINE: '2026-12-03T15:00:00+03:00' });
  });

  it('todo.add refuses a missing field, an unknown record and a bad date with the documented codes', () => {
    const { t } = portal();
    expect(fails(() => t.todoAdd({ ownerTypeId: 4, ownerId: 1 }, 1))).toMatchObject({
      status: 400,
      code: '100',
    });
    expect(
      fails(() => t.todoAdd({ ownerTypeId: 4, ownerId: 99, deadline: '2026-12-03T15:00:00' }, 1)),
    ).toMatchObject({
      code: 'OWNER_NOT_FOUND',
    });
    expect(fails(() => t.todoAdd({ ownerTypeId: 4, ownerId: 1, deadline: 'завтра' }, 1))).toMatchObject({
      code: 'WRONG_DATETIME_FORMAT',
    });
  });

  it('todo.update rewrites an open to-do and moves LAST_UPDATED; a completed one is refused', () => {
    const { t, tick } = portal();
    const { id } = t.todoAdd({ ownerTypeId: 4, ownerId: 1, deadline: '2026-12-03T09:00:00Z', title: 'a' }, 1);
    tick(60);
    t.todoUpdate(
      { id, ownerTypeId: 4, ownerId: 1, deadline: '2026-12-03T09:00:00Z', title: 'b', responsibleId: 5 },
      1,
    );
    expect(t.get(id)).toMatchObject({
      SUBJECT: 'b',
      RESPONSIBLE_ID: '5',
      LAST_UPDATED: '2026-12-01T12:01:00+03:00',
    });
    expect(
      fails(() => t.todoUpdate({ id: 999, ownerTypeId: 4, ownerId: 1, deadline: '2026-12-03T09:00:00Z' }, 1)),
    ).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(
      fails(() => t.todoUpdate({ id, ownerTypeId: 3, ownerId: 1, deadline: '2026-12-03T09:00:00Z' }, 1)),
    ).toMatchObject({
      code: 'OWNER_NOT_FOUND',
    });
    t.complete(id);
    expect(
      fails(() => t.todoUpdate({ id, ownerTypeId: 4, ownerId: 1, deadline: '2026-12-03T09:00:00Z' }, 1)),
    ).toMatchObject({
      code: 'CAN_NOT_UPDATE_COMPLETED_TODO',
    });
  });

  it('crm.activity.update completes; list filters by LAST_UPDATED, COMPLETED, @ID and pages by 50', () => {
    const { t, tick } = portal();
    const ids = Array.from(
      { length: 60 },
      () => t.todoAdd({ ownerTypeId: 4, ownerId: 1, deadline: '2026-12-03T09:00:00Z' }, 1).id,
    );
    tick(120);
    expect(t.activityUpdate({ id: ids[7], fields: { COMPLETED: 'Y' } }, 1)).toBe(true);
    t.complete(ids[8], 4);
    const since = { '>=LAST_UPDATED': '2026-12-01T09:01:00+00:00', PROVIDER_ID: 'CRM_TODO' };
    const changed = t.activityList({
      filter: since,
      order: { ID: 'ASC' },
      select: ['ID', 'COMPLETED', 'EDITOR_ID'],
      start: -1,
    });
    expect(changed).toEqual({
      rows: [
        { ID: String(ids[7]), COMPLETED: 'Y', EDITOR_ID: '1' },
        { ID: String(ids[8]), COMPLETED: 'Y', EDITOR_ID: '4' },
      ],
      total: 0,
    });
    const open = t.activityList({ filter: { COMPLETED: 'N' }, order: { ID: 'ASC' }, start: 0 });
    expect(open.rows).toHaveLength(50);
    expect(open.total).toBe(58);
    expect(open.next).toBe(50);
    expect(
      t.activityList({ filter: { '@ID': [ids[0], ids[59], 999] }, select: ['ID'] }).rows.map((r) => r.ID),
    ).toEqual([String(ids[0]), String(ids[59])]);
    expect(fails(() => t.activityList({ filter: { NOPE: 1 } }))).toMatchObject({ code: 'INVALID_ARG_VALUE' });
  });

  it('user.get lists users by ID with ACTIVE; a dismissed user is inactive, ACTIVE: true hides it', () => {
    const { t } = portal();
    t.dismissUser(3);
    expect(
      t.userGet({ filter: { ID: ['2', '3', '77'] } }).rows.map((u) => [u.ID, u.ACTIVE, u.LAST_NAME]),
    ).toEqual([
      ['2', true, 'Менеджерова'],
      ['3', false, 'Продажин'],
    ]);
    expect(t.userGet({ filter: { ID: ['2', '3'], ACTIVE: true } }).rows.map((u) => u.ID)).toEqual(['2']);
  });
});
