import type { CrmMappingDefaults } from '../mapping/mapping.types.js';
import { AMOCRM_MAPPING_DEFAULTS } from './amocrm/amocrm.defaults.js';
import { BITRIX24_MAPPING_DEFAULTS } from './bitrix24/bitrix24.defaults.js';

export type CrmKind = 'bitrix24' | 'amocrm';

/** The deal stages of the default mapping, by CRM_KIND (each adapter's defaults file). */
export function crmMappingDefaults(kind: CrmKind): CrmMappingDefaults {
  switch (kind) {
    case 'bitrix24':
      return BITRIX24_MAPPING_DEFAULTS;
    case 'amocrm':
      return AMOCRM_MAPPING_DEFAULTS;
  }
}
