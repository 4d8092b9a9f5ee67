// Driving the explorer in headless Chromium, as a person would: a tab per test (with the token entered first
// when given), script errors collected, and an axe-core audit of what the page shows.
import type { ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, type Page, chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Chromium, or a failed run: CI installs it (.ci/run), and a missing browser must never skip the tests. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: run \`apt-get install -y chromium\`.`);
  // Playwright gives every launch a fresh, temporary profile (user data dir).
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

const scriptErrors = new WeakMap<Page, string[]>();

export interface TabOptions {
  token?: string | undefined;
  width?: number;
  /** Only for the accessibility audit: axe-core is injected as a script the page's CSP would refuse. */
  bypassCSP?: boolean;
}

/** A new browser tab at `base + path`, with `token` entered in the explorer's token field first (when given). */
export async function openExplorer(
  t: ExecutionContext,
  browser: Browser,
  base: string,
  path: string,
  options: TabOptions = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1360, height: 900 },
    bypassCSP: options.bypassCSP ?? false,
  });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  scriptErrors.set(page, errors);
  page.on('pageerror', (error) => errors.push(error.message));
  if (options.token) {
    await page.goto(`${base}/explorer`);
    await page.getByLabel('Bearer token').fill(options.token);
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.getByText('Token in use').waitFor();
  }
  // Addresses are absolute on the server's origin; a path is taken on it too.
  await page.goto(new URL(path, base).href);
  await page.locator('main h1').waitFor();
  return page;
}

/** Every test ends here: the page ran without a script error. */
export function noScriptErrors(t: ExecutionContext, page: Page): void {
  t.deepEqual(scriptErrors.get(page), [], 'no script errors on the page');
}

export const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });

export const pathOf = (page: Page) => {
  const url = new URL(page.url());
  return url.pathname + url.search;
};

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export interface Violation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** The serious and critical WCAG 2.1 A and AA violations axe-core finds on the page as it is now. */
export async function axeViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            context: Document,
            options: object,
          ): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }));
}
