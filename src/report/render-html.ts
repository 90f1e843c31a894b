import type { CheckStatus } from './report-i18n.js';
import { reportStrings } from './report-i18n.js';
import { displayValue, formatDelta, formatInt, formatMoney, formatScore } from './report-format.js';
import {
  sectionLayout,
  type CheckRow,
  type Level,
  type ReportModel,
  type SectionLayout,
  type ShownItem,
} from './report-model.js';

/**
 * The report as HTML that mail clients show: nested tables, inline styles only, no scripts, no
 * remote images, at most 640 px wide, every text escaped. Pure.
 */

export function escapeHtml(s: string | number | null | undefined): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const FONT = 'font-family:Arial,Helvetica,sans-serif;';
const PALETTE: Record<CheckStatus | Level, { fg: string; bg: string; border: string }> = {
  ok: { fg: '#1e6b34', bg: '#e6f4ea', border: '#34a853' },
  warning: { fg: '#7a5a00', bg: '#fff4d6', border: '#f2b400' },
  critical: { fg: '#a0231b', bg: '#fde7e7', border: '#d93025' },
  not_run: { fg: '#4a4f55', bg: '#eceff1', border: '#9aa0a6' },
};
const MUTED = '#5f6368';
const LINE = '#e0e3e7';

const th = (text: string, align = 'left', width?: string) =>
  `<th align="${align}"${width ? ` width="${width}"` : ''} style="${FONT}font-size:12px;font-weight:bold;color:${MUTED};text-align:${align};padding:6px 8px;border-bottom:2px solid ${LINE};">${escapeHtml(text)}</th>`;
const td = (html: string, align = 'left', extra = '') =>
  `<td align="${align}" valign="top" style="${FONT}font-size:13px;color:#202124;text-align:${align};padding:6px 8px;border-bottom:1px solid ${LINE};word-break:break-word;${extra}">${html}</td>`;

function badge(status: CheckStatus, label: string): string {
  const p = PALETTE[status];
  return `<span style="${FONT}display:inline-block;font-size:12px;font-weight:bold;color:${p.fg};background:${p.bg};border:1px solid ${p.border};border-radius:3px;padding:1px 6px;white-space:nowrap;">${escapeHtml(label)}</span>`;
}

function heading(text: string): string {
  return `<tr><td style="${FONT}font-size:16px;font-weight:bold;color:#202124;padding:22px 0 8px 0;">${escapeHtml(text)}</td></tr>`;
}

function table(inner: string): string {
  return `<tr><td><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;width:100%;">${inner}</table></td></tr>`;
}

function deltaCell(delta: number | null, m: ReportModel, goodWhenDown = true): string {
  const text = formatDelta(delta, m.locale);
  const color =
    delta === null || delta === 0 ? MUTED : delta > 0 === goodWhenDown ? PALETTE.critical.fg : PALETTE.ok.fg;
  return td(`<span style="color:${color};white-space:nowrap;">${escapeHtml(text)}</span>`, 'right');
}

/** "В CRM …" → "в CRM …" after a "Контрагенты:" lead (abbreviations such as "CRM" stay). */
function lowerFirst(text: string): string {
  return /^[A-ZА-ЯЁ][a-zа-яё]/.test(text) || /^[A-ZА-ЯЁ] /.test(text)
    ? text[0].toLowerCase() + text.slice(1)
    : text;
}

function link(href: string, text: string): string {
  return `<a href="${escapeHtml(href)}" style="color:#1a73e8;text-decoration:underline;">${escapeHtml(text)}</a>`;
}

/** The record cell: name, INN, entity, "new", and the links to its cards (or its ids when there are none). */
function recordCell(i: ShownItem, m: ReportModel): string {
  const t = reportStrings(m.locale);
  const fresh = i.isNew
    ? ` <span style="${FONT}font-size:11px;font-weight:bold;color:#1a73e8;">${escapeHtml(t.isNew.toLowerCase())}</span>`
    : '';
  const sev =
    i.severity === 'critical' ? `<span style="color:${PALETTE.critical.fg};font-weight:bold;">●</span> ` : '';
  const name = i.name || t.entities[i.entity];
  const facts = [i.inn ? `${t.inn} ${i.inn}` : '', i.name ? t.entities[i.entity] : ''].filter(Boolean);
  const sub = facts.length
    ? `<br><span style="font-size:12px;color:#3c4043;">${escapeHtml(facts.join(' · '))}</span>`
    : '';
  const links = [
    i.crmUrl ? link(i.crmUrl, t.crmCard) : '',
    i.onecUrl ? link(i.onecUrl, t.onecCard) : '',
  ].filter(Boolean);
  // Ids only where there is no link to follow (e.g. a record gone from both systems).
  const ids = links.length ? [] : [i.onecRef, i.crmId ? `CRM ${i.crmId}` : ''].filter(Boolean);
  const refs =
    (links.length ? `<br><span style="font-size:12px;">${links.join(' · ')}</span>` : '') +
    (ids.length
      ? `<br><span style="font-family:Consolas,Menlo,monospace;font-size:11px;color:${MUTED};">${escapeHtml(ids.join(' / '))}</span>`
      : '');
  return `${sev}<b>${escapeHtml(name)}</b>${fresh}${sub}${refs}`;
}

function itemRows(items: ShownItem[], layout: SectionLayout, m: ReportModel): string {
  const t = reportStrings(m.locale);
  const muted = (text: string) => `<span style="color:${MUTED};">${escapeHtml(text)}</span>`;
  const value = (v: string, i: ShownItem, other = '') =>
    v
      ? `<span style="${other && v !== other ? 'background:#fff8e1;' : ''}">${escapeHtml(displayValue(v, i.field, m.locale))}</span>`
      : muted('—');
  const head =
    layout === 'values'
      ? `<tr>${th(t.record, 'left', '34%')}${th(t.field, 'left', '16%')}${th(t.onec, 'left', '25%')}${th(t.crm, 'left', '25%')}</tr>`
      : layout === 'invalid'
        ? `<tr>${th(t.record, 'left', '34%')}${th(t.field, 'left', '14%')}${th(t.onecValueHead, 'left', '22%')}${th(t.whatsWrong, 'left', '30%')}</tr>`
        : `<tr>${th(t.record, 'left', '40%')}${th(t.detail)}</tr>`;
  const rows = items
    .map((i) => {
      if (layout === 'detail') return `<tr>${td(recordCell(i, m))}${td(escapeHtml(i.detail))}</tr>`;
      if (layout === 'invalid')
        return `<tr>${td(recordCell(i, m))}${td(i.fieldLabel ? escapeHtml(i.fieldLabel) : muted('—'))}${td(value(i.onecValue, i))}${td(escapeHtml(i.reason))}</tr>`;
      const hidden = i.differsInMaskedPart
        ? `<br><span style="font-size:11px;color:${MUTED};">${escapeHtml(t.differsInMaskedPart)}</span>`
        : '';
      const field = i.fieldLabel ? escapeHtml(i.fieldLabel) : muted(i.detail);
      return `<tr>${td(recordCell(i, m))}${td(field + hidden)}${td(value(i.onecValue, i, i.crmValue))}${td(value(i.crmValue, i, i.onecValue))}</tr>`;
    })
    .join('');
  return head + rows;
}

/** "What to do: …" and the link to the whole list, under a section's title. */
function nextStep(text: string, apiUrl: string | undefined, m: ReportModel): string {
  const t = reportStrings(m.locale);
  return `<tr><td style="${FONT}font-size:12px;color:#3c4043;padding:0 0 6px 0;line-height:1.4;"><b>${escapeHtml(t.nextStepLabel)}:</b> ${escapeHtml(text)}${apiUrl ? ` ${link(apiUrl, t.openList)}` : ''}</td></tr>`;
}

function checkRow(c: CheckRow, m: ReportModel): string {
  const t = reportStrings(m.locale);
  const count = c.status === 'not_run' && c.count === 0 ? '—' : escapeHtml(formatInt(c.count, m.locale));
  return `<tr>${td(escapeHtml(t.checks[c.check]) + (c.note ? `<br><span style="font-size:11px;color:${MUTED};">${escapeHtml(c.note)}</span>` : ''))}${td(badge(c.status, t.checkStatus[c.status]))}${td(count, 'right', 'font-weight:bold;')}${deltaCell(c.delta, m)}</tr>`;
}

export function renderHtml(m: ReportModel): string {
  const t = reportStrings(m.locale);
  const p = PALETTE[m.level];
  const parts: string[] = [];

  // Title bar and verdict.
  parts.push(
    `<tr><td style="background:#1f3a5f;padding:16px 20px;"><div style="${FONT}font-size:20px;font-weight:bold;color:#ffffff;">${escapeHtml(t.title)}</div>` +
      `<div style="${FONT}font-size:13px;color:#d2dbe6;padding-top:4px;">${escapeHtml(m.date)} · ${escapeHtml(t.run)} ${escapeHtml(t.trigger[m.trigger])} · ${escapeHtml(t.runStatus[m.runStatus])}</div></td></tr>`,
  );
  parts.push(
    `<tr><td style="padding:16px 0 0 0;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;width:100%;"><tr>` +
      `<td style="${FONT}background:${p.bg};border-left:6px solid ${p.border};padding:14px 16px;font-size:15px;line-height:1.45;color:${p.fg};font-weight:bold;">${escapeHtml(m.verdictText)}</td>` +
      `</tr></table></td></tr>`,
  );
  const times = [
    m.startedAt ? `${t.started}: ${m.startedAt}` : null,
    m.finishedAt ? `${t.finished}: ${m.finishedAt}` : null,
  ].filter(Boolean);
  if (times.length)
    parts.push(
      `<tr><td style="${FONT}font-size:12px;color:${MUTED};padding:6px 0 0 0;">${escapeHtml(times.join(' · '))}${m.hasPrevious ? '' : ` · ${escapeHtml(t.noPrevious)}`}</td></tr>`,
    );

  if (m.verdict !== 'failed' && m.verdict !== 'unfinished') {
    // Headline table: the discrepancy checks and their total, then what is counted apart.
    parts.push(heading(t.checksHeading));
    const counted = m.checks.filter((c) => c.inTotal);
    const apart = m.checks.filter((c) => !c.inTotal);
    const totalDelta = counted.every((c) => c.delta !== null)
      ? counted.reduce((acc, c) => acc + (c.delta ?? 0), 0)
      : null;
    parts.push(
      table(
        `<tr>${th(t.check)}${th(t.status)}${th(t.found, 'right')}${th(t.change, 'right')}</tr>` +
          counted.map((c) => checkRow(c, m)).join('') +
          `<tr>${td(`<b>${escapeHtml(t.totalRow)}</b>`, 'left', 'border-top:2px solid #9aa0a6;')}${td('', 'left', 'border-top:2px solid #9aa0a6;')}${td(escapeHtml(formatInt(m.total, m.locale)), 'right', 'font-weight:bold;border-top:2px solid #9aa0a6;')}${deltaCell(totalDelta, m).replace('border-bottom:', 'border-top:2px solid #9aa0a6;border-bottom:')}</tr>` +
          (apart.length
            ? `<tr><td colspan="4" style="${FONT}font-size:12px;color:${MUTED};padding:14px 8px 4px 8px;">${escapeHtml(t.notInTotal)}</td></tr>` +
              apart.map((c) => checkRow(c, m)).join('')
            : ''),
      ),
    );
    const headLinks = [
      m.links.grafana ? link(m.links.grafana, t.openInGrafana) : '',
      m.links.report ? link(m.links.report, t.openReport) : '',
    ].filter(Boolean);
    if (headLinks.length)
      parts.push(
        `<tr><td style="${FONT}font-size:12px;padding:6px 0 0 0;">${headLinks.join(' &nbsp;·&nbsp; ')}</td></tr>`,
      );

    if (m.records.length) {
      parts.push(heading(t.recordsHeading));
      parts.push(
        table(
          `<tr>${th(t.entity)}${th(t.onec, 'right')}${th(t.crm, 'right')}${th(t.linked, 'right')}</tr>` +
            m.records
              .map((r) => {
                // Red where something needs a person: 1C records without a card, CRM cards of ours
                // without a live 1C record. People's own and other integrations' cards are normal.
                const bad = `color:${PALETTE.critical.fg};font-weight:bold;`;
                const crmBad = r.extras ? r.extras.orphans + r.extras.rest > 0 : r.crm !== r.linked;
                const cell = (n: number, red: boolean) =>
                  td(escapeHtml(formatInt(n, m.locale)), 'right', red ? bad : '');
                return `<tr>${td(escapeHtml(t.entities[r.entity]))}${cell(r.onec, false)}${cell(r.crm, crmBad)}${cell(r.linked, r.missing > 0)}</tr>`;
              })
              .join(''),
        ),
      );
      const notes = m.records.flatMap((r) => [
        ...(r.missing > 0
          ? [`${t.entities[r.entity]}: ${lowerFirst(t.onecMissing(r.entity, r.missing))}`]
          : []),
        ...(r.extras ? [`${t.entities[r.entity]}: ${lowerFirst(t.crmExtras(r.entity, r.extras))}`] : []),
      ]);
      if (notes.length)
        parts.push(
          `<tr><td style="${FONT}font-size:12px;color:#3c4043;padding:6px 0 0 0;line-height:1.45;">${notes.map((n) => escapeHtml(n)).join('<br>')}</td></tr>`,
        );
    }

    if (m.debts) {
      const d = m.debts;
      const diffColor = d.difference === '0.00' ? PALETTE.ok.fg : PALETTE.critical.fg;
      parts.push(heading(t.debtsHeading));
      parts.push(
        table(
          `<tr>${td(escapeHtml(t.debtOnec))}${td(escapeHtml(formatMoney(d.onecTotal, m.locale)), 'right', 'white-space:nowrap;')}</tr>` +
            `<tr>${td(escapeHtml(t.debtCrm))}${td(escapeHtml(formatMoney(d.crmTotal, m.locale)), 'right', 'white-space:nowrap;')}</tr>` +
            `<tr>${td(`<b>${escapeHtml(t.debtDifference)}</b>`)}${td(escapeHtml(formatMoney(d.difference, m.locale)), 'right', `white-space:nowrap;font-weight:bold;color:${diffColor};`)}</tr>` +
            `<tr>${td(escapeHtml(t.debtMismatched))}${td(escapeHtml(formatInt(d.mismatched, m.locale)) + (d.mismatchedDelta === null ? '' : ` <span style="color:${MUTED};">(${escapeHtml(formatDelta(d.mismatchedDelta, m.locale))})</span>`), 'right')}</tr>`,
        ),
      );
    }

    if (m.sections.length) {
      parts.push(heading(t.topHeading));
      for (const s of m.sections) {
        parts.push(
          `<tr><td style="${FONT}font-size:14px;font-weight:bold;color:#202124;padding:14px 0 4px 0;">${escapeHtml(t.kinds[s.kind])} <span style="font-weight:normal;color:${MUTED};">(${escapeHtml(t.shownOf(s.items.length, s.total))})</span></td></tr>`,
        );
        parts.push(nextStep(s.nextStep, s.apiUrl, m));
        if (s.items.length) parts.push(table(itemRows(s.items, sectionLayout(s.kind), m)));
      }
    }

    if (m.clusters.shown.length) {
      parts.push(heading(`${t.duplicatesHeading} (${t.shownOf(m.clusters.shown.length, m.clusters.total)})`));
      parts.push(nextStep(m.clusters.nextStep, m.clusters.apiUrl, m));
      parts.push(
        table(
          m.clusters.shown
            .map((c) => {
              const members = c.members
                .map(
                  (x) =>
                    `<b>${escapeHtml(x.system === 'onec' ? t.onec : t.crm)}</b> ${escapeHtml(x.name)}${x.inn ? ` <span style="color:${MUTED};">${escapeHtml(t.inn)} ${escapeHtml(x.inn)}</span>` : ''} ${x.url ? link(x.url, x.system === 'onec' ? t.onecCard : t.crmCard) : `<span style="font-family:Consolas,Menlo,monospace;font-size:11px;color:${MUTED};">${escapeHtml(x.id)}</span>`}`,
                )
                .join('<br>');
              const reasons = c.reasons.map((r) => `• ${escapeHtml(r)}`).join('<br>');
              return `<tr>${td(`<span style="font-size:12px;color:${MUTED};">${escapeHtml(t.scopes[c.scope])} · ${escapeHtml(t.score)} ${escapeHtml(formatScore(c.score, m.locale))}</span><br>${members}<div style="font-size:12px;color:#3c4043;padding-top:4px;">${reasons}</div>`)}</tr>`;
            })
            .join(''),
        ),
      );
    }
  }

  const links: string[] = [];
  if (m.links.api) links.push(link(m.links.api, t.openInApi));
  if (m.links.grafana) links.push(link(m.links.grafana, t.openInGrafana));
  const note = m.allItems.length ? escapeHtml(t.attachmentNote) : '';
  parts.push(
    `<tr><td style="${FONT}font-size:13px;color:#202124;padding:22px 0 0 0;">${note}${note && links.length ? '<br>' : ''}${links.join(' &nbsp;·&nbsp; ')}</td></tr>`,
  );
  parts.push(
    `<tr><td style="${FONT}font-size:11px;color:${MUTED};padding:18px 0 8px 0;border-top:1px solid ${LINE};">${escapeHtml(t.footer)}<br>${escapeHtml(t.run)}: <span style="font-family:Consolas,Menlo,monospace;">${escapeHtml(m.runId)}</span></td></tr>`,
  );

  return (
    `<!DOCTYPE html><html lang="${m.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(m.subject)}</title></head>` +
    `<body style="margin:0;padding:0;background:#f1f3f4;">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f1f3f4;"><tr><td align="center" style="padding:16px 8px;">` +
    `<table role="presentation" width="640" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:640px;background:#ffffff;border-collapse:collapse;"><tr><td style="padding:0 0 8px 0;">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;width:100%;">${parts[0]}</table></td></tr>` +
    `<tr><td style="padding:0 20px 12px 20px;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;width:100%;">${parts.slice(1).join('')}</table></td></tr>` +
    `</table></td></tr></table></body></html>`
  );
}
