import { ApiKey } from '../auth/api-key.entity.js';
import { AuditEvent } from '../audit/audit-event.entity.js';
import { SYNC_ENTITY_CLASSES } from '../sync/sync.entities.js';

/**
 * Every TypeORM entity, listed explicitly (no globs: ESM + explicit lists are predictable).
 * A module adding an entity appends it here. Prefer plain columns over relations.
 */
export const ENTITIES = [ApiKey, AuditEvent, ...SYNC_ENTITY_CLASSES];
