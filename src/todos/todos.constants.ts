/** The advisory lock of the to-do upkeep: one instance brings the CRM to-dos in step at a time. */
export const TODO_UPKEEP_LOCK = 'sverka:conflict-todos';

/**
 * Every so often the open to-dos are also read back by id, whatever the "changed since" look said: a
 * to-do deleted in the CRM, or a change the look missed, is noticed within this time. One request per
 * 2 500 open to-dos on Bitrix24.
 */
export const TODO_FULL_CHECK_EVERY_MS = 60 * 60_000;

/** With no cursor yet, the first "changed since" look starts this long before the oldest open to-do was made. */
export const TODO_FIRST_LOOK_BACK_MS = 10 * 60_000;

/** At most this many to-dos are written per CRM call (one Bitrix24 batch); each call's answer is stored before the next. */
export const TODO_WRITE_CHUNK = 50;

/** A record's name in a to-do's title is cut to this many characters. */
export const TODO_TITLE_NAME_MAX = 120;

/** The `resolved_by` of a conflict settled by completing its to-do in the CRM: `crm-todo:<to-do id>`. */
export const RESOLVED_BY_TODO = 'crm-todo';
