import { Injectable, Logger } from '@nestjs/common';
import type { DedupeOptions, DedupeRecord, DedupeResult } from './dedupe.types.js';
import { findDuplicatesInTableAsync } from './find-duplicates.js';
import { RecordTable } from './record-table.js';

/** Records from an array, any iterable, or an async iterable (a database cursor, a paged port). */
export type DedupeSource = Iterable<DedupeRecord> | AsyncIterable<DedupeRecord>;

export interface FindClustersInput {
  /** 1C counterparties (`system` is forced to `onec`). */
  onec: DedupeSource;
  /** CRM companies (`system` is forced to `crm`; `linkedTo` names the linked 1C ref). */
  crm: DedupeSource;
  options?: DedupeOptions;
}

/**
 * Duplicate detection for reconciliation: streams both sides into the compact record table (no
 * array of a million objects is needed), then runs the pure pipeline (block → score → cluster),
 * pausing every few thousand blocks so the event loop keeps serving during a large run (the longest
 * uninterrupted stretch at a million records is a sort of a few seconds).
 * Returns clusters in the API shape (README.md#the-rest-api; plus `level` and structured `reasonDetails`),
 * per-pair details and stats. Logs counts only: names, phones and e-mails never reach the log.
 */
@Injectable()
export class DedupeService {
  private readonly logger = new Logger(DedupeService.name);

  async findClusters(input: FindClustersInput): Promise<DedupeResult> {
    const started = performance.now();
    const table = new RecordTable();
    await this.load(table, input.onec, 'onec');
    await this.load(table, input.crm, 'crm');
    const prepareMs = performance.now() - started;
    const result = await findDuplicatesInTableAsync(table, input.options ?? {}, prepareMs);
    const s = result.stats;
    this.logger.log(
      `dedupe: ${s.records.onec} 1C + ${s.records.crm} CRM records (${s.records.crmUnlinked} unlinked), ` +
        `${s.candidatePairs} candidate pairs (${s.candidatePairsPerRecord}/record), clusters onec=${s.clusters.onec} ` +
        `crm=${s.clusters.crm} cross=${s.clusters.cross}, ${Math.round(performance.now() - started)} ms`,
    );
    return result;
  }

  private async load(table: RecordTable, source: DedupeSource, system: 'onec' | 'crm'): Promise<void> {
    let n = 0;
    for await (const r of source as AsyncIterable<DedupeRecord>) {
      table.add(r.system === system ? r : { ...r, system });
      // Let other work run between large synchronous stretches of an in-memory source.
      if (++n % 50_000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
