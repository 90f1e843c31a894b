/**
 * What a sync run reads again from 1C for one entity, from the version scan alone. Pure.
 *
 * A record is read again when the run is `full`, when it has no link yet, or when its DataVersion differs
 * from the one stored with its link. It is not: when it is a dead letter at the same version (skipped until
 * 1C changes it); when it was skipped at this version (an unposted order, say) unless it waited for a
 * counterparty that is linked now. Linked records missing from the scan have vanished from 1C.
 */
export interface SelectInput {
  /** The version scan: 1C ref → DataVersion. */
  scan: ReadonlyMap<string, string>;
  /** Link rows: ref → the DataVersion stored with it (null: its writes are not all done) and whether it is flagged. */
  links: ReadonlyMap<string, { dataVersion: string | null; flagged: boolean }>;
  /** Dead letters: ref → the DataVersion they died at. */
  dead: ReadonlyMap<string, string | null>;
  /** Records skipped at a version, and the counterparty they wait for. */
  skipped: ReadonlyMap<string, { dataVersion: string; waitsFor: string | null }>;
  /** Counterparty refs that are linked now (for contacts and deals). */
  linkedCounterparties?: ReadonlySet<string>;
  full: boolean;
}

export interface Selection {
  /** Refs to read and plan, in scan order. */
  todo: string[];
  /** Refs left as they are (same version), counted as unchanged. */
  unchanged: number;
  /** Dead letters at the same version, counted as skipped. */
  dead: number;
  /** Linked refs no longer in the scan (not flagged yet). */
  vanished: string[];
}

export function selectRecords(input: SelectInput): Selection {
  const out: Selection = { todo: [], unchanged: 0, dead: 0, vanished: [] };
  const skipped = input.full ? new Map<string, { dataVersion: string; waitsFor: string | null }>() : input.skipped;
  for (const [ref, dv] of input.scan) {
    if (input.dead.has(ref) && input.dead.get(ref) === dv) {
      out.dead++;
      continue;
    }
    const link = input.links.get(ref);
    const sk = skipped.get(ref);
    if (!link && sk && sk.dataVersion === dv && !(sk.waitsFor && input.linkedCounterparties?.has(sk.waitsFor))) {
      out.unchanged++;
      continue;
    }
    if (input.full || !link || link.dataVersion !== dv) out.todo.push(ref);
    else out.unchanged++;
  }
  for (const [ref, l] of input.links) if (!input.scan.has(ref) && !l.flagged) out.vanished.push(ref);
  return out;
}
