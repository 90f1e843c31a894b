import { Logger } from '@nestjs/common';
import { crmMappingDefaults } from '../crm/crm-defaults.js';
import { loadMapping, MappingError } from '../mapping/mapping.loader.js';
import type { Mapping } from '../mapping/mapping.types.js';
import { SettingsError } from './settings.js';
import type { Settings } from './settings.schema.js';

/**
 * The mapping in force: ONEC_MAPPING_FILE (JSON/YAML, merged over the default) when set, else the built-in
 * default with the deal stages of the CRM in use. Renamed keys of older files are logged as warnings.
 */
export async function resolveMapping(settings: Settings): Promise<Mapping> {
  try {
    return await loadMapping(settings, crmMappingDefaults(settings.CRM_KIND), (w) =>
      new Logger('Mapping').warn(`ONEC_MAPPING_FILE ${w}`),
    );
  } catch (e) {
    if (e instanceof MappingError) throw new SettingsError(e.problems.map((p) => `ONEC_MAPPING_FILE ${p}`));
    throw e;
  }
}
