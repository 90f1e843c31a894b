import { SYNC_ENTITIES, type ReconcileEntity, type SyncEntity } from '../common/vocabulary.js';
import type { EnabledEntities } from './scope.types.js';

/** Injection token of the entities sync and reconciliation cover (setting SYNC_ENTITIES): an EnabledEntities. */
export const ENABLED_ENTITIES = Symbol('EnabledEntities');

/** The enabled entities from settings (all of them when the setting is absent, e.g. hand-made test settings). */
export function enabledEntitiesOf(settings: { SYNC_ENTITIES?: readonly SyncEntity[] }): EnabledEntities {
  return settings.SYNC_ENTITIES?.length ? [...settings.SYNC_ENTITIES] : [...SYNC_ENTITIES];
}

/** The entities reconciliation checks under SYNC_ENTITIES: the enabled ones, and `debts` with `counterparties`. */
export function enabledReconcileEntities(enabled: EnabledEntities): ReconcileEntity[] {
  return enabled.includes('counterparties') ? [...enabled, 'debts'] : [...enabled];
}

/** Why a check of a switched-off entity did not run (the run summary's skippedChecks, the report). */
export function switchedOffReason(entity: ReconcileEntity, enabled: EnabledEntities): string {
  return entity === 'debts'
    ? `switched off by SYNC_ENTITIES (${enabled.join(',')}): debts follow counterparties`
    : `switched off by SYNC_ENTITIES (${enabled.join(',')})`;
}
