/**
 * The layering of docs/architecture.md as lint rules:
 * - the capabilities (sync, reconcile, dedupe, report, runs, mapping, metrics, feed, common) use the ports
 *   (src/crm/crm.port.ts, src/onec/onec.port.ts), never an adapter or an HTTP/SMTP client directly;
 * - a module's tables are read and written by that module alone; the others use the reader it exports
 *   (src/sync/sync-findings.reader.ts, src/reconcile/reconcile-results.reader.ts,
 *   src/todos/conflict-todo.reader.ts).
 */

const ADAPTERS = {
  patterns: [
    { group: ['**/crm/bitrix24/**', '**/crm/amocrm/**'], message: 'Use the CrmPort (src/crm/crm.port.ts): adapters stay behind it.' },
    { group: ['**/onec/odata/**', '**/onec/feed/*.adapter*'], message: 'Use the OneCPort (src/onec/onec.port.ts): adapters stay behind it.' },
  ],
  paths: [
    { name: 'undici', message: 'HTTP clients belong in adapters.' },
    { name: 'axios', message: 'HTTP clients belong in adapters.' },
    { name: 'nodemailer', message: 'SMTP belongs in the mailer adapter (src/report/nodemailer-mailer.adapter.ts).' },
  ],
};

/** SQL that touches a table: FROM/JOIN/INTO/UPDATE <table>. */
const sql = (tables) => `/\\b(FROM|JOIN|INTO|UPDATE|TABLE)\\s+(${tables.join('|')})\\b/i`;

/** Owner folder → its tables. */
const OWNED = {
  sync: ['entity_link', 'sync_run', 'sync_item_failure', 'sync_conflict', 'sync_skipped'],
  reconcile: ['reconciliation_run', 'discrepancy', 'duplicate_cluster'],
  report: ['report_delivery'],
  auth: ['api_key'],
  audit: ['audit_event'],
  todos: ['conflict_todo', 'conflict_todo_state'],
};

const selectorsFor = (owner, tables) =>
  ['Literal', 'TemplateElement'].map((node) => ({
    selector: `${node}[${node === 'Literal' ? 'value' : 'value.raw'}=${sql(tables)}]`,
    message: `The ${owner} module's tables (${tables.join(', ')}) are read and written by that module alone: use the reader it exports.`,
  }));

/**
 * One config per folder with every foreign table's selectors: in a flat config a later object's options
 * for a rule replace an earlier one's, so the selectors of all owners must sit in one rule entry.
 */
const foreignSelectors = (folder) =>
  Object.entries(OWNED)
    .filter(([owner]) => owner !== folder)
    .flatMap(([owner, tables]) => selectorsFor(owner, tables));

const tableRules = [
  ...Object.keys(OWNED).map((owner) => ({
    files: [`src/${owner}/**/*.ts`],
    ignores: ['src/**/*.spec.ts'],
    rules: { 'no-restricted-syntax': ['error', ...foreignSelectors(owner)] },
  })),
  {
    files: ['src/**/*.ts'],
    ignores: [...Object.keys(OWNED).map((owner) => `src/${owner}/**`), 'src/**/*.spec.ts'],
    rules: { 'no-restricted-syntax': ['error', ...foreignSelectors(null)] },
  },
];

export const boundaries = [
  {
    files: [
      'src/sync/**/*.ts',
      'src/todos/**/*.ts',
      'src/reconcile/**/*.ts',
      'src/dedupe/**/*.ts',
      'src/report/**/*.ts',
      'src/runs/**/*.ts',
      'src/mapping/**/*.ts',
      'src/metrics/**/*.ts',
      'src/feed/**/*.ts',
      'src/common/**/*.ts',
    ],
    ignores: ['src/report/nodemailer-mailer.adapter.ts', 'src/**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', ADAPTERS] },
  },
  ...tableRules,
];
