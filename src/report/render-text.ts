import { reportStrings, type CheckStatus } from './report-i18n.js';
import { displayValue, formatDelta, formatInt, formatMoney, formatScore } from './report-format.js';
import type { ReportModel } from './report-model.js';

/**
 * The plain-text part, for reading on a phone: short lines, no wide tables, one fact per line,
 * the status first so it survives a narrow screen. Pure.
 */

const MARK: Record<CheckStatus, string> = { ok: '[OK]', warning: '[!]', critical: '[!!!]', not_run: '[--]' };

export function renderText(m: ReportModel): string {
  const t = reportStrings(m.locale);
  const out: string[] = [];
  out.push(m.subject, '', m.verdictText, '');
  out.push(`${t.run}: ${t.trigger[m.trigger]}, ${t.runStatus[m.runStatus]}`);
  if (m.startedAt) out.push(`${t.started}: ${m.startedAt}`);
  if (m.finishedAt) out.push(`${t.finished}: ${m.finishedAt}`);

  if (m.verdict !== 'failed' && m.verdict !== 'unfinished') {
    out.push('', `== ${t.checksHeading} ==`);
    for (const c of m.checks) {
      const count =
        c.status === 'not_run'
          ? t.checkStatus.not_run
          : `${formatInt(c.count, m.locale)} (${formatDelta(c.delta, m.locale)})`;
      out.push(`${MARK[c.status]} ${t.checks[c.check]}: ${count}`);
      if (c.note) out.push(`    ${c.note}`);
    }
    if (!m.hasPrevious) out.push(`(${t.change}: ${t.noPrevious})`);

    if (m.records.length) {
      out.push('', `== ${t.recordsHeading} ==`);
      for (const r of m.records)
        out.push(
          `${t.entities[r.entity]}: ${t.onec} ${formatInt(r.onec, m.locale)} / ${t.crm} ${formatInt(r.crm, m.locale)} / ${t.linked.toLowerCase()} ${formatInt(r.linked, m.locale)}`,
        );
    }

    if (m.debts) {
      out.push('', `== ${t.debtsHeading} ==`);
      out.push(`${t.onec}: ${formatMoney(m.debts.onecTotal, m.locale)}`);
      out.push(`${t.crm}: ${formatMoney(m.debts.crmTotal, m.locale)}`);
      out.push(`${t.debtDifference}: ${formatMoney(m.debts.difference, m.locale)}`);
      out.push(`${t.debtMismatched}: ${formatInt(m.debts.mismatched, m.locale)}`);
    }

    for (const s of m.sections) {
      out.push('', `== ${t.kinds[s.kind]} (${t.shownOf(s.items.length, s.total)}) ==`);
      for (const i of s.items) {
        const flags = `${i.severity === 'critical' ? '!!! ' : ''}${i.isNew ? `[${t.isNew.toLowerCase()}] ` : ''}`;
        out.push(`- ${flags}${t.entities[i.entity]} ${i.record}`);
        if (i.field || i.onecValue || i.crmValue) {
          if (i.field)
            out.push(
              `  ${t.field}: ${t.fields[i.field] ?? i.field}${i.differsInMaskedPart ? ` (${t.differsInMaskedPart})` : ''}`,
            );
          out.push(`  ${t.onec}: ${i.onecValue ? displayValue(i.onecValue, i.field, m.locale) : '—'}`);
          out.push(`  ${t.crm}: ${i.crmValue ? displayValue(i.crmValue, i.field, m.locale) : '—'}`);
        } else out.push(`  ${i.detail}`);
      }
    }

    if (m.clusters.shown.length) {
      out.push('', `== ${t.duplicatesHeading} (${t.shownOf(m.clusters.shown.length, m.clusters.total)}) ==`);
      for (const c of m.clusters.shown) {
        out.push(`- ${t.scopes[c.scope]}, ${t.score} ${formatScore(c.score, m.locale)}`);
        for (const x of c.members)
          out.push(
            `  ${x.system === 'onec' ? t.onec : t.crm}: ${x.name}${x.inn ? ` (${x.inn})` : ''} [${x.id}]`,
          );
        for (const r of c.reasons) out.push(`  * ${r}`);
      }
    }
  }

  out.push('');
  if (m.allItems.length) out.push(t.attachmentNote);
  if (m.links.api) out.push(`${t.openInApi}: ${m.links.api}`);
  if (m.links.grafana) out.push(`${t.openInGrafana}: ${m.links.grafana}`);
  out.push('', '--', t.footer, `${t.run}: ${m.runId}`);
  return out.join('\n') + '\n';
}
