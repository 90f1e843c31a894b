import { loadSettingsSync } from '../config/settings.js';
import { createDataSource } from './data-source.js';

/** For the TypeORM CLI (`npm run migration:run|revert|generate`): DATABASE_URL from the environment or .env. */
const settings = loadSettingsSync({ mode: 'embedded' });
if (!settings.DATABASE_URL) {
  throw new Error('DATABASE_URL is required for the migration commands');
}
export default createDataSource(settings.DATABASE_URL);
