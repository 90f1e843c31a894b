import { reportStrings, type CheckStatus } from './report-i18n.js';
import { displayValue, formatDelta, formatInt, formatMoney, formatScore } from './report-format.js';
import { sectionLayout, type ReportModel } from './report-model.js';

/**
 * The plain-text part, for reading on a phone: short lines, no wide tables, one fact per line,
 * the status first so it survives a narrow screen. Pure.
 */

/** A link as people read it: percent-encoded Cyrillic (1C object names) shown as letters; mail clients link it the same. */
function readable(url: string): string {
  try {
    return decodeURI(url);
  } catch {
    return url;
  }
}

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
    const line = (c: (typeof m.checks)[number]) => {
      const count =
        c.status === 'not_run' && c.count === 0
          ? t.checkStatus.not_run
          : `${formatInt(c.count, m.locale)} (${formatDelta(c.delta, m.locale)})`;
      out.push(`${MARK[c.status]} ${t.checks[c.check]}: ${count}`);
      if (c.note) out.push(`    ${c.note}`);
    };
    m.checks.filter((c) => c.inTotal).forEach(line);
    out.push(`= ${t.totalRow}: ${formatInt(m.total, m.locale)}`);
    const apart = m.checks.filter((c) => !c.inTotal);
    if (apart.length) {
      out.push(`${t.notInTotal}:`);
      apart.forEach(line);
    }
    if (!m.hasPrevious) out.push(`(${t.change}: ${t.noPrevious})`);
    if (m.links.grafana) out.push(`${t.openInGrafana}: ${m.links.grafana}`);

    if (m.records.length) {
      out.push('', `== ${t.recordsHeading} ==`);
      for (const r of m.records) {
        out.push(
          `${t.entities[r.entity]}: ${t.onec} ${formatInt(r.onec, m.locale)} / ${t.crm} ${formatInt(r.crm, m.locale)} / ${t.linked.toLowerCase()} ${formatInt(r.linked, m.locale)}`,
        );
        if (r.missing > 0) out.push(`  ${t.onecMissing(r.entity, r.missing)}`);
        if (r.extras) out.push(`  ${t.crmExtras(r.entity, r.extras)}`);
      }
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
      out.push(`${t.nextStepLabel}: ${s.nextStep}`);
      if (s.apiUrl) out.push(`${t.openList}: ${s.apiUrl}`);
      for (const i of s.items) {
        const flags = `${i.severity === 'critical' ? '!!! ' : ''}${i.isNew ? `[${t.isNew.toLowerCase()}] ` : ''}`;
        const name = i.name || t.entities[i.entity];
        out.push(
          `- ${flags}${name}${i.inn ? `, ${t.inn} ${i.inn}` : ''}${i.name ? ` (${t.entities[i.entity]})` : ''}`,
        );
        const layout = sectionLayout(i.kind);
        if (layout === 'values') {
          if (i.fieldLabel)
            out.push(
              `  ${t.field}: ${i.fieldLabel}${i.differsInMaskedPart ? ` (${t.differsInMaskedPart})` : ''}`,
            );
          out.push(`  ${t.onec}: ${i.onecValue ? displayValue(i.onecValue, i.field, m.locale) : '—'}`);
          out.push(`  ${t.crm}: ${i.crmValue ? displayValue(i.crmValue, i.field, m.locale) : '—'}`);
        } else if (layout === 'invalid' && i.fieldLabel) {
          out.push(`  ${i.fieldLabel}: ${i.onecValue || '—'}`);
          out.push(`  ${t.whatsWrong}: ${i.reason}`);
        } else out.push(`  ${i.detail}`);
        if (i.crmUrl) out.push(`  ${t.crm}: ${i.crmUrl}`);
        if (i.onecUrl) out.push(`  ${t.onec}: ${readable(i.onecUrl)}`);
        if (!i.crmUrl && !i.onecUrl && (i.onecRef || i.crmId))
          out.push(`  ${[i.onecRef, i.crmId ? `CRM ${i.crmId}` : ''].filter(Boolean).join(' / ')}`);
      }
    }

    if (m.clusters.shown.length) {
      out.push('', `== ${t.duplicatesHeading} (${t.shownOf(m.clusters.shown.length, m.clusters.total)}) ==`);
      out.push(`${t.nextStepLabel}: ${m.clusters.nextStep}`);
      if (m.clusters.apiUrl) out.push(`${t.openList}: ${m.clusters.apiUrl}`);
      for (const c of m.clusters.shown) {
        out.push(`- ${t.scopes[c.scope]}, ${t.score} ${formatScore(c.score, m.locale)}`);
        for (const x of c.members)
          out.push(
            `  ${x.system === 'onec' ? t.onec : t.crm}: ${x.name}${x.inn ? ` (${t.inn} ${x.inn})` : ''} ${x.url ? readable(x.url) : `[${x.id}]`}`,
          );
        for (const r of c.reasons) out.push(`  * ${r}`);
      }
    }
  }

  out.push('');
  if (m.allItems.length) out.push(t.attachmentNote);
  if (m.links.api) out.push(`${t.openInApi}: ${m.links.api}`);
  if (m.links.report) out.push(`${t.openReport}: ${m.links.report}`);
  if (m.links.grafana) out.push(`${t.openInGrafana}: ${m.links.grafana}`);
  out.push('', '--', t.footer, `${t.run}: ${m.runId}`);
  return out.join('\n') + '\n';
}
