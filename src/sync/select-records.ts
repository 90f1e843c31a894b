import { SYNC_ENTITIES, type SyncEntity } from '../common/vocabulary.js';
import type { OneCFeedMessage } from '../onec/feed/onec-feed.port.js';

/**
 * What a sync run reads again from 1C for one entity: from the version scan (`selectRecords`), or from
 * the records a message of the 1C change feed named (`selectGiven`, `feedItemsByEntity`). Pure.
 *
 * From the version scan:
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
  const skipped = input.full
    ? new Map<string, { dataVersion: string; waitsFor: string | null }>()
    : input.skipped;
  for (const [ref, dv] of input.scan) {
    if (input.dead.has(ref) && input.dead.get(ref) === dv) {
      out.dead++;
      continue;
    }
    const link = input.links.get(ref);
    const sk = skipped.get(ref);
    if (
      !link &&
      sk &&
      sk.dataVersion === dv &&
      !(sk.waitsFor && input.linkedCounterparties?.has(sk.waitsFor))
    ) {
      out.unchanged++;
      continue;
    }
    if (input.full || !link || link.dataVersion !== dv) out.todo.push(ref);
    else out.unchanged++;
  }
  for (const [ref, l] of input.links) if (!input.scan.has(ref) && !l.flagged) out.vanished.push(ref);
  return out;
}

/** One record the 1C change feed named (docs/protocols/onec-change-feed.md §2.1). */
export interface GivenRef {
  /** Its DataVersion when the message was built; null when deleted, or unknown (an item read only in part). */
  dataVersion: string | null;
  /** Physically deleted in 1C (a deletion mark is an ordinary change: `deleted` false). */
  deleted: boolean;
}

export interface GivenInput {
  /** The records the feed named for this entity, in message order. */
  given: ReadonlyMap<string, GivenRef>;
  links: SelectInput['links'];
  dead: SelectInput['dead'];
  skipped: SelectInput['skipped'];
  linkedCounterparties?: ReadonlySet<string>;
  /** Counterparties named in the same message: records waiting for one of them that is linked now go too. */
  namedCounterparties?: ReadonlySet<string>;
  /** Records that failed and wait for their retry: ref → the DataVersion that failed and when it may be tried again. */
  retries: ReadonlyMap<string, { dataVersion: string | null; notBefore: Date | null }>;
  now: Date;
}

export interface GivenSelection extends Selection {
  /** Refs not tried now: they failed at this version and their backoff has not passed (the message waits for them). */
  deferred: string[];
}

/**
 * What a feed run reads again from 1C for one entity, from the records the change feed named instead of
 * the version scan: the same rules as `selectRecords`, applied to the named records only. A record whose
 * link already holds the named DataVersion was applied before (a message that came again after a crash)
 * and costs nothing more. A deleted record that is linked has vanished from 1C (flagged, as the scan
 * does); one never linked needs nothing. A failed record whose backoff has not passed is deferred. A
 * record that waits for a counterparty named in the same message goes too once that counterparty is
 * linked. Pure.
 */
export function selectGiven(input: GivenInput): GivenSelection {
  const out: GivenSelection = { todo: [], unchanged: 0, dead: 0, vanished: [], deferred: [] };
  for (const [ref, g] of input.given) {
    const link = input.links.get(ref);
    if (g.deleted) {
      if (link && !link.flagged) out.vanished.push(ref);
      else out.unchanged++;
      continue;
    }
    const dv = g.dataVersion;
    if (dv === null) {
      out.todo.push(ref);
      continue;
    }
    if (input.dead.has(ref) && input.dead.get(ref) === dv) {
      out.dead++;
      continue;
    }
    const retry = input.retries.get(ref);
    if (retry && retry.dataVersion === dv && retry.notBefore && retry.notBefore > input.now) {
      out.deferred.push(ref);
      continue;
    }
    const sk = input.skipped.get(ref);
    if (
      !link &&
      sk &&
      sk.dataVersion === dv &&
      !(sk.waitsFor && input.linkedCounterparties?.has(sk.waitsFor))
    ) {
      out.unchanged++;
      continue;
    }
    if (!link || link.dataVersion !== dv) out.todo.push(ref);
    else out.unchanged++;
  }
  if (input.namedCounterparties?.size)
    for (const [ref, sk] of input.skipped)
      if (
        !input.given.has(ref) &&
        !input.links.has(ref) &&
        sk.waitsFor &&
        input.namedCounterparties.has(sk.waitsFor) &&
        input.linkedCounterparties?.has(sk.waitsFor)
      )
        out.todo.push(ref);
  return out;
}

/**
 * The records a feed message names, per entity, in message order (a record named twice counts once, with
 * its last item). An item that could not be read but names a synced set and a key is read by key all the
 * same (its version unknown); one without them is only reported.
 */
export function feedItemsByEntity(message: OneCFeedMessage): Map<SyncEntity, Map<string, GivenRef>> {
  const out = new Map<SyncEntity, Map<string, GivenRef>>();
  const of = (entity: SyncEntity) => out.get(entity) ?? out.set(entity, new Map()).get(entity)!;
  for (const i of message.items) {
    const refs = of(i.entity);
    refs.delete(i.ref); // a record named again keeps its last place
    refs.set(i.ref, { dataVersion: i.dataVersion, deleted: i.deleted });
  }
  for (const m of message.malformed)
    if (
      m.ref &&
      (SYNC_ENTITIES as readonly string[]).includes(m.entity) &&
      !of(m.entity as SyncEntity).has(m.ref)
    )
      of(m.entity as SyncEntity).set(m.ref, { dataVersion: null, deleted: false });
  return out;
}
