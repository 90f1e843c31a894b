import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dataset } from './dataset.types.js';

/**
 * Writes a data set to `dir`: `onec/{counterparties,contacts,orders,accounts,balances}.json`
 * (arrays of OData rows), `crm/{companies,requisites,invoice-plan}.json`, and `truth.json` beside them,
 * plus `options.json`. Streams row by row, so 1M-row sets do not hit the string size limit.
 */
export async function writeDataset(dataset: Dataset, dir: string): Promise<void> {
  await mkdir(join(dir, 'onec'), { recursive: true });
  await mkdir(join(dir, 'crm'), { recursive: true });
  for (const [name, rows] of Object.entries(dataset.onec))
    await writeArray(join(dir, 'onec', `${name}.json`), rows as unknown[]);
  await writeArray(join(dir, 'crm', 'companies.json'), dataset.crm.companies);
  await writeArray(join(dir, 'crm', 'requisites.json'), dataset.crm.requisites);
  await writeObject(join(dir, 'crm', 'invoice-plan.json'), dataset.crm.invoicePlan);
  await writeObject(join(dir, 'options.json'), { ...dataset.options, maxFmId: dataset.crm.maxFmId });
  await writeObject(join(dir, 'truth.json'), dataset.truth);
}

async function writeArray(path: string, rows: unknown[]): Promise<void> {
  const f = await open(path, 'w');
  try {
    let buf = '[';
    for (let i = 0; i < rows.length; i++) {
      buf += (i ? ',\n' : '\n') + JSON.stringify(rows[i]);
      if (buf.length > 1 << 20) {
        await f.write(buf);
        buf = '';
      }
    }
    await f.write(`${buf}\n]\n`);
  } finally {
    await f.close();
  }
}

/** An object written key by key (large maps such as truth.debts.byRef stay under the string limit). */
async function writeObject(path: string, value: unknown): Promise<void> {
  const f = await open(path, 'w');
  try {
    await writeValue(f, value, '');
    await f.write('\n');
  } finally {
    await f.close();
  }
}

async function writeValue(
  f: Awaited<ReturnType<typeof open>>,
  value: unknown,
  indent: string,
): Promise<void> {
  if (value === null || typeof value !== 'object') {
    await f.write(JSON.stringify(value));
    return;
  }
  const text = JSON.stringify(value);
  if (text.length < 1 << 20) {
    await f.write(text);
    return;
  }
  if (Array.isArray(value)) {
    await writeArrayInline(f, value);
    return;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  await f.write('{');
  for (let i = 0; i < entries.length; i++) {
    await f.write(`${i ? ',' : ''}\n${indent}  ${JSON.stringify(entries[i][0])}: `);
    await writeValue(f, entries[i][1], `${indent}  `);
  }
  await f.write(`\n${indent}}`);
}

async function writeArrayInline(f: Awaited<ReturnType<typeof open>>, rows: unknown[]): Promise<void> {
  let buf = '[';
  for (let i = 0; i < rows.length; i++) {
    buf += (i ? ',' : '') + JSON.stringify(rows[i]);
    if (buf.length > 1 << 20) {
      await f.write(buf);
      buf = '';
    }
  }
  await f.write(`${buf}]`);
}
