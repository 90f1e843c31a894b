import { readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchRow, BenchRun } from './bench.types.js';

/**
 * `npm run bench [-- <name-filter>… --name=N…]`: runs every bench/*.bench.ts (built to dist/bench) one
 * after another and prints one table of figures with the machine and the date. Words pick the benches
 * whose file name contains one of them; `--name=N` options are passed to each bench picked (a bench
 * reads the ones it knows, e.g. `npm run bench -- sync-floor --counterparties=1000`).
 */
async function main(argv: string[]): Promise<void> {
  const options = argv.filter((a) => a.startsWith('--'));
  const filters = argv.filter((a) => !a.startsWith('--'));
  const here = dirname(fileURLToPath(import.meta.url));
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.bench.js'))
    .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
    .sort();
  const rows: (BenchRow & { bench: string })[] = [];
  process.stdout.write(
    `Sverka benchmarks — ${new Date().toISOString()} — node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB\n`,
  );
  for (const f of files) {
    const bench = f.replace(/\.bench\.js$/, '');
    process.stdout.write(`\n▶ ${bench}\n`);
    const mod = (await import(pathToFileURL(join(here, f)).href)) as { run?: BenchRun };
    if (typeof mod.run !== 'function') {
      process.stdout.write(`  (no run() export, skipped)\n`);
      continue;
    }
    const t0 = Date.now();
    try {
      for (const r of await mod.run(options)) {
        rows.push({ ...r, bench });
        process.stdout.write(`  ${r.name}: ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}\n`);
      }
    } catch (err) {
      process.stdout.write(`  FAILED: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
    process.stdout.write(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  }
  process.stdout.write('\n| bench | figure | value | unit | note |\n|---|---|---|---|---|\n');
  for (const r of rows)
    process.stdout.write(`| ${r.bench} | ${r.name} | ${r.value} | ${r.unit} | ${r.note ?? ''} |\n`);
}

void main(process.argv.slice(2));
