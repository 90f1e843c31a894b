import { pathToFileURL } from 'node:url';
import { simMapping } from '../sim/mapping.js';
import { OneCODataAdapter } from '../src/onec/odata/odata.adapter.js';
import type { OneCEntity } from '../src/onec/onec.types.js';
import { generateDataset } from '../sim/dataset/generate-dataset.js';
import { OneCSimulator } from '../sim/onec/onec-simulator.js';
import type { BenchRow } from './bench.types.js';
import { numberArgs } from './support/bench-args.js';

/**
 * Read throughput of the 1C OData adapter against the fake 1C server over real HTTP (loopback):
 * version scan, full keyset read, fetch by keys (20 per request), debts. Both ends share this
 * process and its CPU, so the figures are a floor for the adapter, not a 1C server's speed.
 * Args: `--counterparties=N` (default 20000; orders ≈ 2 per counterparty).
 */
export async function run(args: string[] = []): Promise<BenchRow[]> {
  const arg = numberArgs(args);
  const n = arg('counterparties', 20_000);
  const t0 = performance.now();
  const dataset = generateDataset({
    seed: 2026,
    counterparties: n,
    ordersPerCounterparty: 2,
    contactsPerCounterparty: 1.5,
  });
  const genMs = performance.now() - t0;
  const sim = await new OneCSimulator({ data: dataset.onec, clone: false }).start();
  const adapter = new OneCODataAdapter({
    baseUrl: sim.url,
    user: sim.user,
    password: sim.password,
    mapping: simMapping(),
  });
  const rows: BenchRow[] = [
    {
      name: 'data set generation',
      value: Math.round(genMs),
      unit: 'ms',
      note: `${n} counterparties, ${dataset.truth.counts.orders.rows} orders, ${dataset.truth.counts.contacts.rows} contacts`,
    },
  ];
  const measure = async (name: string, fn: () => Promise<number>, note = '') => {
    sim.clearCalls();
    const start = performance.now();
    const count = await fn();
    const s = (performance.now() - start) / 1000;
    const bytes = sim.calls.reduce((sum, c) => sum + c.bytes, 0);
    rows.push({
      name: `${name}: records/s`,
      value: Math.round(count / s),
      unit: 'records/s',
      note: `${count} records in ${s.toFixed(2)} s, ${sim.calls.length} requests${note ? `; ${note}` : ''}`,
    });
    rows.push({
      name: `${name}: response bytes`,
      value: +(bytes / 2 ** 20).toFixed(1),
      unit: 'MiB',
      note: `${Math.round(bytes / Math.max(1, count))} B/record, ${(bytes / 2 ** 20 / s).toFixed(1)} MiB/s`,
    });
  };
  try {
    const scan = (entity: OneCEntity) => async () => {
      let k = 0;
      for await (const page of adapter.scanVersions({ entity })) k += page.length;
      return k;
    };
    const readAll = (entity: OneCEntity) => async () => {
      let k = 0;
      for await (const page of adapter.readAll({ entity })) k += page.records.length + page.malformed.length;
      return k;
    };
    await measure('version scan counterparties', scan('counterparties'), '$top=500, keyset on Code');
    await measure('version scan orders', scan('deals'), 'keyset on (Date, Number)');
    await measure(
      'full read counterparties',
      readAll('counterparties'),
      'with contact information, converted',
    );
    await measure('full read orders', readAll('deals'), 'converted');
    const refs = dataset.onec.counterparties
      .filter((r) => !r.IsFolder)
      .slice(0, 2000)
      .map((r) => r.Ref_Key as string);
    await measure(
      'fetch by keys counterparties',
      async () => (await adapter.fetchByKeys('counterparties', refs)).records.length,
      '20 keys per request',
    );
    await measure(
      'debts (chart of accounts + Balance)',
      async () => (await adapter.readDebts()).length,
      'rows = counterparties with a balance',
    );
  } finally {
    await sim.close();
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run(process.argv.slice(2)).then(
    (rows) => {
      for (const r of rows)
        process.stdout.write(`${r.name}: ${r.value} ${r.unit}${r.note ? `  (${r.note})` : ''}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
