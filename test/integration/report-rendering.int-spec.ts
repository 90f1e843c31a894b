import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { renderScreenshot, sampleReportHtml } from '../../src/report/render-screenshot.js';

/**
 * The report HTML in a real browser engine (Debian's chromium, headless): what readers see. Skipped
 * only where /usr/bin/chromium is not installed (`apt-get install chromium`).
 */
const CHROMIUM = '/usr/bin/chromium';
const maybe = existsSync(CHROMIUM) ? describe : describe.skip;

maybe('report HTML rendered by headless Chromium', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    dir = await mkdtemp(join(tmpdir(), 'sverka-render-'));
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(['ru', 'en'] as const)(
    '%s: fits 640 px, loads nothing remote, runs no script, shows the verdict first',
    async (locale) => {
      const page = await browser.newPage({ viewport: { width: 640, height: 900 }, javaScriptEnabled: false });
      const requests: string[] = [];
      await page.route('**/*', (route) => {
        requests.push(route.request().url());
        return route.abort();
      });
      await page.setContent(sampleReportHtml(locale), { waitUntil: 'load' });
      expect(requests).toEqual([]);
      // Evaluated in the page (a string: this project's TypeScript has no DOM types).
      const layout = (await page.evaluate(`({
      scrollWidth: document.documentElement.scrollWidth,
      scripts: document.scripts.length,
      images: document.images.length,
      firstText: document.body.innerText.slice(0, 400),
    })`)) as { scrollWidth: number; scripts: number; images: number; firstText: string };
      expect(layout.scrollWidth).toBeLessThanOrEqual(640);
      expect(layout.scripts).toBe(0);
      expect(layout.images).toBe(0);
      expect(layout.firstText).toContain(
        locale === 'ru' ? 'Найдено 15 расхождений' : 'Found 15 discrepancies',
      );
      await page.close();
    },
  );

  it('fits a phone screen (375 px) without sideways scrolling', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 }, javaScriptEnabled: false });
    await page.setContent(sampleReportHtml('ru'), { waitUntil: 'load' });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.close();
  });

  it('renderScreenshot writes a PNG of the whole report (the docs/report.png script)', async () => {
    const png = join(dir, 'report.png');
    await renderScreenshot(png, 'ru');
    const buf = await readFile(png);
    expect(buf.subarray(1, 4).toString('latin1')).toBe('PNG');
    const width = buf.readUInt32BE(16);
    const height = buf.readUInt32BE(20);
    expect(width).toBe(680);
    expect(height).toBeGreaterThan(1500);
  });
});
