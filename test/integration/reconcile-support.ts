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
  CrmRequisite,
  CrmStage,
} from '../../src/crm/crm.types.js';
import { dealTitle, transformList } from '../../src/mapping/transform-values.js';
import type { Mapping } from '../../src/mapping/mapping.types.js';
import type { OneCPort } from '../../src/onec/onec.port.js';
import type { OneCContact, OneCCounterparty, OneCOrder } from '../../src/onec/onec.types.js';
import type { Dataset, DriftTarget } from '../../sim/dataset/index.js';

/**
 * A CRM seeded directly (the brief's interim path until the Bitrix24 adapter and simulator land):
 * the dataset's manager-created companies, then what a correct sync of the 1C snapshot would have
 * written (one record per live 1C record, values normalised as the mapping says), then the planned
 * invoices. Reads page like the real port (50 per page); `failAfterPages` makes every read fail
 * once that many pages were served (a CRM that goes down mid-run).
 */
export class SeededCrm implements CrmPort, DriftTarget {
  companies = new Map<string, CrmCompany>();
  requisites = new Map<string, CrmRequisite>();
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
    const o = mapping.originatorId;
    for (const c of dataset.crm.companies) {
      crm.companies.set(String(c.id), {
        id: String(c.id),
        title: c.title,
        originatorId: c.originatorId,
        originId: c.originId,
        originVersion: null,
        updatedTime: c.updatedTime,
        phones: c.fm
          .filter((f) => f.typeId === 'PHONE')
          .map((f) => ({ id: String(f.id), value: f.value, valueType: f.valueType })),
        emails: c.fm
          .filter((f) => f.typeId === 'EMAIL')
          .map((f) => ({ id: String(f.id), value: f.value, valueType: f.valueType })),
        assignedById: String(c.assignedById),
      });
      crm.nextId = Math.max(crm.nextId, c.id + 1);
    }
    for (const r of dataset.crm.requisites)
      crm.requisites.set(r.ID, {
        id: r.ID,
        companyId: r.ENTITY_ID,
        presetId: r.PRESET_ID,
        name: r.NAME,
        xmlId: r.XML_ID,
        inn: r.RQ_INN,
        kpp: r.RQ_KPP,
        companyName: r.RQ_COMPANY_NAME,
        fullName: r.RQ_COMPANY_FULL_NAME,
        ogrn: r.RQ_OGRN || r.RQ_OGRNIP,
      });
    let reqId = 100_000;
    const fm = (vs: string[], t: 'phone_e164' | 'email_lower') =>
      transformList(vs, [t]).values.map((value) => ({ id: null, value, valueType: 'WORK' }));
    for await (const page of onec.readAll({ entity: 'counterparties' })) {
      for (const c of page.records as OneCCounterparty[]) {
        if (c.deletionMark) continue;
        const id = String(crm.nextId++);
        crm.companies.set(id, {
          id,
          title: c.name.trim(),
          originatorId: o,
          originId: c.ref,
          originVersion: c.dataVersion,
          updatedTime: '2026-11-28T00:00:00+03:00',
          phones: fm(c.phones, 'phone_e164'),
          emails: fm(c.emails, 'email_lower'),
          assignedById: '1',
        });
        const rid = String(reqId++);
        crm.requisites.set(rid, {
          id: rid,
          companyId: id,
          presetId: '1',
          name: 'Реквизит',
          xmlId: c.ref,
          inn: c.inn.trim(),
          kpp: c.kpp.trim(),
          companyName: c.name.trim(),
          fullName: c.fullName.trim(),
          ogrn: c.regNumber.trim(),
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
          name: c.firstName.trim(),
          secondName: c.middleName.trim(),
          companyId: crm.linkByRef.get(c.ownerRef)!,
          originatorId: o,
          originId: c.ref,
          originVersion: c.dataVersion,
          updatedTime: '',
          phones: fm(c.phones, 'phone_e164'),
          emails: fm(c.emails, 'email_lower'),
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
          categoryId: '0',
          stageId: mapping.deals.statusMap[d.status],
          stageSemantic: 'P',
          opportunity: d.amount,
          currencyId: 'RUB',
          companyId: crm.linkByRef.get(d.counterpartyRef)!,
          comments: '',
          updatedTime: '',
          originatorId: o,
          originId: d.ref,
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
        stageId: inv.stageId,
        opportunity: inv.opportunity.toFixed(2),
        currencyId: 'RUB',
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
      if (c.originatorId === this.mapping.originatorId && c.originId)
        out.push({ entity: 'contacts', onecRef: c.originId, crmId: c.id });
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
        records: all.slice(i, i + 50),
        malformed: i === 0 ? this.malformed.filter((x) => x.entity === opts.entity) : [],
      };
    }
  }

  async getMany<E extends CrmEntity>(entity: E, ids: string[]): Promise<CrmRead<CrmRecordMap[E]>> {
    this.served();
    const t = this.table(entity);
    return { records: ids.map((id) => t.get(id)).filter((x): x is CrmRecordMap[E] => !!x), malformed: [] };
  }

  async getOne<E extends CrmEntity>(entity: E, id: string): Promise<CrmRecordMap[E] | null> {
    this.served();
    return this.table(entity).get(id) ?? null;
  }

  async findByOrigin(): Promise<Map<string, string[]>> {
    return new Map();
  }

  async count(entity: CrmEntity, opts: { originatorId?: string } = {}): Promise<number> {
    const all = [...this.table(entity).values()] as { originatorId?: string | null }[];
    return opts.originatorId ? all.filter((r) => r.originatorId === opts.originatorId).length : all.length;
  }

  async *readRequisites(opts: { companyIds?: string[] }): AsyncIterable<CrmRead<CrmRequisite>> {
    const ids = opts.companyIds ? new Set(opts.companyIds) : null;
    const all = [...this.requisites.values()]
      .filter((r) => !ids || ids.has(r.companyId))
      .sort((a, b) => Number(a.id) - Number(b.id));
    for (let i = 0; i < all.length; i += 50) {
      this.served();
      yield { records: all.slice(i, i + 50), malformed: [] };
    }
  }

  async listStages(kind: 'deal' | 'invoice'): Promise<CrmStage[]> {
    this.served();
    if (kind === 'deal')
      return [
        ...['NEW', 'PREPARATION', 'EXECUTING', 'FINAL_INVOICE'].map((id): CrmStage => ({
          id,
          name: id,
          semantics: 'P',
        })),
        { id: 'WON', name: 'WON', semantics: 'S' },
        { id: 'LOSE', name: 'LOSE', semantics: 'F' },
      ];
    return [
      { id: 'DT31_2:N', name: 'Новый', semantics: 'P' },
      { id: 'DT31_2:S', name: 'Отправлен', semantics: 'P' },
      { id: 'DT31_2:P', name: 'Оплачен', semantics: 'S' },
      { id: 'DT31_2:D', name: 'Не оплачен', semantics: 'F' },
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
      (q) => q.companyId === String(companyId) && q.xmlId === xmlId,
    )!;
    if (f.RQ_INN !== undefined) r.inn = f.RQ_INN;
    if (f.RQ_KPP !== undefined) r.kpp = f.RQ_KPP;
  }
  deleteCompany(id: string | number) {
    this.companies.delete(String(id));
    for (const [rid, r] of this.requisites) if (r.companyId === String(id)) this.requisites.delete(rid);
  }
  updateDeal(id: string | number, f: { stageId: string }) {
    this.deals.get(String(id))!.stageId = f.stageId;
  }
  updateInvoiceByXmlId(xmlId: string, f: { opportunity: number }) {
    const inv = [...this.invoices.values()].find((i) => i.xmlId === xmlId)!;
    inv.opportunity = f.opportunity.toFixed(2);
  }
  addCompany(
    company: Parameters<DriftTarget['addCompany']>[0],
    requisite: Parameters<DriftTarget['addCompany']>[1],
  ) {
    const id = String(this.nextId++);
    this.companies.set(id, {
      id,
      title: company.title,
      originatorId: company.originatorId,
      originId: company.originId,
      originVersion: null,
      updatedTime: company.updatedTime,
      phones: company.fm
        .filter((f) => f.typeId === 'PHONE')
        .map((f) => ({ id: String(f.id), value: f.value, valueType: f.valueType })),
      emails: company.fm
        .filter((f) => f.typeId === 'EMAIL')
        .map((f) => ({ id: String(f.id), value: f.value, valueType: f.valueType })),
      assignedById: '1',
    });
    if (requisite) {
      const rid = String(900_000 + this.requisites.size);
      this.requisites.set(rid, {
        id: rid,
        companyId: id,
        presetId: requisite.PRESET_ID,
        name: requisite.NAME,
        xmlId: requisite.XML_ID,
        inn: requisite.RQ_INN,
        kpp: requisite.RQ_KPP,
        companyName: requisite.RQ_COMPANY_NAME,
        fullName: requisite.RQ_COMPANY_FULL_NAME,
        ogrn: requisite.RQ_OGRN || requisite.RQ_OGRNIP,
      });
    }
    return id;
  }
}
