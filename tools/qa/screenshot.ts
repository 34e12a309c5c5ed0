// Screenshot evidence of an HTML report in headless Chromium (Debian's `chromium`, driven by
// playwright-core): the top of the report (summary, provenance, failures, traceability) and the
// section of the first failed case (its message, replay command and plot with the tolerance band).
// Usage: node dist/tools/qa/screenshot.js REPORT.html OUT.png  ->  OUT.png and OUT-failure.png
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

/** The flags Chromium needs here: no sandbox (root in a container), no GPU, no network chatter. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function screenshotReport(
  html: string,
  outPng: string,
  executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium',
): Promise<string[]> {
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    await page.goto(pathToFileURL(resolve(html)).href);
    const written = [outPng];
    await page.screenshot({ path: outPng });
    const failed = page.locator('details.case.failed').first();
    if (await failed.count()) {
      const out = outPng.replace(/\.png$/i, '') + '-failure.png';
      await failed.screenshot({ path: out });
      written.push(out);
    }
    return written;
  } finally {
    await browser.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [html, png] = process.argv.slice(2);
  if (!html || !png) {
    console.error('usage: node dist/tools/qa/screenshot.js REPORT.html OUT.png');
    process.exit(2);
  }
  screenshotReport(html, png).then(
    (files) => console.log(files.join('\n')),
    (e: Error) => {
      console.error(e.message);
      process.exit(3);
    },
  );
}
