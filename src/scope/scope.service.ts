import { Inject, Injectable, Logger, Optional, type OnModuleInit } from '@nestjs/common';
import { describeError } from '../common/describe-error.js';
import { SettingsError } from '../config/settings.js';
import { MAPPING } from '../mapping/mapping.tokens.js';
import type { Mapping } from '../mapping/mapping.types.js';
import { OneCError, OneCErrorCode } from '../onec/onec.error.js';
import { ONEC_PORT, type OneCPort } from '../onec/onec.port.js';
import { buildScope, folderProblems, type ScopeCandidate } from './build-scope.js';
import type { RunScope } from './scope.types.js';

/** Problems of the mapping's scope against 1C: the lines start as the start refusal's do (`ONEC_MAPPING_FILE …`). */
export class ScopeError extends Error {
  constructor(readonly problems: string[]) {
    super(`the pilot scope cannot be used: ${problems.join('; ')}`);
    this.name = 'ScopeError';
  }
}

const FILE = 'ONEC_MAPPING_FILE';

/**
 * The pilot scope (mapping `scope.counterparties`, README.md#going-live) resolved against 1C for one run:
 * `resolve()` reads the counterparty folders and one version scan with keys, and gives the set of
 * in-scope counterparties (null when no scope is configured: the whole base).
 *
 * At start the configured folders are checked: a ref that is a counterparty rather than a folder, or that
 * 1C does not know, refuses the start (SettingsError, like a wrong setting). When 1C cannot be reached
 * then, the start goes on with a warning; every resolve checks again, and a run then fails with the same
 * lines.
 */
@Injectable()
export class ScopeService implements OnModuleInit {
  private readonly log = new Logger(ScopeService.name);

  constructor(
    @Inject(MAPPING) private readonly mapping: Mapping,
    @Optional() @Inject(ONEC_PORT) private readonly onec?: OneCPort,
  ) {}

  /** Whether the mapping names a scope. */
  get configured(): boolean {
    return !!this.mapping.scope.counterparties;
  }

  async onModuleInit(): Promise<void> {
    await this.checkAtStart();
  }

  /**
   * The start check: every configured folder must be a folder of the counterparty catalog. Throws
   * SettingsError naming each wrong ref; logs a warning (and leaves the check to each resolve) when 1C
   * cannot be asked. Reads the folders, and one record by key per ref that is not a folder.
   */
  async checkAtStart(): Promise<void> {
    const folders = this.mapping.scope.counterparties?.folders ?? [];
    if (!folders.length) return;
    let problems: string[];
    try {
      const onec = this.port();
      problems = await folderProblems(folders, await onec.readFolders('counterparties'), async (ref) => {
        return (await onec.getOne('counterparties', ref)) !== null;
      });
    } catch (e) {
      this.log.warn(
        `the folders of the pilot scope (scope.counterparties.folders) could not be checked in 1C: ${describeError(e)}; ` +
          'they are checked again at each run',
      );
      return;
    }
    if (problems.length) throw new SettingsError(problems.map((p) => `${FILE} ${p}`));
  }

  /**
   * The scope of a run, or null without one. One folder read and one version scan (with keys) of the
   * counterparties per call. Throws ScopeError when a configured folder is not a folder in 1C, and the
   * port's OneCError when 1C cannot be read.
   */
  async resolve(): Promise<RunScope | null> {
    const config = this.mapping.scope.counterparties;
    if (!config) return null;
    const onec = this.port();
    const folders = await onec.readFolders('counterparties');
    const candidates: ScopeCandidate[] = [];
    for await (const page of onec.scanVersions({
      entity: 'counterparties',
      withKeys: true,
      onReport: (r) => {
        if (!r.complete)
          this.log.warn(
            `pilot scope: 1C returned ${r.rows} counterparties but counts ${r.counted}; those not read are out of scope for this run`,
          );
      },
    }))
      for (const v of page)
        candidates.push({ ref: v.ref, parentRef: v.keys?.parentRef ?? null, inn: v.keys?.inn ?? '' });
    const items = new Set(candidates.map((c) => c.ref));
    const problems = await folderProblems(config.folders ?? [], folders, (ref) => items.has(ref.toLowerCase()));
    if (problems.length) throw new ScopeError(problems.map((p) => `${FILE} ${p}`));
    return buildScope(config, folders, candidates);
  }

  private port(): OneCPort {
    if (!this.onec) throw new OneCError(OneCErrorCode.CONFIGURATION, 'ONEC_ODATA_URL is not set');
    return this.onec;
  }
}
