import fc from 'fast-check';
import { ApiKeyService } from '../../src/auth/api-key.service.js';
import { resolveMapping } from '../../src/config/resolve-mapping.js';
import { parseSettings } from '../../src/config/settings.js';
import { FEED_PULL_TRIGGER } from '../../src/feed/feed-pull.port.js';
import type { FeedPullGate } from '../../src/feed/feed-pull-gate.js';
import { QueueService } from '../../src/queue/queue.service.js';
import { doorbellSignature } from '../../sim/onec/doorbell.js';
import { generateDataset } from '../../sim/dataset/index.js';
import { startSimulators, type RunningSimulators } from '../../sim/start-simulators.js';
import {
  describeRequest,
  documentedOperations,
  requestFor,
  type ApiOperation,
  type ApiRequest,
  type Known,
  type OpenApiDocument,
} from '../support/openapi-requests.js';
import { simulatorEnv } from '../support/simulator-env.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Requests per run (FUZZ_RUNS overrides; FUZZ_SEED replays a failure with the seed fast-check printed). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 5000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

/** The doorbell's secret: valid doorbell requests are signed with it and carry a current `ts`. */
const FEED_SECRET = 'fuzz-doorbell-secret';

/**
 * The doorbell is authenticated by an HMAC of its body, not by a key: a request meant to be valid is
 * signed (with `ts` set to now when the body is an object); one with an invalid header part gets a
 * wrong signature, so both sides of the operation are walked.
 */
function signDoorbell(req: ApiRequest): ApiRequest {
  if (req.method !== 'POST' || !req.url.startsWith('/api/v1/events/onec')) return req;
  let body = req.body ?? '';
  if (req.label === 'valid') {
    const parsed = JSON.parse(body || 'null') as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      body = JSON.stringify({ ...parsed, ts: Math.floor(Date.now() / 1000) });
  }
  const signature =
    req.label === 'header' ? `sha256=${'0'.repeat(64)}` : doorbellSignature(body, FEED_SECRET);
  return { ...req, body, headers: { ...req.headers, 'X-Sverka-Signature': signature } };
}

/** Spare keys that generated DELETEs may revoke (they are recreated); the test's own keys are never named. */
const SPARE_KEYS = ['spare-a', 'spare-b', 'spare-c'];

/**
 * The API under generated traffic: every operation of /docs-json of the real app (real HTTP, real
 * PostgreSQL, the fake 1C and Bitrix24 over HTTP behind it), with requests valid in every part or with
 * one part made invalid (path, query, headers, body, method). Whatever comes, the service
 *  - never answers 5xx,
 *  - answers every 4xx with application/problem+json (`status` = the HTTP status, `requestId` = the
 *    X-Request-Id header), and 405 with `Allow`,
 *  - carries X-Request-Id on every answer,
 *  - changes no state when it refuses a call: every table hashed before and after (refusals of
 *    mutating calls do land in `audit_event`, by design, and a key's `last_used_at` moves when it is
 *    used; both are left out).
 * Accepted calls may change state; runs they start are closed at once, resolved conflicts and review
 * items reopened, so the next trigger is accepted too (queue workers are stopped: nothing changes
 * behind the test's back).
 */
describe('API robustness under generated requests', () => {
  let t: TestApp;
  let sims: RunningSimulators;
  let ops: ApiOperation[];
  let known: Known;
  let snapshotSql: string;
  let keys: ApiKeyService;
  const ids = {
    reconciliations: [] as string[],
    syncRuns: [] as string[],
    conflicts: [] as string[],
    matches: [] as string[],
  };

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${t.url}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${t.keys.admin}`,
        'Content-Type': 'application/json',
        ...init.headers,
      },
    });

  async function settle(path: string): Promise<void> {
    const end = Date.now() + 60_000;
    for (;;) {
      const run = (await (await api(path)).json()) as { status: string };
      if (!['queued', 'running'].includes(run.status)) return;
      if (Date.now() > end) throw new Error(`${path} still ${run.status}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    sims = await startSimulators({
      dataset: generateDataset({
        seed: 13,
        counterparties: 25,
        contactsPerCounterparty: 1,
        ordersPerCounterparty: 1,
      }),
      bitrixLimits: false,
    });
    const env = {
      ...simulatorEnv(sims),
      API_RATE_LIMIT: '1000000',
      ONEC_FEED_URL: sims.onec.feedUrl,
      ONEC_FEED_SECRET: FEED_SECRET,
    };
    // Conflict to-dos off: their upkeep writes conflict_todo on its own clock, which this test would
    // take for a refused call changing state (test/integration/conflict-todos.int-spec.ts covers them).
    const mapping = await resolveMapping(
      parseSettings({ DATABASE_URL: 'postgres://unused', ...env }, { mode: 'embedded' }),
    );
    mapping.conflicts = { ...mapping.conflicts, todo: false };
    t = await startTestApp({ env, mapping });
    keys = t.app.get(ApiKeyService);

    // Real data first, through the API with the workers on: a sync, then a reconciliation with dedupe.
    const sync = (await (await api('/api/v1/sync/runs', { method: 'POST', body: '{}' })).json()) as {
      id: string;
    };
    await settle(`/api/v1/sync/runs/${sync.id}`);
    const rec = (await (await api('/api/v1/reconciliations', { method: 'POST', body: '{}' })).json()) as {
      id: string;
    };
    await settle(`/api/v1/reconciliations/${rec.id}`);
    ids.syncRuns.push(sync.id);
    ids.reconciliations.push(rec.id);
    // A dry run (its plan is a route of its own).
    const dry = (await (
      await api('/api/v1/sync/runs', { method: 'POST', body: '{"dryRun":true}' })
    ).json()) as {
      id: string;
    };
    await settle(`/api/v1/sync/runs/${dry.id}`);
    ids.syncRuns.push(dry.id);
    // Review items of matching waiting for a decision (candidates as matching records them).
    for (const n of [1, 2]) {
      const [row] = (await t.dataSource.query(
        `INSERT INTO sync_match (entity, onec_ref, name, inn, kpp, reason, candidates)
         VALUES ('counterparties', $1, 'ООО «Двойник»', '7707083893', '770701001', '2 CRM companies have INN 7707083893', $2) RETURNING id`,
        [
          `00000000-0000-0000-0000-00000000beb${n}`,
          JSON.stringify([
            {
              crmId: '1',
              title: 'Двойник 1',
              inn: '7707083893',
              kpp: null,
              reason: 'same INN 7707083893 (no KPP in the CRM)',
            },
            {
              crmId: '2',
              title: 'Двойник 2',
              inn: '7707083893',
              kpp: '770701001',
              reason: 'same INN 7707083893 and KPP 770701001',
            },
          ]),
        ],
      )) as { id: string }[];
      ids.matches.push(String(row.id));
    }

    // Field conflicts waiting for a person: on linked companies, and one whose CRM record is gone.
    const links = (await t.dataSource.query(
      `SELECT onec_ref, crm_id FROM entity_link WHERE entity = 'counterparties' ORDER BY id LIMIT 4`,
    )) as { onec_ref: string; crm_id: string }[];
    const conflictRows = [
      ...links.map((l, i) => [l.onec_ref, l.crm_id, i % 2 ? 'title' : 'phones']),
      ['00000000-0000-0000-0000-00000000dead', '999999', 'title'],
    ];
    for (const [ref, crmId, field] of conflictRows) {
      const [row] = (await t.dataSource.query(
        `INSERT INTO sync_conflict (entity, onec_ref, crm_id, field, onec_value, crm_value)
         VALUES ('counterparties', $1, $2, $3, 'ООО «Из 1С»', 'Из CRM') RETURNING id`,
        [ref, crmId, field],
      )) as { id: string }[];
      ids.conflicts.push(String(row.id));
    }

    for (const name of SPARE_KEYS) await keys.create(name, 'viewer');
    const revoked = (await keys.create('fuzz-revoked', 'admin')).key;
    await keys.revoke('fuzz-revoked');

    // Nothing may change behind the test's back: stop every queue worker (runs stay queued).
    const queue = t.app.get(QueueService);
    const queues = (await t.dataSource.query(`SELECT name FROM pgboss.queue`)) as { name: string }[];
    for (const q of queues) await queue.offWork(q.name);

    const cursors: string[] = [];
    for (const list of [
      '/api/v1/reconciliations',
      '/api/v1/sync/runs',
      '/api/v1/audit-events',
      '/api/v1/conflicts',
      `/api/v1/reconciliations/${rec.id}/discrepancies`,
      `/api/v1/reconciliations/${rec.id}/duplicates`,
    ]) {
      const page = (await (await api(`${list}?limit=1`)).json()) as { nextCursor?: string | null };
      if (page.nextCursor) cursors.push(page.nextCursor);
    }

    const doc = (await (await fetch(`${t.url}/docs-json`)).json()) as OpenApiDocument;
    ops = documentedOperations(doc);
    known = {
      keys: { ...t.keys, revoked },
      cursors,
      pathValues: (op, param) => {
        if (param === 'name') return SPARE_KEYS;
        if (op.template.startsWith('/api/v1/reconciliations/')) return ids.reconciliations;
        if (op.template.startsWith('/api/v1/sync/runs/')) return ids.syncRuns;
        if (op.template.startsWith('/api/v1/conflicts/')) return ids.conflicts;
        if (op.template.startsWith('/api/v1/matches/')) return ids.matches;
        return [];
      },
      // A review item is resolved to one of its candidates (both items have CRM companies 1 and 2).
      bodyValues: (op, property) =>
        op.template.startsWith('/api/v1/matches/') && property === 'crmId' ? ['1', '2'] : [],
    };

    // One row hash per table (all of `public`, and the queue's jobs), without what changes by design.
    const tables = (await t.dataSource.query(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT IN ('audit_event', 'migrations')
        ORDER BY table_name`,
    )) as { name: string }[];
    const parts = await Promise.all(
      tables.map(async ({ name }) => {
        const cols = (
          (await t.dataSource.query(
            `SELECT column_name AS c FROM information_schema.columns
              WHERE table_schema = 'public' AND table_name = $1 AND column_name <> 'last_used_at' ORDER BY ordinal_position`,
            [name],
          )) as { c: string }[]
        ).map((r) => `"${r.c}"`);
        const row = `ROW(${cols.join(', ')})::text`;
        return `'${name}', (SELECT md5(coalesce(string_agg(${row}, ',' ORDER BY ${row}), '')) FROM "${name}")`;
      }),
    );
    parts.push(
      `'pgboss.job', (SELECT md5(coalesce(string_agg(id::text || state, ',' ORDER BY id), '')) FROM pgboss.job WHERE name NOT LIKE '\\_\\_%')`,
    );
    snapshotSql = `SELECT json_build_object(${parts.join(', ')}) AS s`;
  }, 180_000);

  afterAll(async () => {
    await t?.close();
    await sims?.close();
  });

  async function snapshot(): Promise<Record<string, string>> {
    const [{ s }] = (await t.dataSource.query(snapshotSql)) as { s: Record<string, string> }[];
    return s;
  }

  /** After an accepted call: close the run it started, reopen conflicts, bring revoked spare keys back. */
  async function afterAccepted(req: ApiRequest): Promise<void> {
    if (req.method === 'POST' && req.url.startsWith('/api/v1/reconciliations'))
      await t.dataSource.query(
        `UPDATE reconciliation_run SET status = 'failed', error = 'closed by the robustness test', finished_at = now()
          WHERE status IN ('queued', 'running')`,
      );
    else if (req.method === 'POST' && req.url.startsWith('/api/v1/sync/runs'))
      await t.dataSource.query(
        `UPDATE sync_run SET status = 'failed', error = 'closed by the robustness test', finished_at = now()
          WHERE status IN ('queued', 'running')`,
      );
    else if (req.method === 'POST' && req.url.startsWith('/api/v1/conflicts'))
      await t.dataSource.query(
        `UPDATE sync_conflict SET status = 'open', resolution = NULL, resolved_by = NULL, resolved_at = NULL WHERE status = 'resolved'`,
      );
    else if (req.method === 'POST' && req.url.startsWith('/api/v1/matches'))
      await t.dataSource.query(
        `UPDATE sync_match SET status = 'open', decision_crm_id = NULL, decision_create = false, resolved_by = NULL,
                resolved_at = NULL WHERE status = 'resolved'`,
      );
    else if (req.method === 'POST' && req.url.startsWith('/api/v1/events/onec'))
      // The pull a doorbell asks for runs behind the answer: let it finish before the next snapshot.
      await t.app.get<FeedPullGate>(FEED_PULL_TRIGGER).idle();
    else if (req.method === 'DELETE') {
      const active = new Set((await keys.list()).filter((k) => !k.revokedAt).map((k) => k.name));
      for (const name of SPARE_KEYS) if (!active.has(name)) await keys.create(name, 'viewer');
    }
  }

  it('never answers 5xx, answers each 4xx with problem+json, and changes nothing when it refuses', async () => {
    let baseline = await snapshot();
    const seen = new Map<string, { total: number; accepted: number; refused: number }>();
    let requests = 0;
    const timing = { http: 0, snap: 0, accepted: 0, total: 0 };
    const tStart = performance.now();
    const perOp = new Map<string, number>();

    const request = fc.constantFrom(...ops).chain((op) => requestFor(op, known));
    await fc.assert(
      fc.asyncProperty(request, async (generated) => {
        const req = signDoorbell(generated);
        const t0 = performance.now();
        const res = await fetch(`${t.url}${req.url}`, {
          method: req.method,
          headers: req.headers,
          body: req.body,
          redirect: 'manual',
        }).catch((err: Error) => {
          throw new Error(`${req.method} ${req.url} [${req.label}]: the connection failed: ${err.message}`);
        });
        const text = await res.text();
        requests++;
        timing.http += performance.now() - t0;
        perOp.set(req.operation, (perOp.get(req.operation) ?? 0) + performance.now() - t0);
        const about = `${describeRequest(req)}\n→ ${res.status} ${text.slice(0, 400)}`;
        const stat = seen.get(req.operation) ?? { total: 0, accepted: 0, refused: 0 };
        stat.total++;
        seen.set(req.operation, stat);

        if (res.status >= 500) throw new Error(`a server error:\n${about}`);
        const requestId = res.headers.get('x-request-id');
        if (!requestId || !/^[\w.-]{1,64}$/.test(requestId))
          throw new Error(`no sane X-Request-Id:\n${about}`);

        if (res.status >= 400) {
          stat.refused++;
          if (!/^application\/problem\+json/.test(res.headers.get('content-type') ?? ''))
            throw new Error(`a ${res.status} that is not problem+json:\n${about}`);
          const problem = JSON.parse(text) as Record<string, unknown>;
          if (
            typeof problem.type !== 'string' ||
            typeof problem.title !== 'string' ||
            problem.status !== res.status
          )
            throw new Error(`problem details without type, title or the right status:\n${about}`);
          if (problem.requestId !== requestId)
            throw new Error(`requestId differs from X-Request-Id:\n${about}`);
          if (res.status === 405 && !res.headers.get('allow'))
            throw new Error(`405 without Allow:\n${about}`);
          const t1 = performance.now();
          const after = await snapshot();
          timing.snap += performance.now() - t1;
          const changed = Object.keys(after).filter((k) => after[k] !== baseline[k]);
          if (changed.length) throw new Error(`a refused call changed ${changed.join(', ')}:\n${about}`);
        } else {
          stat.accepted++;
          const t2 = performance.now();
          // An accepted GET changes nothing: were it to, the next refused call would see the change and fail.
          if (req.method !== 'GET') {
            await afterAccepted(req);
            baseline = await snapshot();
          }
          timing.accepted += performance.now() - t2;
        }
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );

    timing.total = performance.now() - tStart;
    if (process.env.FUZZ_TIMING)
      process.stderr.write(
        `timing ${JSON.stringify(timing)} requests ${requests}\n${[...perOp].map(([k, v]) => `${k} ${(v / seen.get(k)!.total).toFixed(1)} ms × ${seen.get(k)!.total} (${seen.get(k)!.accepted} accepted)`).join('\n')}\n`,
      );
    expect(requests).toBeGreaterThanOrEqual(RUNS);
    // Every operation was walked; in a full run (≥ 2 000 requests, some 100 per operation) each was both
    // accepted and refused at least once (a short FUZZ_RUNS may by chance miss one side).
    const full = RUNS >= 2000;
    const walked = ops.map((op) => {
      const s = seen.get(op.name);
      const ok = s && (full ? s.accepted > 0 && s.refused > 0 : s.total > 0);
      return `${op.name}: ${ok ? 'walked' : JSON.stringify(s ?? null)}`;
    });
    expect(walked).toEqual(ops.map((op) => `${op.name}: walked`));
  }, 600_000);
});
