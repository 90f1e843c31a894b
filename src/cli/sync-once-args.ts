import { parseArgs } from 'node:util';
import { SYNC_ENTITIES, type SyncEntity } from '../common/vocabulary.js';

export interface SyncOnceArgs {
  full: boolean;
  /** undefined: every entity the settings switch on. */
  entities?: SyncEntity[];
  /** How long to wait for an active sync to end before refusing. */
  waitMs: number;
  /** Plan only: nothing written to the CRM (README.md#going-live). */
  dryRun: boolean;
}

/**
 * `sync-once` flags: `--full`, `--entities counterparties,contacts`, `--wait <seconds>` (default 30), `--dry-run`.
 * Anything else — an unknown flag or entity, a wait that is not a number of seconds — is refused with
 * a message naming it, rather than silently syncing something other than what was asked.
 */
export function parseSyncOnceArgs(argv: string[]): SyncOnceArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      full: { type: 'boolean', default: false },
      entities: { type: 'string' },
      wait: { type: 'string', default: '30' },
      'dry-run': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  let entities: SyncEntity[] | undefined;
  if (values.entities !== undefined) {
    const asked = values.entities.split(',').map((e) => e.trim());
    const unknown = asked.filter((e) => !(SYNC_ENTITIES as readonly string[]).includes(e));
    if (unknown.length || !asked.length)
      throw new Error(
        `--entities: ${unknown.map((e) => `"${e}"`).join(', ') || 'empty'} is not among ${SYNC_ENTITIES.join(', ')}`,
      );
    entities = asked as SyncEntity[];
  }
  const wait = Number(values.wait);
  if (!/^\d+(\.\d+)?$/.test(values.wait) || !Number.isFinite(wait))
    throw new Error(`--wait: "${values.wait}" is not a number of seconds`);
  return { full: values.full, entities, waitMs: wait * 1000, dryRun: values['dry-run'] };
}
