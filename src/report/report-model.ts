import { formatKopecks, toKopecks } from '../common/money.js';
import {
  DISCREPANCY_KINDS,
  RECONCILE_ENTITIES,
  type DiscrepancyKind,
  type DuplicateScope,
  type ReconcileEntity,
  type RunStatus,
  type RunTrigger,
  type Severity,
} from '../common/vocabulary.js';
import type {
  DiscrepancyItem,
  DuplicateCluster,
  ReconciliationRunView,
  RunSummary,
} from '../reconcile/reconcile.types.js';
import { fieldLabel } from '../common/field-labels.js';
import type { OverdueTodos } from '../todos/conflict-todo.reader.js';
import { maskDetail, maskText, maskValue } from './mask-personal-data.js';
import { reportStrings, type CheckStatus, type ExtrasParts, type ReportLocale } from './report-i18n.js';
import {
  CHECK_KINDS,
  DEFAULT_REPORT_THRESHOLDS,
  REPORT_CHECKS,
  type ReportCheck,
  type ReportThresholds,
} from './report-thresholds.constants.js';

/**
 * The report as data: everything the HTML, text and CSV renderers show, already masked and decided.
 * Pure: no I/O, no clock (`now` is passed in), no NestJS.
 *
 * Numbers come from the run's summary (the authority), not from the length of the item list, so a
 * truncated list never changes the headline. The headline total is the sum of the checks marked
 * `inTotal` (every discrepancy kind is in exactly one of them) and of the sections; duplicate groups
 * and open field conflicts are counted apart. "New" items are those whose key (kind, entity, 1C ref,
 * CRM id, field) is not among the previous run's items; without those keys, the sum of positive
 * per-kind changes stands in for it.
 */

export interface ReportLinks {
  publicUrl?: string | null;
  grafanaUrl?: string | null;
}

export interface ReportInput {
  run: ReconciliationRunView;
  previous?: ReconciliationRunView | null;
  /** The run's discrepancy items (all of them for the CSV; at least the top ones per kind). */
  discrepancies: DiscrepancyItem[];
  /** Keys (see discrepancyKey) of the previous run's items, to mark new ones. */
  previousKeys?: ReadonlySet<string> | null;
  clusters: DuplicateCluster[];
  locale: ReportLocale;
  links?: ReportLinks;
  now: Date;
  /** IANA zone for dates (SCHEDULE_TZ); default Europe/Moscow. */
  timeZone?: string;
  thresholds?: ReportThresholds;
  /** Conflict to-dos in the CRM past their deadline when the run finished (src/todos/), null/absent: none kept. */
  overdueTodos?: OverdueTodos | null;
}

/** At most this many late people are named in the report's line; the rest are counted. */
export const LATE_PEOPLE_NAMED = 5;

export type Verdict = 'ok' | 'issues' | 'partial' | 'failed' | 'unfinished';
export type Level = 'ok' | 'warning' | 'critical';

export interface CheckRow {
  check: ReportCheck;
  status: CheckStatus;
  count: number;
  /** Counted in the headline total (discrepancy checks); duplicates and conflicts are not. */
  inTotal: boolean;
  /** Change since the previous run; null without a previous run. */
  delta: number | null;
  /** Why the check did not run (masked). */
  note?: string;
}

export interface ShownItem {
  kind: DiscrepancyKind;
  entity: ReconcileEntity;
  severity: Severity;
  /** The record's name (1C, else CRM; masked text); '' when the item has no record (a count). */
  name: string;
  /** The counterparty's INN, '' when none. */
  inn: string;
  onecRef: string;
  crmId: string;
  crmUrl: string | null;
  onecUrl: string | null;
  /** Canonical field name ('' when none) and how it reads. */
  field: string;
  fieldLabel: string;
  /** The values as shown: a code's label (stage name, company title) or the masked value. */
  onecValue: string;
  crmValue: string;
  detail: string;
  /** Of an invalid value: what is wrong with it (the detail without its "invalid value of field X:" lead). */
  reason: string;
  isNew: boolean;
  /** The raw values differ but their masked forms are the same (e.g. two e-mails `p***@x.ru`). */
  differsInMaskedPart: boolean;
}

/**
 * How a section's rows read: both values side by side (`values`), the 1C value and what is wrong with
 * it (`invalid`), or the record and the detail text (`detail`: nothing to compare side by side).
 */
export type SectionLayout = 'values' | 'invalid' | 'detail';

export function sectionLayout(kind: DiscrepancyKind): SectionLayout {
  if (kind === 'field_mismatch' || kind === 'status_mismatch' || kind === 'debt_mismatch') return 'values';
  return kind === 'invalid_value' ? 'invalid' : 'detail';
}

export interface KindSection {
  kind: DiscrepancyKind;
  total: number;
  items: ShownItem[];
  /** One sentence: who fixes it, where. */
  nextStep: string;
  /** The section's items in the API (PUBLIC_URL set). */
  apiUrl?: string;
}

export interface ShownCluster {
  scope: DuplicateScope;
  score: number;
  members: { system: 'onec' | 'crm'; id: string; name: string; inn: string | null; url: string | null }[];
  reasons: string[];
}

export interface RecordRow {
  entity: ReconcileEntity;
  onec: number;
  crm: number;
  linked: number;
  /** Live 1C records without a CRM card (onec − linked). */
  missing: number;
  /** The CRM's records beyond the linked ones, explained (null without the breakdown or when none). */
  extras: ExtrasParts | null;
}

export interface ReportModel {
  locale: ReportLocale;
  runId: string;
  runStatus: RunStatus;
  trigger: RunTrigger;
  /** dd.mm.yyyy of the run in timeZone. */
  date: string;
  /** yyyy-mm-dd of the run in timeZone (file names). */
  isoDate: string;
  startedAt: string | null;
  finishedAt: string | null;
  subject: string;
  verdict: Verdict;
  level: Level;
  verdictText: string;
  total: number;
  newCount: number | null;
  hasPrevious: boolean;
  checks: CheckRow[];
  records: RecordRow[];
  debts: {
    onecTotal: string;
    crmTotal: string;
    difference: string;
    mismatched: number;
    mismatchedDelta: number | null;
  } | null;
  sections: KindSection[];
  clusters: { total: number; shown: ShownCluster[]; nextStep: string; apiUrl?: string };
  skipped: { check: string; reason: string }[];
  /** The run and its report in the API (PUBLIC_URL), the dashboard (GRAFANA_URL). */
  links: { api?: string; report?: string; grafana?: string };
  /** Every item, masked, for the CSV. */
  allItems: ShownItem[];
  /** Overdue conflict to-dos and who is late (also a sentence of the verdict); null when none. */
  overdueTodos: { total: number; late: { name: string; id: string | null; count: number }[] } | null;
}

/** Identity of a discrepancy across runs. */
export function discrepancyKey(
  d: Pick<DiscrepancyItem, 'kind' | 'entity' | 'onecRef' | 'crmId' | 'field'>,
): string {
  return [d.kind, d.entity, d.onecRef ?? '', d.crmId ?? '', d.field ?? ''].join('\u001f');
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
const LEVEL_RANK: Record<CheckStatus, number> = { ok: 0, not_run: 1, warning: 1, critical: 2 };

function sumKinds(
  d: Partial<Record<DiscrepancyKind, number>> | undefined,
  kinds: readonly DiscrepancyKind[],
): number {
  return kinds.reduce((acc, k) => acc + (d?.[k] ?? 0), 0);
}

function sumScopes(d: RunSummary['duplicates']): number {
  return (d?.onec ?? 0) + (d?.crm ?? 0) + (d?.cross ?? 0);
}

/** dd.mm.yyyy and yyyy-mm-dd of an instant in a time zone. */
export function formatRunDate(at: Date, timeZone: string): { date: string; isoDate: string } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return {
    date: `${get('day')}.${get('month')}.${get('year')}`,
    isoDate: `${get('year')}-${get('month')}-${get('day')}`,
  };
}

function formatDateTime(iso: string | null, timeZone: string): string | null {
  if (!iso) return null;
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('day')}.${get('month')}.${get('year')} ${get('hour')}:${get('minute')}`;
}

function checkSkipped(
  check: ReportCheck,
  skipped: { check: string; reason: string }[],
): { check: string; reason: string } | undefined {
  const kinds = CHECK_KINDS[check] as readonly string[];
  return skipped.find((s) => {
    const c = s.check.toLowerCase();
    return (
      c === check ||
      kinds.includes(c) ||
      (check === 'duplicates' && (c === 'dedupe' || c === 'duplicates')) ||
      (check === 'debts' && c === 'debts')
    );
  });
}

function mask(item: DiscrepancyItem, isNew: boolean, locale: ReportLocale): ShownItem {
  const onecMasked = maskValue(item.onecValue, item.field);
  const crmMasked = maskValue(item.crmValue, item.field);
  const shown: ShownItem = {
    kind: item.kind,
    entity: item.entity,
    severity: item.severity,
    name: maskText(item.name ?? ''),
    inn: maskText(item.inn ?? ''),
    onecRef: maskText(item.onecRef ?? ''),
    crmId: maskText(item.crmId ?? ''),
    crmUrl: item.crmUrl ?? null,
    onecUrl: item.onecUrl ?? null,
    field: item.field ?? '',
    fieldLabel: item.field ? fieldLabel(item.field, locale) : '',
    onecValue: item.onecLabel ? maskText(item.onecLabel) : onecMasked,
    crmValue: item.crmLabel ? maskText(item.crmLabel) : crmMasked,
    detail: maskDetail(item.detail, item.field, [item.onecValue, item.crmValue]),
    reason: '',
    isNew,
    differsInMaskedPart: false,
  };
  shown.reason =
    item.kind === 'invalid_value' && item.field ? shown.detail.replace(/^[^:]*:\s*/, '') : shown.detail;
  shown.differsInMaskedPart =
    !!item.onecValue && !!item.crmValue && item.onecValue !== item.crmValue && onecMasked === crmMasked;
  return shown;
}

/** The CRM's extra records, part by part; what the breakdown does not name is Sverka's own outside the check. */
function extrasOf(c: {
  crm: number;
  linked: number;
  crmExtras?: { unowned: number; otherIntegrations: number; orphans: number };
}): ExtrasParts | null {
  const extra = c.crm - c.linked;
  if (extra <= 0 || !c.crmExtras) return null;
  const { unowned, otherIntegrations, orphans } = c.crmExtras;
  return {
    extra,
    unowned,
    otherIntegrations,
    orphans,
    rest: Math.max(0, extra - unowned - otherIntegrations - orphans),
  };
}

export function buildReportModel(input: ReportInput): ReportModel {
  const t = reportStrings(input.locale);
  const th = input.thresholds ?? DEFAULT_REPORT_THRESHOLDS;
  const tz = input.timeZone ?? 'Europe/Moscow';
  const { run } = input;
  const summary: RunSummary | null = run.summary;
  const prev = input.previous?.summary ?? null;
  const hasPrevious = !!input.previous && !!prev;
  const at = new Date(run.startedAt ?? run.finishedAt ?? input.now.toISOString());
  const { date, isoDate } = formatRunDate(at, tz);

  const discrepancies = summary?.discrepancies ?? {};
  const total = DISCREPANCY_KINDS.reduce((acc, k) => acc + (discrepancies[k] ?? 0), 0);
  const skipped = (summary?.skippedChecks ?? []).map((s) => ({
    check: maskText(s.check),
    reason: maskText(s.reason),
  }));

  // Change per kind: against the previous run's summary when we have it, else the run's own delta.
  const kindDelta = (kinds: readonly DiscrepancyKind[]): number | null => {
    if (prev) return sumKinds(discrepancies, kinds) - sumKinds(prev.discrepancies, kinds);
    if (summary?.previousRunId && summary.delta) return sumKinds(summary.delta, kinds);
    return null;
  };

  const keyed = input.previousKeys ?? null;
  const isNew = (d: DiscrepancyItem) => (keyed ? !keyed.has(discrepancyKey(d)) : false);
  let newCount: number | null = null;
  if (keyed) newCount = input.discrepancies.filter(isNew).length;
  else if (prev) newCount = DISCREPANCY_KINDS.reduce((acc, k) => acc + Math.max(0, kindDelta([k]) ?? 0), 0);
  else if (summary?.previousRunId && summary.delta)
    newCount = Object.values(summary.delta).reduce((acc: number, v) => acc + Math.max(0, v ?? 0), 0);

  const criticalItems = new Map<DiscrepancyKind, number>();
  for (const d of input.discrepancies)
    if (d.severity === 'critical') criticalItems.set(d.kind, (criticalItems.get(d.kind) ?? 0) + 1);

  const debtDiff = summary?.debts
    ? toKopecks(summary.debts.onecTotal) - toKopecks(summary.debts.crmTotal)
    : 0n;
  const absDebtDiff = debtDiff < 0n ? -debtDiff : debtDiff;

  const checks: CheckRow[] = REPORT_CHECKS.map((check) => {
    const kinds = CHECK_KINDS[check];
    const count =
      check === 'duplicates'
        ? sumScopes(summary?.duplicates)
        : check === 'conflicts'
          ? (summary?.conflicts?.open ?? 0)
          : sumKinds(discrepancies, kinds);
    const delta =
      check === 'duplicates'
        ? prev
          ? count - sumScopes(prev.duplicates)
          : null
        : check === 'conflicts'
          ? prev?.conflicts
            ? count - prev.conflicts.open
            : null
          : kindDelta(kinds);
    const inTotal = check !== 'duplicates' && check !== 'conflicts';
    const skip = checkSkipped(check, summary?.skippedChecks ?? []);
    if (skip)
      return { check, status: 'not_run' as const, count, inTotal, delta, note: maskText(skip.reason) };
    const limits = th.checks[check];
    let status: CheckStatus =
      count >= limits.criticalAt ? 'critical' : count >= limits.warningAt ? 'warning' : 'ok';
    if (th.escalateOnCriticalItems && kinds.some((k) => (criticalItems.get(k) ?? 0) > 0)) status = 'critical';
    if (check === 'debts' && absDebtDiff >= toKopecks(th.debtCriticalDifferenceRub)) status = 'critical';
    return { check, status, count, inTotal, delta };
  });

  const records: RecordRow[] = RECONCILE_ENTITIES.flatMap((entity) => {
    const c = summary?.counts?.[entity];
    return c
      ? [
          {
            entity,
            onec: c.onec,
            crm: c.crm,
            linked: c.linked,
            missing: Math.max(0, c.onec - c.linked),
            extras: extrasOf(c),
          },
        ]
      : [];
  });

  const base = input.links?.publicUrl ? input.links.publicUrl.replace(/\/+$/, '') : null;
  const runUrl = base ? `${base}/api/v1/reconciliations/${encodeURIComponent(run.id)}` : null;

  const debts = summary?.debts
    ? {
        onecTotal: formatKopecks(toKopecks(summary.debts.onecTotal)),
        crmTotal: formatKopecks(toKopecks(summary.debts.crmTotal)),
        difference: formatKopecks(debtDiff),
        mismatched: summary.debts.mismatched,
        mismatchedDelta: prev?.debts ? summary.debts.mismatched - prev.debts.mismatched : null,
      }
    : null;

  const allItems = input.discrepancies.map((d) => mask(d, isNew(d), input.locale));
  const sections: KindSection[] = [];
  for (const kind of DISCREPANCY_KINDS) {
    const totalOfKind = discrepancies[kind] ?? 0;
    const items = input.discrepancies
      .map((d, i) => ({ d, i, n: isNew(d) }))
      .filter((x) => x.d.kind === kind)
      // Most severe first, then new ones, then the order reconciliation gave them.
      .sort(
        (a, b) =>
          SEVERITY_RANK[a.d.severity] - SEVERITY_RANK[b.d.severity] || Number(b.n) - Number(a.n) || a.i - b.i,
      )
      .slice(0, th.topPerKind)
      .map((x) => allItems[x.i]);
    if (totalOfKind > 0 || items.length > 0)
      sections.push({
        kind,
        total: Math.max(totalOfKind, items.length),
        items,
        nextStep: t.nextSteps[kind],
        ...(runUrl ? { apiUrl: `${runUrl}/discrepancies?kind=${kind}` } : {}),
      });
  }

  const clusterTotal = Math.max(sumScopes(summary?.duplicates), input.clusters.length);
  const shownClusters = [...input.clusters]
    .map((c, i) => ({ c, i }))
    .sort((a, b) => b.c.score - a.c.score || a.i - b.i)
    .slice(0, th.topClusters)
    .map(({ c }) => ({
      scope: c.scope,
      score: c.score,
      members: c.members.map((m) => ({
        system: m.system,
        id: maskText(m.id),
        name: maskText(m.name),
        inn: m.inn ? maskText(m.inn) : null,
        url: m.url ?? null,
      })),
      reasons: c.reasons.map((r) => maskText(r)),
    }));

  let verdict: Verdict;
  if (run.status === 'failed') verdict = 'failed';
  else if (run.status === 'queued' || run.status === 'running' || !summary) verdict = 'unfinished';
  else if (run.status === 'partial') verdict = 'partial';
  else verdict = total === 0 ? 'ok' : 'issues';

  const worst = checks.reduce((acc, c) => Math.max(acc, LEVEL_RANK[c.status]), 0);
  const level: Level =
    verdict === 'failed' || verdict === 'unfinished'
      ? 'critical'
      : verdict === 'partial'
        ? worst === 2
          ? 'critical'
          : 'warning'
        : worst === 2
          ? 'critical'
          : worst === 1
            ? 'warning'
            : 'ok';

  const counted =
    total === 0
      ? t.noDiscrepancies
      : t.discrepancies(total) + (newCount === null ? '' : `, ${t.newOnes(newCount)}`);
  let subjectTail: string;
  let verdictText: string;
  switch (verdict) {
    case 'failed':
      subjectTail = t.failedRun;
      verdictText = t.verdictFailed;
      break;
    case 'unfinished':
      subjectTail = t.unfinishedRun;
      verdictText = t.verdictUnfinished;
      break;
    case 'partial':
      subjectTail = `${t.partialRun} — ${counted}`;
      verdictText =
        `${t.verdictPartial(skipped.map((s) => s.check))} ${total === 0 ? '' : t.verdictIssues(total, newCount)}`.trim();
      break;
    case 'ok':
      subjectTail = counted;
      verdictText = t.verdictOk;
      break;
    default:
      subjectTail = counted;
      verdictText = total === 0 ? t.verdictOk : t.verdictIssues(total, newCount);
  }
  if (clusterTotal > 0 && verdict !== 'failed' && verdict !== 'unfinished')
    verdictText = `${verdictText} ${t.duplicatesAside(clusterTotal)}`;

  const openConflicts = summary?.conflicts?.open ?? 0;
  if (openConflicts > 0 && verdict !== 'failed' && verdict !== 'unfinished')
    verdictText = `${verdictText} ${t.conflictsNote(openConflicts)}`;

  const openMatches = summary?.matches?.open ?? 0;
  if (openMatches > 0 && verdict !== 'failed' && verdict !== 'unfinished')
    verdictText = `${verdictText} ${t.matchesNote(openMatches)}`;

  const overdue = input.overdueTodos && input.overdueTodos.total > 0 ? input.overdueTodos : null;
  const overdueTodos = overdue
    ? {
        total: overdue.total,
        late: overdue.late.map((p) => ({
          name: maskText(p.responsibleName),
          id: p.responsibleId,
          count: p.count,
        })),
      }
    : null;
  if (overdueTodos && verdict !== 'failed' && verdict !== 'unfinished')
    verdictText = `${verdictText} ${t.overdueTodosNote(
      overdueTodos.total,
      overdueTodos.late.slice(0, LATE_PEOPLE_NAMED),
      Math.max(0, overdueTodos.late.length - LATE_PEOPLE_NAMED),
    )}`;

  const links: ReportModel['links'] = {};
  if (runUrl) {
    links.api = runUrl;
    links.report = `${runUrl}/report`;
  }
  if (input.links?.grafanaUrl) links.grafana = input.links.grafanaUrl;

  return {
    locale: input.locale,
    runId: run.id,
    runStatus: run.status,
    trigger: run.trigger,
    date,
    isoDate,
    startedAt: formatDateTime(run.startedAt, tz),
    finishedAt: formatDateTime(run.finishedAt, tz),
    subject: `${t.title} ${date}: ${subjectTail}`,
    verdict,
    level,
    verdictText,
    total,
    newCount,
    hasPrevious: hasPrevious || !!(summary?.previousRunId && summary.delta),
    checks,
    records,
    debts,
    sections,
    clusters: {
      total: clusterTotal,
      shown: shownClusters,
      nextStep: t.nextSteps.duplicates,
      ...(runUrl ? { apiUrl: `${runUrl}/duplicates` } : {}),
    },
    skipped,
    links,
    allItems,
    overdueTodos,
  };
}
