import { defaultMapping } from '../mapping/default-mapping.js';
import type { Mapping } from '../mapping/mapping.types.js';
import { SettingsError } from './settings.js';
import type { Settings } from './settings.schema.js';

/** The mapping in force: ONEC_MAPPING_FILE when set, else the built-in default. */
export async function resolveMapping(settings: Settings): Promise<Mapping> {
  if (settings.ONEC_MAPPING_FILE) {
    throw new SettingsError(['ONEC_MAPPING_FILE: mapping files are not supported by this build yet']);
  }
  return defaultMapping(settings.ONEC_ORIGINATOR_ID);
}
