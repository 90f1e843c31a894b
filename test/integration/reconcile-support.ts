import { CrmError, CrmErrorCode } from '../../src/crm/crm.error.js';
import type { CrmPort } from '../../src/crm/crm.port.js';
import type {
  CrmCompany,
  CrmContact,
  CrmDeal,
  CrmEntity,
  CrmInvoice,
  CrmMalformedRecord,
  CrmRead,
  CrmRecordMap,
  CrmStage,
  CrmTaxIds,
} from '../../src/crm/crm.types.js';
import { dealTitle, transformList } from '../../src/mapping/transform-values.js';
import type { Mapping } from '../../src/mapping/mapping.types.js';
import type { OneCPort } from '../../src/onec/onec.port.js';
import type { OneCContact, OneCCounterparty, OneCOrder } from '../../src/onec/onec.types.js';
import type { Dataset, DriftTarget } from '../../sim/dataset/index.js';

/** A company's tax details as this fake keeps them (a requisite, as on a Bitrix24 portal). */
interface SeededTaxIds extends CrmTaxIds {
  id: string;
  companyId: string;
  /** The 1C key of the record they are kept for (null: a person's). */
  key: string | null;
}

const external = (source: string | null, key: string | null) => (source && key ? { source, key } : null);
const values = (fm: { typeId: string; value: string }[], type: string) =>
  fm.filter((f) => f.typeId === type).map((f) => f.value);

/**
 * A CRM seeded directly (the brief's interim path until the Bitrix24 adapter and simulator land):
 * the dataset's manager-created companies, then what a correct sync of the 1C snapshot would have
 * written (one record per live 1C record, values normalised as the mapping says), then the planned
 * invoices. Reads page like the real port (50 per page); `failAfterPages` makes every read fail
 * once that many pages were served (a CRM that goes down mid-run).
 */
export class SeededCrm implements CrmPort, DriftTarget {
  companies = new Map<string, CrmCompany>();
  requisites = new Map<string, SeededTaxIds>();
  contacts = new Map<string, CrmContact>();
  deals = new Map<string, CrmDeal>();
  invoices = new Map<string, CrmInvoice & { xmlId: string }>();
  readonly linkByRef = new Map<string, string>();
  readonly dealByOrder = new Map<string, string>();
  failAfterPages: number | null = null;
  /** Rows the converter could not read, reported with the first page of their entity. */
  malformed: CrmMalformedRecord[] = [];
  private pages = 0;
  private nextId = 1;

  constructor(private readonly mapping: Mapping) {}

  static async synced(dataset: Dataset, onec: OneCPort, mapping: Mapping): Promise<SeededCrm> {
    const crm = new SeededCrm(mapping);
    const o = mapping.source;
    for (const c of dataset.crm.companies) {
      crm.companies.set(String(c.id), {
        id: String(c.id),
        title: c.title,
        external: external(c.originatorId, c.originId),
        sourceVersion: null,
        updatedTime: c.updatedTime,
        phones: values(c.fm, 'PHONE'),
        emails: values(c.fm, 'EMAIL'),
        taxIds: null,
        responsibleId: String(c.assignedById),
        flagged: false,
      });
      crm.nextId = Math.max(crm.nextId, c.id + 1);
    }
    for (const r of dataset.crm.requisites)
      crm.requisites.set(r.ID, {
        id: r.ID,
        companyId: r.ENTITY_ID,
        key: r.XML_ID,
        kind: 'legal',
        inn: r.RQ_INN,
        kpp: r.RQ_KPP,
        ogrn: r.RQ_OGRN || r.RQ_OGRNIP,
        fullName: r.RQ_COMPANY_FULL_NAME,
        name: r.RQ_COMPANY_NAME,
      });
    let reqId = 100_000;
    const fm = (vs: string[], t: 'phone_e164' | 'email_lower') => transformList(vs, [t]).values;
    for await (const page of onec.readAll({ entity: 'counterparties' })) {
      for (const c of page.records as OneCCounterparty[]) {
        if (c.deletionMark) continue;
        const id = String(crm.nextId++);
        crm.companies.set(id, {
          id,
          title: c.name.trim(),
          external: { source: o, key: c.ref },
          sourceVersion: c.dataVersion,
          updatedTime: '2026-11-28T00:00:00+03:00',
          phones: fm(c.phones, 'phone_e164'),
          emails: fm(c.emails, 'email_lower'),
          taxIds: null,
          responsibleId: '1',
          flagged: false,
        });
        const rid = String(reqId++);
        crm.requisites.set(rid, {
          id: rid,
          companyId: id,
          key: c.ref,
          kind: 'legal',
          inn: c.inn.trim(),
          kpp: c.kpp.trim(),
          ogrn: c.regNumber.trim(),
          fullName: c.fullName.trim(),
          name: c.name.trim(),
        });
        crm.linkByRef.set(c.ref, id);
      }
    }
    for await (const page of onec.readAll({ entity: 'contacts' })) {
      for (const c of page.records as OneCContact[]) {
        // As sync: only under a synced (live) counterparty.
        if (c.deletionMark || !c.ownerRef || !crm.linkByRef.has(c.ownerRef)) continue;
        const id = String(crm.nextId++);
        crm.contacts.set(id, {
          id,
          lastName: c.lastName.trim(),
          firstName: c.firstName.trim(),
          middleName: c.middleName.trim(),
          companyId: crm.linkByRef.get(c.ownerRef)!,
          external: { source: o, key: c.ref },
          sourceVersion: c.dataVersion,
          updatedTime: '',
          phones: fm(c.phones, 'phone_e164'),
          emails: fm(c.emails, 'email_lower'),
          responsibleId: '1',
          flagged: false,
        });
      }
    }
    for await (const page of onec.readAll({ entity: 'deals' })) {
      for (const d of page.records as OneCOrder[]) {
        // As sync: posted, of a synced counterparty, with a mapped status.
        if (
          d.deletionMark ||
          !d.posted ||
          !d.counterpartyRef ||
          !crm.linkByRef.has(d.counterpartyRef) ||
          !mapping.deals.statusMap[d.status]
        )
          continue;
        const id = String(crm.nextId++);
        crm.deals.set(id, {
          id,
          title: dealTitle(d.number, d.date),
          stage: mapping.deals.statusMap[d.status],
          stageKind: 'open',
          amount: d.amount,
          currency: 'RUB',
          companyId: crm.linkByRef.get(d.counterpartyRef)!,
          comments: '',
          updatedTime: '',
          external: { source: o, key: d.ref },
          responsibleId: '1',
          flagged: false,
        });
        crm.dealByOrder.set(d.ref, id);
      }
    }
    let invId = 1;
    for (const inv of dataset.invoicesFor(crm.linkByRef)) {
      const id = String(invId++);
      crm.invoices.set(id, {
        id,
        xmlId: inv.xmlId,
        companyId: String(inv.companyId),
        stage: inv.stageId,
        amount: inv.opportunity.toFixed(2),
        currency: 'RUB',
        updatedTime: '',
      });
    }
    return crm;
  }

  /** The link rows sync would hold (entity_link) for what this CRM was seeded with. */
  links(): { entity: string; onecRef: string; crmId: string }[] {
    const out: { entity: string; onecRef: string; crmId: string }[] = [];
    for (const [ref, id] of this.linkByRef) out.push({ entity: 'counterparties', onecRef: ref, crmId: id });
    for (const c of this.contacts.values())
      if (c.external?.source === this.mapping.source)
        out.push({ entity: 'contacts', onecRef: c.external.key, crmId: c.id });
    for (const [ref, id] of this.dealByOrder) out.push({ entity: 'deals', onecRef: ref, crmId: id });
    return out;
  }

  private table<E extends CrmEntity>(e: E): Map<string, CrmRecordMap[E]> {
    return (
      e === 'companies'
        ? this.companies
        : e === 'contacts'
          ? this.contacts
          : e === 'deals'
            ? this.deals
            : this.invoices
    ) as never;
  }

  private served(): void {
    if (this.failAfterPages !== null && this.pages++ >= this.failAfterPages)
      throw new CrmError(
        CrmErrorCode.TEMPORARY,
        'Bitrix24 did not answer (connection refused) after 5 attempts',
        503,
      );
  }

  async *bulkRead<E extends CrmEntity>(opts: {
    entity: E;
    afterId?: string;
  }): AsyncIterable<CrmRead<CrmRecordMap[E]>> {
    const all = [...this.table(opts.entity).values()].sort((a, b) => Number(a.id) - Number(b.id));
    for (let i = 0; i < all.length; i += 50) {
      this.served();
      yield {
        records: all.slice(i, i + 50).map((r) => this.withTaxIds(opts.entity, r)),
        malformed: i === 0 ? this.malformed.filter((x) => x.entity === opts.entity) : [],
      };
    }
  }

  async getMany<E extends CrmEntity>(entity: E, ids: string[]): Promise<CrmRead<CrmRecordMap[E]>> {
    this.served();
    const t = this.table(entity);
    return {
      records: ids
        .map((id) => t.get(id))
        .filter((x): x is CrmRecordMap[E] => !!x)
        .map((r) => this.withTaxIds(entity, r)),
      malformed: [],
    };
  }

  async getOne<E extends CrmEntity>(entity: E, id: string): Promise<CrmRecordMap[E] | null> {
    this.served();
    const r = this.table(entity).get(id);
    return r ? this.withTaxIds(entity, r) : null;
  }

  /** A company as the port gives it: with the tax details kept for its 1C record, else its first. */
  private withTaxIds<E extends CrmEntity>(entity: E, r: CrmRecordMap[E]): CrmRecordMap[E] {
    if (entity !== 'companies') return r;
    const c = r as CrmCompany;
    const all = [...this.requisites.values()]
      .filter((q) => q.companyId === c.id)
      .sort((a, b) => Number(a.id) - Number(b.id));
    const mine = all.find((q) => c.external && q.key === c.external.key);
    const pick = mine ?? all[0];
    if (!pick) return { ...c, taxIds: null } as CrmRecordMap[E];
    const { id: _id, companyId: _c, key: _k, ...tax } = pick;
    return { ...c, taxIds: { ...tax, owned: !!mine } } as CrmRecordMap[E];
  }

  readonly kind = 'seeded';
  readonly capabilities = { invoices: true, flags: false };
  readonly writeChunk = 50;
  /** Reconciliation never matches: no candidates. */
  readonly matching = {
    companiesByInn: async () => ({ records: [], malformed: [] }),
    contactsOfCompanies: async () => ({ records: [], malformed: [] }),
  };

  async findByExternalKey(): Promise<Map<string, string[]>> {
    return new Map();
  }

  async count(entity: CrmEntity, opts: { source?: string } = {}): Promise<number> {
    const all = [...this.table(entity).values()] as { external?: { source: string } | null }[];
    return opts.source ? all.filter((r) => r.external?.source === opts.source).length : all.length;
  }

  async listStages(kind: 'deal' | 'invoice'): Promise<CrmStage[]> {
    this.served();
    if (kind === 'deal')
      return [
        ...['NEW', 'PREPARATION', 'EXECUTING', 'FINAL_INVOICE'].map((id): CrmStage => ({
          id,
          name: id,
          kind: 'open',
        })),
        { id: 'WON', name: 'WON', kind: 'won' },
        { id: 'LOSE', name: 'LOSE', kind: 'lost' },
      ];
    return [
      { id: 'DT31_2:N', name: 'Новый', kind: 'open' },
      { id: 'DT31_2:S', name: 'Отправлен', kind: 'open' },
      { id: 'DT31_2:P', name: 'Оплачен', kind: 'won' },
      { id: 'DT31_2:D', name: 'Не оплачен', kind: 'lost' },
    ];
  }

  async applyWrites(): Promise<never> {
    throw new Error('SeededCrm is read-only for reconciliation tests');
  }

  async ping(): Promise<void> {}

  /** A made-up portal, so that reports of seeded runs carry card links. */
  recordUrl(entity: CrmEntity, id: string): string | null {
    return /^\d+$/.test(id) ? `https://seeded.crm.test/${entity}/${id}/` : null;
  }

  // ---- DriftTarget: managers at work ----
  companyIdOf(ref: string) {
    const id = this.linkByRef.get(ref);
    return id && this.companies.has(id) ? id : undefined;
  }
  dealIdOf(orderRef: string) {
    return this.dealByOrder.get(orderRef);
  }
  updateCompany(id: string | number, f: { title: string }) {
    this.companies.get(String(id))!.title = f.title;
  }
  updateRequisite(
    companyId: string | number,
    xmlId: string,
    f: Partial<Record<'RQ_INN' | 'RQ_KPP', string>>,
  ) {
    const r = [...this.requisites.values()].find(
      (q) => q.companyId === String(companyId) && q.key === xmlId,
    )!;
    if (f.RQ_INN !== undefined) r.inn = f.RQ_INN;
    if (f.RQ_KPP !== undefined) r.kpp = f.RQ_KPP;
  }
  deleteCompany(id: string | number) {
    this.companies.delete(String(id));
    for (const [rid, r] of this.requisites) if (r.companyId === String(id)) this.requisites.delete(rid);
  }
  updateDeal(id: string | number, f: { stageId: string }) {
    this.deals.get(String(id))!.stage = f.stageId;
  }
  updateInvoiceByXmlId(xmlId: string, f: { opportunity: number }) {
    const inv = [...this.invoices.values()].find((i) => i.xmlId === xmlId)!;
    inv.amount = f.opportunity.toFixed(2);
  }
  addCompany(
    company: Parameters<DriftTarget['addCompany']>[0],
    requisite: Parameters<DriftTarget['addCompany']>[1],
  ) {
    const id = String(this.nextId++);
    this.companies.set(id, {
      id,
      title: company.title,
      external: external(company.originatorId, company.originId),
      sourceVersion: null,
      updatedTime: company.updatedTime,
      phones: values(company.fm, 'PHONE'),
      emails: values(company.fm, 'EMAIL'),
      taxIds: null,
      responsibleId: '1',
      flagged: false,
    });
    if (requisite) {
      const rid = String(900_000 + this.requisites.size);
      this.requisites.set(rid, {
        id: rid,
        companyId: id,
        key: requisite.XML_ID,
        kind: 'legal',
        inn: requisite.RQ_INN,
        kpp: requisite.RQ_KPP,
        ogrn: requisite.RQ_OGRN || requisite.RQ_OGRNIP,
        fullName: requisite.RQ_COMPANY_FULL_NAME,
        name: requisite.RQ_COMPANY_NAME,
      });
    }
    return id;
  }
}
