import { fieldLabel } from '../common/field-labels.js';
import type { SyncEntity } from '../common/vocabulary.js';
import { TODO_TITLE_NAME_MAX } from './todos.constants.js';

/**
 * The words of a conflict to-do, in Russian (managers read them in the CRM, docs/for-managers.md): the
 * title names the record and how many fields wait; the description names each field with its 1C and CRM
 * values and says what to do and what completing the to-do does. Values are shown as they are — the
 * to-do lives in the CRM next to the same values — never in logs. Pure.
 */

export interface TodoTextInput {
  entity: SyncEntity;
  /** The record's name in the CRM ('' when unknown). */
  recordName: string;
  conflicts: { field: string; onecValue: string; crmValue: string }[];
}

const NOUN: Record<SyncEntity, { of: string; the: string }> = {
  counterparties: { of: 'компании', the: 'компания' },
  contacts: { of: 'контакта', the: 'контакт' },
  deals: { of: 'сделки', the: 'сделка' },
};

/** `1 поле`, `2 поля`, `5 полей`. */
export function fieldsCount(n: number): string {
  const d10 = n % 10;
  const d100 = n % 100;
  const word =
    d10 === 1 && d100 !== 11 ? 'поле' : d10 >= 2 && d10 <= 4 && (d100 < 12 || d100 > 14) ? 'поля' : 'полей';
  return `${n} ${word}`;
}

function nameOf(input: TodoTextInput): string {
  const name = input.recordName.trim().replace(/\s+/g, ' ');
  if (!name) return '';
  return name.length > TODO_TITLE_NAME_MAX ? `${name.slice(0, TODO_TITLE_NAME_MAX - 1)}…` : name;
}

/** E.g. «Сверка с 1С: проверьте 2 поля — компания «ООО Ромашка»». */
export function todoTitle(input: TodoTextInput): string {
  const name = nameOf(input);
  const what = name ? `${NOUN[input.entity].the} «${name}»` : NOUN[input.entity].the;
  return `Сверка с 1С: проверьте ${fieldsCount(input.conflicts.length)} — ${what}`;
}

const shown = (v: string) => (v.trim() === '' ? '(пусто)' : v);

/** The field list with both values, what to do, and what completing the to-do does. */
export function todoDescription(input: TodoTextInput): string {
  const name = nameOf(input);
  const lines = [
    `В карточке ${NOUN[input.entity].of}${name ? ` «${name}»` : ''} эти поля изменили и в 1С, и в CRM. ` +
      'Sverka не перезаписывает их, пока вы не решите, какое значение верное.',
    '',
  ];
  input.conflicts.forEach((c, i) => {
    lines.push(
      `${i + 1}. ${fieldLabel(c.field, 'ru')}`,
      `   в 1С: ${shown(c.onecValue)}`,
      `   в CRM: ${shown(c.crmValue)}`,
    );
  });
  lines.push(
    '',
    'Что сделать:',
    '• верно значение 1С — исправьте поле в карточке, как в 1С;',
    '• верно значение CRM — оставьте карточку как есть и попросите исправить 1С.',
    'Затем завершите это дело. Sverka запомнит значения, которые будут в карточке в момент завершения, ' +
      'и не станет их перезаписывать, пока эти поля не изменят в 1С снова.',
  );
  return lines.join('\n');
}
