import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';

/** A panel as found in dashboard JSON (rows hold panels when collapsed). */
export interface PanelJson {
  id?: number;
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string } | null;
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: {
    refId?: string;
    expr?: string;
    instant?: boolean;
    datasource?: { type?: string; uid?: string };
  }[];
  panels?: PanelJson[];
}

/** Every non-row panel of a dashboard, including the panels of collapsed rows. */
export function panelsOf(d: Dashboard): PanelJson[] {
  const out: PanelJson[] = [];
  for (const p of (d.panels ?? []) as PanelJson[]) {
    if (p.type === 'row') out.push(...(p.panels ?? []));
    else out.push(p);
  }
  return out;
}

/** One query of a panel or a variable. */
export interface DashboardQuery {
  where: string;
  expr: string;
  /** Instant (a stat or table of the latest value) or range (a time series). */
  instant: boolean;
  /** A Grafana variable query (`label_values(…)`), not PromQL. */
  variable: boolean;
}

/** Every PromQL expression of every panel, and every query variable's query. */
export function queriesOf(d: Dashboard): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const p of panelsOf(d)) {
    for (const t of p.targets ?? []) {
      if (t.expr !== undefined)
        out.push({
          where: `${d.title} / ${p.title} / ${t.refId ?? '?'}`,
          expr: t.expr,
          instant: t.instant === true,
          variable: false,
        });
    }
  }
  for (const v of (d.templating?.list ?? []) as { type: string; name: string; query?: unknown }[]) {
    if (v.type === 'query' && typeof v.query === 'string')
      out.push({ where: `${d.title} / $${v.name}`, expr: v.query, instant: true, variable: true });
  }
  return out;
}
