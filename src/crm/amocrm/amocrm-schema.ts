import { Logger } from '@nestjs/common';
import { CrmError, CrmErrorCode } from '../crm.error.js';
import type { AmoCrmConfig } from './amocrm.config.js';
import { LOST_STATUS, WON_STATUS, type AmoEntity } from './amocrm.constants.js';
import { AmoFailure } from './amocrm-errors.js';
import type { AmoCrmHttp } from './amocrm-http.js';
import type { AmoFieldIds, AmoRow, AmoStageRef } from './amocrm.types.js';
import { MalformedRow } from './converters/converter.util.js';
import { stageRefOf, toAmoPipelines, type AmoPipelineRow } from './converters/stage.converter.js';
import { planFields, type AmoFieldRow } from './field-plan.js';

/** What the adapter found (or made) on the account: field ids, the deal pipeline, whether filters work. */
export interface AmoSchema {
  /** The account has API filtering (`is_api_filter_enabled`; absent = assumed, results are checked anyway). */
  filters: boolean;
  fields: Record<AmoEntity, AmoFieldIds>;
  /** Field id → name, per record type (messages name fields). */
  fieldNames: Record<AmoEntity, Map<number, string>>;
  /** The pipeline deals are created in. */
  pipeline: AmoPipelineRow;
  /** Any pipeline's status id → its stage key (a lead may sit in another pipeline). */
  stageOf: (statusId: number) => AmoStageRef | null;
  /** When it was read (ms). */
  at: number;
}

const ENTITIES: AmoEntity[] = ['companies', 'contacts', 'leads'];
const NOUN: Record<AmoEntity, string> = { companies: 'company', contacts: 'contact', leads: 'lead' };
/** A create whose answer was lost is found by reading again; this many rounds at most. */
const ROUNDS = 4;

/**
 * Prepares an amoCRM account for Sverka (docs/amocrm.md): finds the custom fields it keeps its data in by
 * name or code and creates the missing ones (FieldPlan), finds the deal pipeline (the mapping's
 * `amocrm.pipeline`, else the main one) and creates the statuses of the status map it lacks, after the
 * pipeline's open statuses. Something that exists in a shape Sverka cannot use — a field of another type,
 * no such pipeline — is a CrmError CONFIGURATION naming all of them in one line. A create whose answer is
 * lost is never repeated blindly: the next round reads the fields (or statuses) again first.
 */
export class AmoSchemaLoader {
  private readonly log = new Logger('AmoCrmAdapter');

  constructor(
    private readonly http: AmoCrmHttp,
    private readonly config: AmoCrmConfig,
    /** The stage keys the mapping uses (statusMap values, deletedStage): names to find or create, or 142/143. */
    private readonly stageKeys: string[],
  ) {}

  async load(): Promise<AmoSchema> {
    const account = (await this.http.get('/api/v4/account', { with: 'is_api_filter_enabled' })) as AmoRow | null;
    const filters = account?.is_api_filter_enabled !== false;
    // Look first, change nothing while anything is in a shape Sverka cannot use.
    const problems: string[] = [];
    const fields = {} as Record<AmoEntity, AmoFieldIds>;
    const fieldNames = {} as Record<AmoEntity, Map<number, string>>;
    const todo: AmoEntity[] = [];
    for (const entity of ENTITIES) {
      const existing = await this.listFields(entity);
      const plan = planFields(entity, existing, this.config);
      problems.push(...plan.problems);
      fields[entity] = plan.ids as AmoFieldIds;
      fieldNames[entity] = new Map(existing.map((f) => [f.id, f.name]));
      if (plan.create.length) todo.push(entity);
    }
    const looked = await this.ensureStatuses(false);
    if (looked.problem) problems.push(looked.problem);
    if (problems.length)
      throw new CrmError(CrmErrorCode.CONFIGURATION, `amoCRM is not ready for Sverka: ${problems.join('; ')}`);
    for (const entity of todo) {
      const r = await this.ensureFields(entity);
      if (r.problems.length)
        throw new CrmError(CrmErrorCode.CONFIGURATION, `amoCRM is not ready for Sverka: ${r.problems.join('; ')}`);
      fields[entity] = r.ids;
      fieldNames[entity] = r.names;
    }
    const { pipeline, pipelines, problem } = await this.ensureStatuses(true);
    if (problem) throw new CrmError(CrmErrorCode.CONFIGURATION, `amoCRM is not ready for Sverka: ${problem}`);
    const refs = new Map<number, AmoStageRef>();
    for (const p of [pipeline!, ...pipelines.filter((x) => x.id !== pipeline!.id)])
      for (const s of p.statuses) if (!refs.has(s.id)) refs.set(s.id, stageRefOf(s));
    return { filters, fields, fieldNames, pipeline: pipeline!, stageOf: (id) => refs.get(id) ?? null, at: Date.now() };
  }

  private async ensureFields(
    entity: AmoEntity,
  ): Promise<{ ids: AmoFieldIds; names: Map<number, string>; problems: string[] }> {
    for (let round = 0; ; round++) {
      const existing = await this.listFields(entity);
      const plan = planFields(entity, existing, this.config);
      const names = new Map(existing.map((f) => [f.id, f.name]));
      if (plan.problems.length || plan.create.length === 0 || round === ROUNDS)
        return {
          ids: plan.ids as AmoFieldIds,
          names,
          problems: [
            ...plan.problems,
            ...(plan.create.length && round === ROUNDS
              ? [`the ${NOUN[entity]} fields ${plan.create.map((c) => `«${c.name}»`).join(', ')} could not be created`]
              : []),
          ],
        };
      const path = `/api/v4/${entity}/custom_fields`;
      try {
        const ans = await this.http.write('POST', path, plan.create.map((c) => ({ name: c.name, type: c.type })));
        if (!ans.ok)
          throw new CrmError(
            CrmErrorCode.CONFIGURATION,
            `amoCRM is not ready for Sverka: it refused to create the ${NOUN[entity]} fields ${plan.create.map((c) => `«${c.name}»`).join(', ')} (${ans.entries.flatMap((e) => e.errors.map((x) => `${x.path}: ${x.code}`)).join(', ') || ans.error.message})`,
          );
        this.log.log(`amoCRM: created the ${NOUN[entity]} fields ${plan.create.map((c) => `«${c.name}» (${c.type})`).join(', ')}`);
      } catch (e) {
        if (!(e instanceof AmoFailure)) throw e;
        // The answer is lost: the fields may exist now; the next round reads them before creating any.
        await this.http.backoff(1000, `POST ${path}`, e);
      }
    }
  }

  /** Every custom field of a record type (amoCRM gives at most 50 a page whatever `limit` says). */
  private async listFields(entity: AmoEntity): Promise<AmoFieldRow[]> {
    const out: AmoFieldRow[] = [];
    for (let page = 1; page < 1000; page++) {
      const body = (await this.http.get(`/api/v4/${entity}/custom_fields`, { limit: 50, page })) as AmoRow | null;
      const rows = (body?._embedded as AmoRow | undefined)?.custom_fields;
      if (!body) break;
      if (!Array.isArray(rows))
        throw new CrmError(CrmErrorCode.BAD_RESPONSE, `amoCRM GET /api/v4/${entity}/custom_fields: no _embedded.custom_fields`);
      for (const r of rows as AmoRow[])
        if (typeof r?.id === 'number')
          out.push({ id: r.id, name: String(r.name ?? ''), code: typeof r.code === 'string' ? r.code : null, type: String(r.type ?? '') });
      if (!(body._links as AmoRow | undefined)?.next) break;
    }
    return out;
  }

  /**
   * The deal pipeline and its statuses: the status map's names it lacks are created after its open
   * statuses. `create: false` only reads (other problems already stop the start).
   */
  private async ensureStatuses(
    create: boolean,
  ): Promise<{ pipeline: AmoPipelineRow | null; pipelines: AmoPipelineRow[]; problem: string | null }> {
    const wanted = [...new Set(this.stageKeys)].filter((k) => k !== String(WON_STATUS) && k !== String(LOST_STATUS));
    for (let round = 0; ; round++) {
      let pipelines: AmoPipelineRow[];
      try {
        pipelines = toAmoPipelines(await this.http.get('/api/v4/leads/pipelines'));
      } catch (e) {
        if (e instanceof MalformedRow) throw new CrmError(CrmErrorCode.BAD_RESPONSE, `amoCRM GET /api/v4/leads/pipelines: ${e.message}`);
        throw e;
      }
      const name = this.config.pipeline;
      const pipeline = name ? pipelines.find((p) => p.name === name) : (pipelines.find((p) => p.isMain) ?? pipelines[0]);
      if (!pipeline)
        return {
          pipeline: null,
          pipelines,
          problem: name
            ? `the account has no pipeline «${name}» (the mapping's amocrm.pipeline; it has ${pipelines.map((p) => `«${p.name}»`).join(', ') || 'none'})`
            : 'the account has no pipeline',
        };
      const missing = wanted.filter((n) => !pipeline.statuses.some((s) => s.name === n));
      if (!missing.length || !create) return { pipeline, pipelines, problem: null };
      if (round === ROUNDS)
        return {
          pipeline,
          pipelines,
          problem: `the statuses ${missing.map((m) => `«${m}»`).join(', ')} could not be created in the pipeline «${pipeline.name}»`,
        };
      const open = pipeline.statuses.filter((s) => s.id !== WON_STATUS && s.id !== LOST_STATUS);
      const last = Math.max(0, ...open.map((s) => s.sort));
      const path = `/api/v4/leads/pipelines/${pipeline.id}/statuses`;
      try {
        const ans = await this.http.write(
          'POST',
          path,
          missing.map((m, i) => ({ name: m, sort: last + 10 * (i + 1) })),
        );
        if (!ans.ok)
          throw new CrmError(
            CrmErrorCode.CONFIGURATION,
            `amoCRM is not ready for Sverka: it refused to create the statuses ${missing.map((m) => `«${m}»`).join(', ')} in the pipeline «${pipeline.name}» (${ans.error.message})`,
          );
        this.log.log(`amoCRM: created the statuses ${missing.map((m) => `«${m}»`).join(', ')} in the pipeline «${pipeline.name}»`);
      } catch (e) {
        if (!(e instanceof AmoFailure)) throw e;
        await this.http.backoff(1000, `POST ${path}`, e);
      }
    }
  }
}
