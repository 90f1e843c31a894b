import type { CrmTodoState, CrmUser } from '../../crm.types.js';
import { MalformedRow, idOf, linkOf, textOf, type B24Row } from './converter.util.js';

/**
 * A `crm.activity.list`/`get` row of a universal to-do → CrmTodoState (docs/protocols/bitrix24.md#conflict-to-dos):
 * `ID`, `COMPLETED` `Y`/`N`, `DEADLINE` (ISO 8601 with offset or empty), `RESPONSIBLE_ID`. Older
 * methods send numbers as strings. Throws MalformedRow on anything else.
 */
export function toCrmTodoState(row: B24Row): CrmTodoState {
  const completed = row.COMPLETED;
  if (completed !== 'Y' && completed !== 'N')
    throw new MalformedRow(`COMPLETED is not Y or N: ${JSON.stringify(completed)}`);
  const deadline = textOf(row, 'DEADLINE');
  if (deadline !== '' && Number.isNaN(Date.parse(deadline)))
    throw new MalformedRow(`DEADLINE is not an ISO 8601 datetime: ${JSON.stringify(deadline)}`);
  return {
    id: idOf(row, 'ID'),
    completed: completed === 'Y',
    deadline: deadline === '' ? null : new Date(Date.parse(deadline)).toISOString(),
    responsibleId: linkOf(row, 'RESPONSIBLE_ID'),
  };
}

/** A `user.get` row → CrmUser (`ACTIVE` a boolean, or `Y`/`N` as older answers send it). */
export function toCrmUser(row: B24Row): CrmUser {
  const a = row.ACTIVE;
  if (a !== true && a !== false && a !== 'Y' && a !== 'N')
    throw new MalformedRow(`ACTIVE is not a boolean: ${JSON.stringify(a)}`);
  const name = [textOf(row, 'NAME'), textOf(row, 'LAST_NAME')].filter((p) => p.trim() !== '').join(' ');
  return { id: idOf(row, 'ID'), name, active: a === true || a === 'Y' };
}
