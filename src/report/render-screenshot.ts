import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { renderHtml } from './render-html.js';
import { buildReportModel, discrepancyKey } from './report-model.js';
import {
  sampleClusters,
  sampleDiscrepancies,
  samplePreviousItems,
  samplePreviousRun,
  sampleRun,
} from './report-sample.js';

/**
 * `npm run report:screenshot [-- <png> [ru|en]]`: renders the HTML report of the sample run with
 * headless Chromium (Debian's /usr/bin/chromium through playwright-core, no browser download) into
 * docs/report.png, so that reviewers see what readers see.
 */

export function sampleReportHtml(locale: 'ru' | 'en' = 'ru'): string {
  return renderHtml(
    buildReportModel({
      run: sampleRun(),
      previous: samplePreviousRun(),
      discrepancies: sampleDiscrepancies(),
      previousKeys: new Set(samplePreviousItems().map(discrepancyKey)),
      clusters: sampleClusters(),
      locale,
      links: {
        publicUrl: 'https://sverka.example.ru',
        grafanaUrl: 'https://grafana.example.ru/d/sverka-reconcile',
      },
      now: new Date('2026-11-28T03:08:00Z'),
    }),
  );
}

export async function renderScreenshot(png: string, locale: 'ru' | 'en' = 'ru', width = 680): Promise<void> {
  const { chromium } = await import('playwright-core');
  const html = sampleReportHtml(locale);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width, height: 800 }, deviceScaleFactor: 1 });
    // The report must render with no network at all: every request is refused.
    const requests: string[] = [];
    await page.route('**/*', (route) => {
      requests.push(route.request().url());
      return route.abort();
    });
    await page.setContent(html, { waitUntil: 'load' });
    if (requests.length)
      throw new Error(
        `the report HTML tried to load ${requests.length} remote resource(s): ${requests.join(', ')}`,
      );
    await mkdir(dirname(png), { recursive: true });
    await page.screenshot({ path: png, fullPage: true });
  } finally {
    await browser.close();
  }
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${resolve(process.argv[1])}`).href;
if (isMain) {
  const png = resolve(process.argv[2] ?? 'docs/report.png');
  const locale = process.argv[3] === 'en' ? 'en' : 'ru';
  renderScreenshot(png, locale)
    .then(() => console.log(`wrote ${png}`))
    .catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 1;
    });
}
