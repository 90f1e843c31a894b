import type { AmoEntity, AmoField, StoredValue } from './amocrm-fields.js';

/** The data model of the fake amoCRM account (what AmoCrmState stores). Timestamps are Unix seconds. */

/** Won and lost: the two closed statuses every pipeline has, with the same ids in every pipeline. */
export const WON_STATUS = 142;
export const LOST_STATUS = 143;

export interface AmoUser {
  id: number;
  name: string;
  email: string;
  is_admin: boolean;
  /** false: dismissed (deactivated) by an administrator; shown as `rights.is_active` (default true). */
  is_active?: boolean;
}

export interface AmoStatus {
  id: number;
  name: string;
  sort: number;
  is_editable: boolean;
  pipeline_id: number;
  color: string;
  /** 1: the pipeline's «Неразобранное» (unsorted); 0: every other status. */
  type: 0 | 1;
}

export interface AmoPipeline {
  id: number;
  name: string;
  sort: number;
  is_main: boolean;
  is_unsorted_on: boolean;
  is_archive: boolean;
  /** In `sort` order: unsorted, the open statuses, 142, 143. */
  statuses: AmoStatus[];
}

/** A company, contact or lead. Fields an entity does not have stay at their defaults. */
export interface AmoRecord {
  id: number;
  entity: AmoEntity;
  name: string;
  /** Contacts. */
  first_name: string;
  last_name: string;
  /** Leads: whole currency units (an integer). */
  price: number;
  status_id: number;
  pipeline_id: number;
  closed_at: number | null;
  responsible_user_id: number;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  /** Custom field values by field id. */
  values: Map<number, StoredValue[]>;
  /** Tag ids. */
  tags: number[];
  /** Deleted by a person in the account's interface (there is no delete in the API): a tombstone. */
  deleted: boolean;
}

export type TaskEntityType = 'leads' | 'contacts' | 'companies' | 'customers';

export interface AmoTask {
  id: number;
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
  responsible_user_id: number;
  entity_id: number | null;
  entity_type: TaskEntityType | null;
  /** Seconds. */
  duration: number;
  is_completed: boolean;
  task_type_id: number;
  text: string;
  /** The result text a person wrote when completing it. */
  result: string | null;
  complete_till: number;
}

/** Task types of the account: the two standard ones and one the account added. */
export const TASK_TYPES = [
  { id: 1, name: 'Связаться', code: 'FOLLOW_UP' },
  { id: 2, name: 'Встреча', code: 'MEETING' },
  { id: 3, name: 'Написать письмо', code: null },
] as const;

/** A link between two records as the links API shows it. */
export interface AmoLink {
  entity_id: number;
  entity_type: AmoEntity;
  to_entity_id: number;
  to_entity_type: AmoEntity;
  metadata: { main_contact: boolean } | null;
}

/**
 * What an account is seeded with. Records are in the write shape of the API (`custom_fields_values` by
 * `field_id` or `field_code`, `_embedded.tags`), plus `id` and the creation fields; they are checked
 * like API writes, so a broken seed fails at once.
 */
export interface AmoCrmSeed {
  accountId?: number;
  subdomain?: string;
  /** Default: five users, the first an administrator (the token's user). */
  users?: AmoUser[];
  /** Default: defaultPipelines(). */
  pipelines?: AmoPipeline[];
  /** Custom fields besides the predefined ones (with their ids). */
  fields?: Partial<Record<AmoEntity, Omit<AmoField, 'entity_type'>[]>>;
  companies?: SeedRecord[];
  contacts?: SeedRecord[];
  leads?: SeedRecord[];
  links?: Omit<AmoLink, 'metadata'>[];
  tasks?: (Partial<AmoTask> & { text: string; complete_till: number })[];
}

export type SeedRecord = Record<string, unknown> & { id?: number };

/** The users of a new simulated account. */
export function defaultUsers(): AmoUser[] {
  return [
    { id: 504141, name: 'Администратор', email: 'admin@example.ru', is_admin: true },
    { id: 504142, name: 'Ольга Менеджерова', email: 'olga@example.ru', is_admin: false },
    { id: 504143, name: 'Пётр Продажин', email: 'petr@example.ru', is_admin: false },
    { id: 504144, name: 'Ирина Клиентова', email: 'irina@example.ru', is_admin: false },
    { id: 504145, name: 'Сергей Сделкин', email: 'sergey@example.ru', is_admin: false },
  ];
}

/**
 * The pipelines of a new account: the main «Воронка» with amoCRM's default stages and a second
 * «Сервис» pipeline (so a client must pick the main one by `is_main`, not by position).
 */
export function defaultPipelines(): AmoPipeline[] {
  const pipeline = (id: number, name: string, sort: number, isMain: boolean, open: string[]): AmoPipeline => {
    const status = (
      sid: number,
      sname: string,
      ssort: number,
      type: 0 | 1,
      editable: boolean,
      color: string,
    ) => ({
      id: sid,
      name: sname,
      sort: ssort,
      is_editable: editable,
      pipeline_id: id,
      color,
      type,
    });
    return {
      id,
      name,
      sort,
      is_main: isMain,
      is_unsorted_on: true,
      is_archive: false,
      statuses: [
        status(id * 10 + 1, 'Неразобранное', 10, 1, false, '#c1c1c1'),
        ...open.map((s, i) => status(id * 10 + 2 + i, s, 20 + i * 10, 0, true, '#99ccff')),
        status(WON_STATUS, 'Успешно реализовано', 10000, 0, false, '#CCFF66'),
        status(LOST_STATUS, 'Закрыто и не реализовано', 11000, 0, false, '#D5D8DB'),
      ],
    };
  };
  return [
    pipeline(7700001, 'Воронка', 1, true, [
      'Первичный контакт',
      'Переговоры',
      'Принимают решение',
      'Согласование договора',
    ]),
    pipeline(7700002, 'Сервис', 2, false, ['Новая заявка', 'В работе']),
  ];
}
