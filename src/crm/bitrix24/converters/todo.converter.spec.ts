import { convertRow } from './converter.util.js';
import { toCrmTodoState, toCrmUser } from './todo.converter.js';

describe('Bitrix24 to-do and user rows', () => {
  it('reads a to-do as crm.activity.list sends it (strings, deadline with offset)', () => {
    expect(
      toCrmTodoState({
        ID: '999',
        COMPLETED: 'Y',
        DEADLINE: '2026-12-03T12:00:00+03:00',
        RESPONSIBLE_ID: '17',
        SUBJECT: 'whatever',
      }),
    ).toEqual({ id: '999', completed: true, deadline: '2026-12-03T09:00:00.000Z', responsibleId: '17' });
    expect(toCrmTodoState({ ID: 5, COMPLETED: 'N', DEADLINE: '', RESPONSIBLE_ID: '0' })).toEqual({
      id: '5',
      completed: false,
      deadline: null,
      responsibleId: null,
    });
  });

  it('a row it cannot read is reported with its id and the reason', () => {
    expect(convertRow('companies', { ID: '7', COMPLETED: true }, 'ID', toCrmTodoState)).toEqual({
      ok: false,
      malformed: { entity: 'companies', id: '7', reason: 'COMPLETED is not Y or N: true' },
    });
    expect(
      convertRow('companies', { ID: '8', COMPLETED: 'N', DEADLINE: 'завтра' }, 'ID', toCrmTodoState),
    ).toMatchObject({
      ok: false,
      malformed: { reason: 'DEADLINE is not an ISO 8601 datetime: "завтра"' },
    });
  });

  it('reads users: the name from NAME and LAST_NAME, ACTIVE as a boolean or Y/N', () => {
    expect(toCrmUser({ ID: '3', ACTIVE: false, NAME: 'Пётр', LAST_NAME: 'Продажин' })).toEqual({
      id: '3',
      name: 'Пётр Продажин',
      active: false,
    });
    expect(toCrmUser({ ID: '4', ACTIVE: 'Y', NAME: '', LAST_NAME: null })).toEqual({
      id: '4',
      name: '',
      active: true,
    });
    expect(() => toCrmUser({ ID: '4' })).toThrow('ACTIVE is not a boolean: undefined');
  });
});
