import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
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
 * `npm run report:screenshot [-- <source>]`: renders a report's HTML with headless Chromium (Debian's
 * /usr/bin/chromium through playwright-core, no browser download) into docs/report.png, so that
 * reviewers see what readers see. The source is an `.eml` (its HTML part) or `.html` file; by default
 * the newest e-mail the demo wrote to ./out/mail — what the demo really sends. `sample` (or
 * `sample-en`) renders the built-in sample run instead. A development tool: playwright-core and
 * mailparser are dev dependencies.
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

/** The HTML of a report e-mail (`.eml`, its HTML part) or page (`.html`). */
export async function reportHtmlOf(file: string): Promise<string> {
  const raw = await readFile(file);
  if (!/\.eml$/i.test(file)) return raw.toString('utf8');
  const { simpleParser } = await import('mailparser');
  const mail = await simpleParser(raw);
  if (!mail.html) throw new Error(`${file} has no HTML part`);
  return mail.html;
}

/** The newest `.eml` in a directory (the demo's outbox), or null. */
export async function newestEml(dir: string): Promise<string | null> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.eml'));
  } catch {
    return null;
  }
  const dated = await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(dir, n))).mtimeMs })));
  dated.sort((a, b) => b.t - a.t);
  return dated[0] ? join(dir, dated[0].n) : null;
}

export async function renderScreenshot(
  png: string,
  source: 'ru' | 'en' | { html: string } = 'ru',
  width = 680,
): Promise<void> {
  const { chromium } = await import('playwright-core');
  const html = typeof source === 'string' ? sampleReportHtml(source) : source.html;
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
  const from = process.argv[3];
  (async () => {
    if (from === 'sample' || from === 'sample-en') {
      await renderScreenshot(png, from === 'sample-en' ? 'en' : 'ru');
      return 'the sample run';
    }
    const file = from ? resolve(from) : await newestEml(resolve('out', 'mail'));
    if (!file)
      throw new Error(
        'no report e-mail in ./out/mail: run `npm run demo` first (or pass an .eml/.html file, or `sample`)',
      );
    await renderScreenshot(png, { html: await reportHtmlOf(file) });
    return file;
  })()
    .then((what) => console.log(`wrote ${png} from ${what}`))
    .catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 1;
    });
}
