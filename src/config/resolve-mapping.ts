import { loadMapping, MappingError } from '../mapping/mapping.loader.js';
import type { Mapping } from '../mapping/mapping.types.js';
import { SettingsError } from './settings.js';
import type { Settings } from './settings.schema.js';

/** The mapping in force: ONEC_MAPPING_FILE (JSON/YAML, merged over the default) when set, else the built-in default. */
export async function resolveMapping(settings: Settings): Promise<Mapping> {
  try {
    return await loadMapping(settings);
  } catch (e) {
    if (e instanceof MappingError) throw new SettingsError(e.problems.map((p) => `ONEC_MAPPING_FILE ${p}`));
    throw e;
  }
}
