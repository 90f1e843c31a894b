import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderDashboards } from './dashboards.js';

/**
 * `npm run dashboards`: writes dashboards/*.json from the TypeScript sources. Run from the project
 * root (npm does); an argument names another output directory.
 */
const outDir = resolve(process.argv[2] ?? join(process.cwd(), 'dashboards'));
for (const [file, text] of renderDashboards()) {
  writeFileSync(join(outDir, file), text);
  process.stdout.write(`wrote ${join(outDir, file)}\n`);
}
