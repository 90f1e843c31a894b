import type { SyncEntity } from '../common/vocabulary.js';
import type { CrmPort } from '../crm/crm.port.js';
import type { OneCPort } from '../onec/onec.port.js';
import type { OneCContact, OneCOrder, OneCRecordMap, OneCVersionKeys } from '../onec/onec.types.js';
import type { RunHandle } from '../runs/run-lifecycle.js';
import { inScope, type RunScope, type ScopeResolver } from '../scope/scope.types.js';
import type { PlanRecorder } from './dry-run-plan.js';
import { digits, type OneCParty } from './match-records.js';
import type { SyncPlan } from './plan-sync.js';
import { CompanyCandidates, PLANNED_NEW } from './sync-matcher.js';
import type { SyncRunRow, SyncStore } from './sync-store.js';

/**
 * What one sync run carries through its entities (README.md#going-live): its handle; whether it only
 * plans, and where the plan goes; the pilot scope, resolved once; the counterparties' keys from 1C (folder,
 * INN, KPP, deletion mark), read once when scope or matching needs them; the CRM's candidate companies for
 * every unlinked counterparty, read once in a scan run; and, in a dry run, the companies its plan would
 * make or adopt, so contacts and orders are planned as the real run would do them.
 */
export class SyncRunContext {
  private scope: RunScope | null | undefined;
  private keys: Map<string, OneCVersionKeys> | null = null;
  /** Counterparty ref → the CRM company a dry run's plan would make (a placeholder id) or adopt. */
  readonly plannedCompanies = new Map<string, string>();
  /** Scan runs with matching: the candidate companies of every unlinked counterparty (one bulk read). */
  candidates: CompanyCandidates | undefined;

  constructor(
    readonly run: RunHandle<SyncRunRow>,
    /** A dry run's plan recorder; null for a real run. */
    readonly dry: PlanRecorder | null,
    private readonly deps: {
      onec: OneCPort;
      crm: CrmPort | null;
      store: SyncStore;
      scopes?: ScopeResolver | null;
    },
  ) {}

  get id(): string {
    return this.run.id;
  }

  /** The pilot scope of this run, resolved on first use (null: none configured). */
  async scopeOf(): Promise<RunScope | null> {
    if (this.scope === undefined) this.scope = this.deps.scopes ? await this.deps.scopes.resolve() : null;
    return this.scope;
  }

  /**
   * The keys the counterparty scan of this run read (`withKeys`); from then on matching takes the CRM's
   * candidates for all unlinked counterparties in one read.
   */
  keysScanned(keys: Map<string, OneCVersionKeys>): void {
    this.keys = keys;
    if (this.deps.crm)
      this.candidates = new CompanyCandidates(this.deps.crm, async () =>
        (await this.onecParties()).map((p) => digits(p.inn)),
      );
  }

  /** Counterparties' keys from 1C, read once per run. */
  async counterpartyKeys(): Promise<Map<string, OneCVersionKeys>> {
    if (!this.keys) {
      const keys = new Map<string, OneCVersionKeys>();
      for await (const page of this.deps.onec.scanVersions({ entity: 'counterparties', withKeys: true }))
        for (const v of page) if (v.keys) keys.set(v.ref, v.keys);
      this.keys = keys;
    }
    return this.keys;
  }

  /** Every live, unlinked, in-scope 1C counterparty with its INN/KPP: the 1C side of matching. */
  async onecParties(): Promise<OneCParty[]> {
    const keys = await this.counterpartyKeys();
    const scope = await this.scopeOf();
    const linked = await this.deps.store.crmIdsByRef('counterparties');
    const out: OneCParty[] = [];
    for (const [ref, k] of keys)
      if (!k.deletionMark && !linked.has(ref) && inScope(scope, ref) && digits(k.inn))
        out.push({ ref, inn: k.inn ?? '', kpp: k.kpp ?? '' });
    return out;
  }

  /** A dry run remembers the companies its counterparties' plan would make or adopt. */
  planned(plan: SyncPlan): void {
    for (const c of plan.create) this.plannedCompanies.set(c.ref, `${PLANNED_NEW}${c.ref}`);
    for (const l of plan.link) this.plannedCompanies.set(l.ref, l.crmId);
  }
}

/** The counterparty a 1C record belongs to (itself, a contact person's owner, an order's customer). */
export function counterpartyOf(entity: SyncEntity, r: OneCRecordMap[SyncEntity]): string | null {
  if (entity === 'counterparties') return r.ref;
  if (entity === 'contacts') return (r as OneCContact).ownerRef;
  return (r as OneCOrder).counterpartyRef;
}
