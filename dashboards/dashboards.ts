import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { overviewDashboard } from './overview.dashboard.js';
import { syncDetailDashboard } from './sync-detail.dashboard.js';

/** Every dashboard and the file it is committed as in dashboards/ (provisioned from there). */
export const DASHBOARDS: { file: string; build: () => Dashboard }[] = [
  { file: 'sverka-overview.json', build: overviewDashboard },
  { file: 'sverka-sync-detail.json', build: syncDetailDashboard },
];

/** The committed text of a dashboard: stable key order as built, two-space indent, final newline. */
export function renderDashboard(d: Dashboard): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}

/** file name → JSON text of every dashboard. */
export function renderDashboards(): Map<string, string> {
  return new Map(DASHBOARDS.map(({ file, build }) => [file, renderDashboard(build())]));
}
