import type { AmoCurrent } from './amocrm.types.js';

/**
 * What the adapter remembers of records it has just read, so that a write right after a read needs no
 * second read: a record's phones and e-mails with their codes, the parts of a contact's name, the linked
 * company (AmoCurrent). Forgotten when written; bounded (the oldest go first, and a forgotten record is
 * simply read again).
 */
export class RecordMemory {
  private readonly map = new Map<string, AmoCurrent>();

  constructor(private readonly limit = 50_000) {}

  get(entity: string, id: string): AmoCurrent | undefined {
    return this.map.get(`${entity}:${id}`);
  }

  remember(entity: string, id: string, current: AmoCurrent): void {
    const k = `${entity}:${id}`;
    this.map.delete(k);
    this.map.set(k, current);
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value as string);
  }

  forget(entity: string, id: string): void {
    this.map.delete(`${entity}:${id}`);
  }
}
