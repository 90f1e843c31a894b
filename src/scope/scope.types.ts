import type { SyncEntity } from '../common/vocabulary.js';

/**
 * The pilot scope of one run (README.md#going-live), resolved against 1C: the counterparties that exist
 * for Sverka. A contact person or an order is in scope when its counterparty is; debts likewise.
 * `null` where a scope is expected means "no scope configured: the whole base".
 */
export interface RunScope {
  /** Ref_Keys of the in-scope counterparties (live or deletion-marked). */
  readonly counterparties: ReadonlySet<string>;
}

/** Whether a record of `entity` belonging to counterparty `counterpartyRef` is in scope (no scope: always). */
export function inScope(scope: RunScope | null, counterpartyRef: string | null): boolean {
  if (!scope) return true;
  return counterpartyRef !== null && scope.counterparties.has(counterpartyRef);
}

/** The entities sync and reconciliation cover (setting SYNC_ENTITIES), in link order. */
export type EnabledEntities = readonly SyncEntity[];

/** Resolves the pilot scope for a run (implemented by the scope module). */
export const SCOPE_RESOLVER = Symbol('ScopeResolver');
export interface ScopeResolver {
  /** The scope as 1C holds it now; null when none is configured. Throws when it cannot be resolved. */
  resolve(): Promise<RunScope | null>;
}
