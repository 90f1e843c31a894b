import type { SyncEntity } from '../common/vocabulary.js';
import { normalizeEmail, normalizePhone } from '../common/contact-values.js';
import type { CrmPort } from '../crm/crm.port.js';
import type { CrmCompany, CrmCompanyCandidate, CrmContact } from '../crm/crm.types.js';
import type { Mapping } from '../mapping/mapping.types.js';
import type { OneCContact, OneCCounterparty, OneCRecordMap } from '../onec/onec.types.js';
import {
  digits,
  matchContacts,
  matchCounterparties,
  type MatchDecision,
  type OneCParty,
} from './match-records.js';
import type { MatchStore, PendingMatch, ReviewItem } from './match-store.js';
import type { CrmCurrent } from './plan-sync.js';

/** What matching decided for a chunk's unlinked records (the rest are created as usual). */
export interface MatchOutcome {
  /** ref → the person's CRM record to adopt (planSync `matches`). */
  links: Map<string, { crmId: string; matchedTaxIds?: { inn: string; kpp: string } }>;
  /** The current state of those CRM records, for the planner. */
  current: CrmCurrent[];
  /** Records held for an operator's decision: not planned at all. */
  review: ReviewItem[];
  /** Decisions that could not be carried out (the chosen record is gone or taken): reopened with this reason. */
  reopen: { id: string; reason: string }[];
}

/** Where the planned company of a counterparty does not exist yet (a dry run's planned create). */
export const PLANNED_NEW = 'new:';

/**
 * Matching before create, the I/O around the pure match-records.ts: an operator's decisions from the
 * review queue first, then the CRM's candidates found in bulk (companies by INN, contacts of the linked
 * companies) and the 1C side (every live unlinked counterparty with the same INN), read only when some
 * CRM record has that INN. Writes nothing: the caller holds, reopens or plans (a dry run only plans).
 */
export class SyncMatcher {
  constructor(
    private readonly crm: CrmPort,
    private readonly mapping: Mapping,
    private readonly matches: MatchStore,
  ) {}

  /** Whether matching applies to an entity (orders are never matched). */
  on(entity: SyncEntity): boolean {
    if (entity === 'counterparties') return this.mapping.matching.counterparties !== 'off';
    if (entity === 'contacts') return this.mapping.matching.contacts !== 'off';
    return false;
  }

  /**
   * `records`: live 1C records of `entity` without a link. `onecParties` gives every live unlinked 1C
   * counterparty in scope (called only when a CRM candidate exists); `companyLinks` the company of each
   * counterparty (contacts).
   */
  async decide<E extends SyncEntity>(
    entity: E,
    records: OneCRecordMap[E][],
    ctx: {
      onecParties: () => Promise<OneCParty[]>;
      companyLinks?: ReadonlyMap<string, string>;
      /** The run's candidate companies (CompanyCandidates); without it the CRM is asked for this chunk's INNs. */
      candidates?: CompanyCandidates;
    },
  ): Promise<MatchOutcome> {
    const out: MatchOutcome = { links: new Map(), current: [], review: [], reopen: [] };
    if (!records.length || entity === 'deals') return out;
    const pending = await this.matches.pending(
      entity,
      records.map((r) => r.ref),
    );
    const decided = new Map<string, PendingMatch>();
    const open: OneCRecordMap[E][] = [];
    for (const r of records) {
      const p = pending.get(r.ref);
      if (p?.status === 'resolved') decided.set(r.ref, p);
      else if (this.on(entity)) open.push(r);
    }
    const decisions: MatchDecision[] =
      entity === 'counterparties'
        ? await this.counterparties(open as OneCCounterparty[], ctx.onecParties, ctx.candidates)
        : await this.contacts(open as OneCContact[], ctx.companyLinks);
    const byRef = new Map(records.map((r) => [r.ref, r]));
    for (const d of decisions) {
      if (d.action === 'link')
        out.links.set(d.ref, {
          crmId: d.crmId,
          ...(d.matchedTaxIds ? { matchedTaxIds: d.matchedTaxIds } : {}),
        });
      else if (d.action === 'review')
        out.review.push(reviewItem(entity, byRef.get(d.ref)!, d.reason, d.candidates));
    }
    for (const [ref, p] of decided) {
      if (!p.decisionCrmId) continue; // decided: create
      const r = byRef.get(ref)!;
      out.links.set(ref, {
        crmId: p.decisionCrmId,
        ...(entity === 'counterparties'
          ? {
              matchedTaxIds: {
                inn: digits((r as OneCCounterparty).inn),
                kpp: digits((r as OneCCounterparty).kpp),
              },
            }
          : {}),
      });
    }
    if (!out.links.size) return out;
    const ids = [...new Set([...out.links.values()].map((l) => l.crmId))];
    const read = await this.crm.getMany(entity === 'counterparties' ? 'companies' : 'contacts', ids);
    const byId = new Map(read.records.map((c) => [c.id, c as CrmCompany | CrmContact]));
    for (const [ref, l] of [...out.links]) {
      const cur = byId.get(l.crmId);
      const p = decided.get(ref);
      const taken =
        cur &&
        cur.external !== null &&
        !(cur.external.source === this.mapping.source && cur.external.key === ref);
      if (cur && !taken) continue;
      out.links.delete(ref);
      const why = cur
        ? `CRM record ${l.crmId} now belongs to ${cur.external!.source}`
        : `CRM record ${l.crmId} no longer exists`;
      if (p) out.reopen.push({ id: p.id, reason: `the chosen ${why}; decide again` });
      out.review.push(
        reviewItem(entity, byRef.get(ref)!, p ? `the chosen ${why}` : why, p?.candidates ?? []),
      );
    }
    out.current = [...out.links.values()].map((l) => byId.get(l.crmId)!).filter(Boolean) as CrmCurrent[];
    return out;
  }

  private async counterparties(
    records: OneCCounterparty[],
    onecParties: () => Promise<OneCParty[]>,
    candidates?: CompanyCandidates,
  ): Promise<MatchDecision[]> {
    const inns = [
      ...new Set(records.map((r) => digits(r.inn)).filter((i) => i.length === 10 || i.length === 12)),
    ];
    if (!inns.length) return records.map((r) => ({ ref: r.ref, action: 'create' as const }));
    const crm = candidates
      ? await candidates.forInns(inns)
      : (await this.crm.matching.companiesByInn(inns)).records.filter((c) => c.external === null);
    // The 1C side is read only when the CRM has someone to match (a portal without people's companies costs nothing).
    const onecSide = crm.length ? await onecParties() : [];
    const decisions = matchCounterparties({
      records: records.map((r) => ({ ref: r.ref, inn: r.inn, kpp: r.kpp })),
      onecSide,
      crm,
      onAmbiguous: this.mapping.matching.onAmbiguous,
    });
    for (const d of decisions) if (d.action === 'link') candidates?.claim(d.crmId);
    return decisions;
  }

  private async contacts(
    records: OneCContact[],
    companyLinks?: ReadonlyMap<string, string>,
  ): Promise<MatchDecision[]> {
    const persons = records.flatMap((r) => {
      const companyId = r.ownerRef ? companyLinks?.get(r.ownerRef) : undefined;
      if (!companyId || companyId.startsWith(PLANNED_NEW)) return [];
      return [
        {
          ref: r.ref,
          companyId,
          lastName: r.lastName,
          emails: r.emails.map((e) => normalizeEmail(e)).filter((e): e is string => !!e),
          phones: r.phones.map((p) => normalizePhone(p)).filter((p): p is string => !!p),
        },
      ];
    });
    const matched = new Set(persons.map((p) => p.ref));
    const rest = records
      .filter((r) => !matched.has(r.ref))
      .map((r) => ({ ref: r.ref, action: 'create' as const }));
    if (!persons.length) return rest;
    const crm = (await this.crm.matching.contactsOfCompanies([...new Set(persons.map((p) => p.companyId))]))
      .records;
    return [
      ...matchContacts({ records: persons, crm, onAmbiguous: this.mapping.matching.onAmbiguous }),
      ...rest,
    ];
  }
}

/**
 * A scan run's candidate companies, read once for every INN of the run's unlinked counterparties: one bulk
 * read (as cheap as reading those companies' tax details once) instead of one per chunk. Companies linked
 * earlier in the run are claimed and offered no more.
 */
export class CompanyCandidates {
  private byInn: Map<string, CrmCompanyCandidate[]> | null = null;
  private readonly claimed = new Set<string>();

  constructor(
    private readonly crm: CrmPort,
    private readonly allInns: () => Promise<string[]>,
  ) {}

  async forInns(inns: string[]): Promise<CrmCompanyCandidate[]> {
    if (!this.byInn) {
      const all = [...new Set([...(await this.allInns()), ...inns])];
      const read = all.length ? (await this.crm.matching.companiesByInn(all)).records : [];
      this.byInn = new Map();
      for (const c of read) {
        if (c.external !== null) continue;
        for (const i of new Set(c.taxIds.map((t) => digits(t.inn)).filter(Boolean))) {
          const list = this.byInn.get(i) ?? [];
          list.push(c);
          this.byInn.set(i, list);
        }
      }
    }
    const out = new Set<CrmCompanyCandidate>();
    for (const i of inns) for (const c of this.byInn.get(i) ?? []) if (!this.claimed.has(c.id)) out.add(c);
    return [...out];
  }

  claim(crmId: string): void {
    this.claimed.add(crmId);
  }
}

/** The name a review item and a plan item show for a 1C record. */
export function recordName(entity: SyncEntity, r: OneCRecordMap[SyncEntity]): string {
  if (entity === 'counterparties') return (r as OneCCounterparty).name;
  if (entity === 'contacts') {
    const c = r as OneCContact;
    return [c.lastName, c.firstName, c.middleName].filter(Boolean).join(' ');
  }
  const o = r as OneCRecordMap['deals'];
  return `${o.number} (${o.date.slice(0, 10)})`;
}

function reviewItem(
  entity: SyncEntity,
  r: OneCRecordMap[SyncEntity],
  reason: string,
  candidates: ReviewItem['candidates'],
): ReviewItem {
  const cp = entity === 'counterparties' ? (r as OneCCounterparty) : null;
  return {
    ref: r.ref,
    name: recordName(entity, r),
    inn: cp ? digits(cp.inn) || null : null,
    kpp: cp ? digits(cp.kpp) || null : null,
    reason,
    candidates,
  };
}
