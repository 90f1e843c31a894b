import type { CrmMatching } from '../crm.port.js';
import type { CrmCompanyCandidate, CrmContact, CrmMalformedRecord, CrmRead } from '../crm.types.js';
import type { Bitrix24Config } from './bitrix24.config.js';
import { ENTITY_TYPE_ID, PAGE_SIZE, REQUISITE_SELECT, SELECT } from './bitrix24.constants.js';
import type { B24Requisite } from './bitrix24.types.js';
import { convertRows, type B24Row } from './converters/converter.util.js';
import { toCrmCompanyCandidate } from './converters/company.converter.js';
import { toB24Requisite } from './converters/requisite.converter.js';
import { taxIdsOfRequisite } from './tax-ids.util.js';

/** One list command of a `batch` request. */
export interface ListCommand {
  method: 'crm.item.list' | 'crm.requisite.list';
  params: Record<string, unknown>;
}

/** What matching needs from the adapter. */
export interface MatchingReads {
  /** List commands in `batch` requests of ≤ 50, the rows of each in order (throws CrmError). */
  lists(commands: ListCommand[]): Promise<unknown[][]>;
  /** `crm.item.list` contact rows → contacts (as getMany converts them). */
  contacts(rows: unknown[]): Promise<CrmRead<CrmContact>>;
}

/**
 * Company ids per requisite command of the second step: the command also excludes the requisites
 * already read (`!@ID`), so it returns only a company's further requisites — usually none — and can carry
 * many more ids than a page holds (≈ 500 values a command, well under PHP's default `max_input_vars`).
 */
const EXTRA_REQUISITES_CHUNK = 250;
/**
 * INNs per requisite command of the first step: a page holds 50 rows and `start=-1` says nothing of
 * more, so a full page is looked at again (`>ID`); with 49 INNs, one requisite per INN — the usual —
 * never fills the page.
 */
const INN_CHUNK = PAGE_SIZE - 1;
/** What a candidate needs of a company (crm.item.list `select`). */
const CANDIDATE_SELECT = ['id', 'title', 'originatorId', 'originId', 'assignedById'];

/**
 * Matching before create on a Bitrix24 portal (README.md#going-live), in `batch` requests of ≤ 50 list
 * commands, never a request per value:
 * - companiesByInn: (1) `crm.requisite.list` of company requisites with `@RQ_INN` over 49 INNs a command
 *   (a full page is continued with `>ID`); (2) in one more batch, the found companies (`crm.item.list`,
 *   `@id`, 50 a command) and their other requisites (`@ENTITY_ID` minus the IDs read in (1)), so every
 *   company comes once with all its tax details. Per 50 matching INNs that is about 2.2 commands, against
 *   the 2 of reading the same companies with bulkRead, in 2 batch requests a call (full ones from about
 *   2 500 INNs a call). The INN filter is the portal's exact compare: the
 *   INNs are given digits only, as 1C and the requisite form keep them.
 * - contactsOfCompanies: `crm.item.list` of contacts with `@companyId` over 50 companies a command
 *   (continued with `>id` when a page is full).
 */
export class Bitrix24Matching implements CrmMatching {
  constructor(
    private readonly reads: MatchingReads,
    private readonly config: Bitrix24Config,
  ) {}

  async companiesByInn(inns: string[]): Promise<CrmRead<CrmCompanyCandidate>> {
    const malformed: CrmMalformedRecord[] = [];
    const wanted = [...new Set(inns.map((i) => i.trim()).filter((i) => i !== ''))];
    const byCompany = new Map<string, Map<string, B24Requisite>>();
    const keep = (rows: unknown[]) => {
      const read = convertRows('requisites', rows, 'ID', toB24Requisite);
      malformed.push(...read.malformed);
      for (const r of read.records) {
        const list = byCompany.get(r.companyId) ?? new Map<string, B24Requisite>();
        list.set(r.id, r);
        byCompany.set(r.companyId, list);
      }
    };
    // (1) the requisites carrying these INNs.
    await this.pagedRequisites(
      chunks(wanted, INN_CHUNK).map((chunk) => ({ ENTITY_TYPE_ID: ENTITY_TYPE_ID.companies, '@RQ_INN': chunk })),
      keep,
    );
    // (2) the companies, and their requisites not read yet, in the same batch requests.
    const companyIds = [...byCompany.keys()].sort((a, b) => Number(a) - Number(b));
    const companyRows: unknown[] = [];
    const companyCalls: ListCommand[] = chunks(companyIds, PAGE_SIZE).map((ids) => ({
      method: 'crm.item.list',
      params: {
        entityTypeId: ENTITY_TYPE_ID.companies,
        select: CANDIDATE_SELECT,
        order: { id: 'ASC' },
        filter: { '@id': ids.map(Number) },
        start: -1,
      },
    }));
    await this.pagedRequisites(
      chunks(companyIds, EXTRA_REQUISITES_CHUNK).map((ids) => ({
        ENTITY_TYPE_ID: ENTITY_TYPE_ID.companies,
        '@ENTITY_ID': ids.map(Number),
        '!@ID': ids.flatMap((id) => [...byCompany.get(id)!.keys()].map(Number)),
      })),
      keep,
      companyCalls,
      (rows) => companyRows.push(...rows),
    );
    const read = convertRows('companies', companyRows, 'id', toCrmCompanyCandidate);
    const records: CrmCompanyCandidate[] = [];
    for (const c of read.records) {
      const requisites = [...(byCompany.get(c.id)?.values() ?? [])].sort((a, b) => Number(a.id) - Number(b.id));
      records.push({ ...c, taxIds: requisites.map((r) => taxIdsOfRequisite(r, this.config.presets)) });
    }
    records.sort((a, b) => Number(a.id) - Number(b.id));
    return { records, malformed: [...malformed, ...read.malformed] };
  }

  async contactsOfCompanies(companyIds: string[]): Promise<CrmRead<CrmContact>> {
    const ids = [...new Set(companyIds.filter((i) => /^\d+$/.test(i)))].map(Number);
    const rows: unknown[] = [];
    let open = chunks(ids, PAGE_SIZE).map((chunk) => ({ filter: { '@companyId': chunk } as Record<string, unknown>, after: 0 }));
    while (open.length) {
      const pages = await this.reads.lists(
        open.map((q) => ({
          method: 'crm.item.list',
          params: {
            entityTypeId: ENTITY_TYPE_ID.contacts,
            select: SELECT.contacts,
            order: { id: 'ASC' },
            filter: { ...q.filter, ...(q.after ? { '>id': q.after } : {}) },
            start: -1,
          },
        })),
      );
      open = open.flatMap((q, i) => {
        rows.push(...pages[i]);
        const last = lastId(pages[i], 'id', q.after);
        return pages[i].length >= PAGE_SIZE && last > q.after ? [{ filter: q.filter, after: last }] : [];
      });
    }
    const seen = new Set<string>();
    const unique = rows.filter((r) => {
      const id = String((r as B24Row | null)?.id ?? '');
      if (id !== '' && seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    return this.reads.contacts(unique);
  }

  /**
   * `crm.requisite.list` commands with these filters (ID order, `start=-1`), each continued with `>ID`
   * while its page is full; `extra` commands ride in the first batch requests and give their rows to
   * `onExtra`.
   */
  private async pagedRequisites(
    filters: Record<string, unknown>[],
    onRows: (rows: unknown[]) => void,
    extra: ListCommand[] = [],
    onExtra: (rows: unknown[]) => void = () => undefined,
  ): Promise<void> {
    let open = filters.map((filter) => ({ filter, after: 0 }));
    let riders = extra;
    while (open.length || riders.length) {
      const pages = await this.reads.lists([
        ...riders,
        ...open.map(
          (q): ListCommand => ({
            method: 'crm.requisite.list',
            params: {
              filter: { ...q.filter, ...(q.after ? { '>ID': q.after } : {}) },
              select: REQUISITE_SELECT,
              order: { ID: 'ASC' },
              start: -1,
            },
          }),
        ),
      ]);
      pages.slice(0, riders.length).forEach(onExtra);
      const mine = pages.slice(riders.length);
      riders = [];
      open = open.flatMap((q, i) => {
        onRows(mine[i]);
        const last = lastId(mine[i], 'ID', q.after);
        return mine[i].length >= PAGE_SIZE && last > q.after ? [{ filter: q.filter, after: last }] : [];
      });
    }
  }
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** The highest positive id of a page (rows without one are skipped), at least `after`. */
function lastId(rows: unknown[], key: 'id' | 'ID', after: number): number {
  let last = after;
  for (const r of rows) {
    const n = Number((r as B24Row | null)?.[key]);
    if (Number.isInteger(n) && n > last) last = n;
  }
  return last;
}
