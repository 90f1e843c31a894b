import { crmMappingDefaults, type CrmKind } from '../src/crm/crm-defaults.js';
import { defaultMapping } from '../src/mapping/default-mapping.js';
import type { Mapping } from '../src/mapping/mapping.types.js';

/** The built-in default mapping for a CRM kind (what `npm start` uses without ONEC_MAPPING_FILE). */
export function simMapping(kind: CrmKind = 'bitrix24', source = 'sverka-1c'): Mapping {
  return defaultMapping(source, crmMappingDefaults(kind));
}
