import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { innWithCheckDigits } from '../../src/common/ru-ids.js';
import { runDedupeCli } from '../../src/dedupe/dedupe-cli.js';

/** The dedupe command line end to end on real files: CSV and JSON in, JSON and CSV out. */
describe('dedupe CLI on files', () => {
  const inn = innWithCheckDigits('770123456');
  const other = innWithCheckDigits('165512345');
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sverka-dedupe-'));
    await writeFile(
      join(dir, 'records.csv'),
      [
        'system,id,name,inn,kpp,ogrn,phones,emails,linkedTo',
        `onec,ref-1,"ООО ""Ромашка""",${inn},770101001,,+7 495 123-45-67;8 916 000-11-22,info@romashka.ru,`,
        `onec,ref-2,"Ромашка, ООО",${inn},,,,,`,
        `onec,ref-3,"ООО «Ромашка»",${other},,,+7 843 212-34-56,,`,
        `crm,2919,Romashka LLC,,,,8 (495) 123-45-67,INFO@romashka.ru,`,
        `crm,2920,ООО Ромашка,${inn},,,+74951234567,,ref-1`,
        `crm,3001,ИП Иванов И.И.,,,,,,`,
        `crm,3002,ИП Иванов П.С.,,,,,,`,
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'records.json'),
      JSON.stringify([
        { system: 'onec', id: 'ref-1', name: 'АО "Заря"', inn, phones: ['+74951112233'], emails: [] },
        { system: 'crm', id: '10', name: 'Заря АО', phones: '8 495 111-22-33', emails: '' },
      ]),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runDedupeCli(args, {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
    });
    return { code, stdout, stderr };
  }

  it('prints clusters of every scope as JSON from a CSV file', async () => {
    const { code, stdout, stderr } = await run([join(dir, 'records.csv')]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as {
      clusters: { scope: string; members: { id: string }[]; reasons: string[] }[];
    };
    const ids = (scope: string) =>
      out.clusters.filter((c) => c.scope === scope).map((c) => c.members.map((m) => m.id));
    expect(ids('onec')).toEqual([['ref-1', 'ref-2']]);
    expect(ids('cross')).toEqual([['ref-1', '2919']]);
    expect(ids('crm')).toEqual([['2919', '2920']]);
    // Hard negatives: another INN, another person with a common surname.
    expect(stdout).not.toContain('ref-3');
    expect(stdout).not.toContain('"3001"');
    expect(out.clusters.find((c) => c.scope === 'cross')!.reasons).toContain('same phone +74951234567');
    expect(stderr).toMatch(/7 records \(3 1C, 4 CRM\)/);
  });

  it('prints CSV for one scope, with reasons masked on request', async () => {
    const { code, stdout } = await run([
      join(dir, 'records.csv'),
      '--format',
      'csv',
      '--scope',
      'cross',
      '--mask',
    ]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('cluster_id,scope,level,score,system,id,name,inn,reasons');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(',cross,duplicate,');
    expect(stdout).toContain('same phone +7******4567');
    expect(stdout).not.toContain('+74951234567');
  });

  it('reads JSON with ;-separated or array values and writes to --out', async () => {
    const out = join(dir, 'out.json');
    const { code } = await run([join(dir, 'records.json'), '--out', out, '--pairs']);
    expect(code).toBe(0);
    const written = JSON.parse(await readFile(out, 'utf8')) as {
      clusters: { scope: string }[];
      pairs: unknown[];
    };
    expect(written.clusters.map((c) => c.scope)).toEqual(['cross']);
    expect(written.pairs).toHaveLength(1);
  });

  it('refuses bad options and unreadable files with exit code 2', async () => {
    expect((await run([join(dir, 'records.csv'), '--format', 'xml'])).code).toBe(2);
    expect((await run([join(dir, 'records.csv'), '--scope', 'all'])).stderr).toContain(
      '--scope must be one of onec, crm, cross',
    );
    expect((await run([join(dir, 'missing.csv')])).stderr).toContain('no such file');
    expect((await run([])).code).toBe(2);
  });
});
