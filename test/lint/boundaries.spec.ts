import { ESLint } from 'eslint';

/**
 * The module boundaries (eslint.boundaries.js) hold: a core module reaching an adapter or another
 * module's tables fails lint. Each case is linted as if it were a file at that path.
 */
const eslint = new ESLint({ cwd: process.cwd() });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('module boundaries', () => {
  it('reconciliation may not read sync tables directly', async () => {
    expect(await problems('src/reconcile/probe.ts', "export const q = 'SELECT onec_ref FROM entity_link';\n")).toEqual([
      expect.stringMatching(/^no-restricted-syntax: The sync module's tables/),
    ]);
  });

  it('sync may not read reconciliation tables, also in a template', async () => {
    expect(await problems('src/sync/probe.ts', 'export const q = (n: number) => `DELETE FROM discrepancy WHERE id = ${n}`;\n')).toEqual([
      expect.stringMatching(/^no-restricted-syntax: The reconcile module's tables/),
    ]);
  });

  it('a module reads and writes its own tables', async () => {
    expect(await problems('src/sync/probe.ts', "export const q = 'SELECT onec_ref FROM entity_link';\n")).toEqual([]);
  });

  it('a module outside the owners may not touch any of them', async () => {
    expect(await problems('src/dedupe/probe.ts', "export const q = 'UPDATE report_delivery SET x = 1';\n")).toEqual([
      expect.stringMatching(/^no-restricted-syntax: The report module's tables/),
    ]);
  });

  it('the to-do tables are the to-do module\'s: others use its reader; it uses the CrmPort', async () => {
    expect(await problems('src/metrics/probe.ts', "export const q = 'SELECT * FROM conflict_todo';\n")).toEqual([
      expect.stringMatching(/^no-restricted-syntax: The todos module's tables/),
    ]);
    expect(await problems('src/todos/probe.ts', "export const q = 'SELECT * FROM sync_conflict';\n")).toEqual([
      expect.stringMatching(/^no-restricted-syntax: The sync module's tables/),
    ]);
    expect(await problems('src/todos/probe.ts', "export const q = 'SELECT * FROM conflict_todo';\n")).toEqual([]);
    expect(
      await problems('src/todos/probe.ts', "import { Bitrix24TodoOps } from '../crm/bitrix24/bitrix24-todos.js';\nexport const a = Bitrix24TodoOps;\n"),
    ).toEqual([expect.stringMatching(/^no-restricted-imports: .*Use the CrmPort/)]);
  });

  it('core modules use the ports, not the adapters', async () => {
    expect(
      await problems('src/sync/probe.ts', "import { Bitrix24Adapter } from '../crm/bitrix24/bitrix24.adapter.js';\nexport const a = Bitrix24Adapter;\n"),
    ).toEqual([expect.stringMatching(/^no-restricted-imports: .*Use the CrmPort/)]);
  });
});
