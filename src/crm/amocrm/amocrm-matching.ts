import { CrmError, CrmErrorCode } from '../crm.error.js';
import type { CrmMatching } from '../crm.port.js';
import type { CrmCompany, CrmCompanyCandidate, CrmContact, CrmRead } from '../crm.types.js';
import { FILTER_CHUNK, INN_FILTER_CHUNK, PAGE_LIMIT, type AmoEntity } from './amocrm.constants.js';
import type { AmoQuery } from './amocrm-http.js';
import type { AmoRow } from './amocrm.types.js';
import { cfText, customFieldsOf } from './converters/converter.util.js';

/** What matching needs from the adapter. */
export interface MatchingReads {
  /** The id of the company field «ИНН» (undefined: the mapping keeps no INN). */
  innField(): Promise<number | undefined>;
  /** Whether `filter[…]` may be used (the account has API filtering and has not been seen ignoring it). */
  filters(): Promise<boolean>;
  /** The account answered a filtered list with rows the filter excludes: look-ups go another way from now on. */
  filtersIgnored(ae: AmoEntity): void;
  /** The pages of a list (250 rows each) until the last. */
  pages(ae: AmoEntity, query: AmoQuery): AsyncIterable<AmoRow[]>;
  /** `GET path` with a query: the body, or null for 204. */
  get(path: string, query?: AmoQuery): Promise<unknown>;
  /** Rows by id (`filter[id][]`, 100 a request, or one GET each without filtering). */
  rowsById(ae: AmoEntity, ids: string[]): Promise<AmoRow[]>;
  /** Rows → records as getMany converts them. */
  convert(entity: 'companies' | 'contacts', rows: AmoRow[]): Promise<CrmRead<CrmCompany | CrmContact>>;
}

const digits = (v: string) => v.replace(/\D/g, '');

/**
 * Matching before create on an amoCRM account (README.md#going-live).
 *
 * companiesByInn. The INN is a company text field. Three documented ways to find companies by it, and
 * what each costs for n INNs (amoCRM pages hold 250 rows and lists carry no total):
 * - `filter[custom_fields_values][<ИНН>][]` with 50 INNs a request: ⌈n ÷ 50⌉ requests — only on an
 *   account with API filtering (`is_api_filter_enabled`, the same filter findByExternalKey uses);
 * - `query=<inn>`, the free-text search: n requests (one per INN), on any account;
 * - reading every company: P = ⌈companies ÷ 250⌉ requests, on any account.
 * The targeted way costs t (⌈n ÷ 50⌉ or n); the full read is cheaper when P < t. P is learnt with one
 * request: page t of the list (250 a page) — none (204) means the list has fewer than t pages, and it is
 * read whole (≤ t − 1 requests, kept for this call only); rows there mean P ≥ t and the targeted way is
 * taken. So a call costs at most min(t, P) + 1 requests (no probe when t = 1). Whatever the way, only
 * companies whose INN (digits only) is one of those asked are kept, and the list of a filter that is seen
 * ignored is not trusted again (the search takes over).
 *
 * contactsOfCompanies: the companies with `with=contacts` (`filter[id][]`, 100 a request; one GET each
 * without filtering) give the contact ids; the contacts are read by id (100 a request).
 */
export class AmoCrmMatching implements CrmMatching {
  constructor(private readonly reads: MatchingReads) {}

  async companiesByInn(inns: string[]): Promise<CrmRead<CrmCompanyCandidate>> {
    const wanted = [...new Set(inns.map(digits).filter((i) => i !== ''))];
    const innField = await this.reads.innField();
    if (!wanted.length || innField === undefined) return { records: [], malformed: [] };
    const wantedSet = new Set(wanted);
    const innOf = (r: AmoRow): string | null => {
      try {
        return digits(cfText(customFieldsOf(r), innField));
      } catch {
        return null; // Unreadable fields: not a candidate here (bulkRead reports the row).
      }
    };
    const found = new Map<string, AmoRow>();
    const take = (rows: AmoRow[], among: Set<string>) => {
      for (const r of rows) {
        const inn = innOf(r);
        if (inn !== null && among.has(inn) && r?.id !== undefined) found.set(String(r.id), r);
      }
    };
    const filters = await this.reads.filters();
    const targeted = filters ? Math.ceil(wanted.length / INN_FILTER_CHUNK) : wanted.length;
    let whole = false;
    if (targeted > 1) {
      const probe = await this.reads.get('/api/v4/companies', { limit: PAGE_LIMIT, page: targeted });
      if (probe === null) {
        for await (const rows of this.reads.pages('companies', { 'order[id]': 'asc' })) take(rows, wantedSet);
        whole = true;
      }
    }
    if (!whole) {
      let i = 0;
      if (filters)
        for (; i < wanted.length; i += INN_FILTER_CHUNK) {
          const chunk = wanted.slice(i, i + INN_FILTER_CHUNK);
          let foreign = false;
          for await (const rows of this.reads.pages('companies', { [`filter[custom_fields_values][${innField}][]`]: chunk })) {
            take(rows, new Set(chunk));
            // A row holding none of the values asked: the account ignored the filter.
            if (rows.some((r) => !chunk.some((inn) => (innOf(r) ?? '').includes(inn)))) foreign = true;
          }
          if (foreign) {
            this.reads.filtersIgnored('companies');
            break;
          }
        }
      for (; i < wanted.length; i++)
        for await (const rows of this.reads.pages('companies', { query: wanted[i] })) take(rows, new Set([wanted[i]]));
    }
    const rows = [...found.values()].sort((a, b) => Number(a.id) - Number(b.id));
    const read = (await this.reads.convert('companies', rows)) as CrmRead<CrmCompany>;
    return {
      records: read.records.map((c) => ({
        id: c.id,
        title: c.title,
        external: c.external,
        taxIds: c.taxIds ? [{ kind: c.taxIds.kind, inn: c.taxIds.inn, kpp: c.taxIds.kpp, ogrn: c.taxIds.ogrn, fullName: c.taxIds.fullName, name: c.taxIds.name }] : [],
        responsibleId: c.responsibleId,
      })),
      malformed: read.malformed,
    };
  }

  async contactsOfCompanies(companyIds: string[]): Promise<CrmRead<CrmContact>> {
    const ids = [...new Set(companyIds.filter((i) => /^[1-9]\d{0,18}$/.test(i)))];
    const contactIds = new Set<string>();
    const collect = (r: AmoRow) => {
      const list = (r?._embedded as AmoRow | undefined)?.contacts;
      if (list === undefined) return;
      if (!Array.isArray(list))
        throw new CrmError(CrmErrorCode.BAD_RESPONSE, `amoCRM GET /api/v4/companies?with=contacts: _embedded.contacts is not an array`);
      for (const c of list as AmoRow[]) if (typeof c?.id === 'number') contactIds.add(String(c.id));
    };
    let i = 0;
    if (await this.reads.filters())
      for (; i < ids.length; i += FILTER_CHUNK) {
        const chunk = ids.slice(i, i + FILTER_CHUNK);
        const wanted = new Set(chunk);
        let foreign = false;
        for await (const rows of this.reads.pages('companies', { 'filter[id][]': chunk, with: 'contacts' }))
          for (const r of rows) {
            if (wanted.has(String(r?.id ?? ''))) collect(r);
            else foreign = true;
          }
        if (foreign) {
          this.reads.filtersIgnored('companies');
          break;
        }
      }
    for (; i < ids.length; i++) {
      const row = (await this.reads.get(`/api/v4/companies/${ids[i]}`, { with: 'contacts' })) as AmoRow | null;
      if (row) collect(row);
    }
    if (!contactIds.size) return { records: [], malformed: [] };
    const rows = await this.reads.rowsById('contacts', [...contactIds]);
    return (await this.reads.convert('contacts', rows)) as CrmRead<CrmContact>;
  }
}
