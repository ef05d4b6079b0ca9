/**
 * The dashboard in a real headless Chromium (Debian's, driven by playwright-core) against a
 * gateway over the real mock: the page opens through the admin login form, loads without
 * console errors, shows the primary's breaker opening while the mock fails it (in red, with
 * what outlast does about it in words) and closing once the mock recovers. The screenshot taken
 * while the breaker is open is docs/dashboard.png (see SCREENSHOT).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/gateway/index.ts';
import { createHarness, GATEWAY_KEY, type Harness } from './support.ts';

const CHROMIUM = '/usr/bin/chromium';
const ADMIN_KEY = 'olk_dashboard_admin_key_0123456789';
// Written under the temp dir on every run; OUTLAST_DASHBOARD_SCREENSHOT=docs/dashboard.png
// refreshes the committed one (a test run must not leave the checkout modified).
const SCREENSHOT =
  process.env['OUTLAST_DASHBOARD_SCREENSHOT'] ?? join(tmpdir(), `outlast-dashboard-${process.pid}.png`);

let harness: Harness;
let browser: BrowserContext | undefined;
let profile: string;
beforeAll(async () => {
  harness = await createHarness({
    defaults: { firstTokenMs: 5, tokenMs: 2, answerTokens: 20 },
    models: { 'gpt-4.1': { faults: ['500'] } },
  });
  profile = mkdtempSync(join(tmpdir(), 'outlast-chromium-'));
});
afterAll(async () => {
  await browser?.close();
  await harness.close();
  rmSync(profile, { recursive: true, force: true });
});

async function calls(url: string, n: number) {
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${GATEWAY_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'default', messages: [{ role: 'user', content: `question ${i}` }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
  }
}

/** Traffic, a call every 150 ms, until the page shows `what` (at most 8 s). */
async function untilShown(url: string, what: ReturnType<import('playwright-core').Page['locator']>) {
  const until = Date.now() + 8000;
  while (Date.now() < until) {
    await calls(url, 1);
    if ((await what.count()) > 0) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  await what.waitFor({ timeout: 2000 });
}

describe('dashboard', () => {
  it('shows a breaker opening during a fault and closing after it, without console errors', async () => {
    // Installed in the image (`apt-get install -y chromium`); the test says so rather than pass quietly.
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).toBe(true);
    const gateway = await harness.start({
      routes: { default: ['openai/gpt-4.1', 'anthropic/claude-sonnet-4-5'] },
      breaker: { consecutiveFailures: 2, cooldownMs: 1500, maxCooldownMs: 1500 },
      admin: { keys: [hashKey(ADMIN_KEY)] },
    });
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      viewport: { width: 1280, height: 900 },
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));

    // The admin login form first, then the page itself.
    await page.goto(`${gateway.url}/dashboard`);
    await page.fill('#key', ADMIN_KEY);
    await Promise.all([page.waitForURL(`${gateway.url}/dashboard`), page.click('button[type=submit]')]);
    await page.waitForSelector('#meta:has-text("in flight")');

    // The primary fails: its breaker opens (on failures spread over about a second, never on one
    // burst) and the fallback answers.
    const primary = page.locator('.card', { hasText: 'openai/gpt-4.1' });
    await untilShown(gateway.url, primary.locator('.state.open'));
    await expect(primary.getAttribute('class')).resolves.toContain('open');
    await expect(primary.locator('.doing').textContent()).resolves.toMatch(
      /breaker open after server errors: falling back to anthropic\/claude-sonnet-4-5; next probe in/,
    );
    await page.locator('#recent details').first().waitFor();
    await page.locator('#recent details summary').first().click();
    await expect(page.locator('#recent details table').first().textContent()).resolves.toContain(
      'openai/gpt-4.1',
    );
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);

    // The mock recovers; after the cooldown a probe finds the primary healthy and the breaker closes.
    harness.mock.setScenario({ defaults: { firstTokenMs: 5, tokenMs: 2, answerTokens: 20 } });
    await new Promise((r) => setTimeout(r, 1600));
    await untilShown(gateway.url, primary.locator('.state.closed'));
    await expect(primary.getAttribute('class')).resolves.not.toContain('open');
    expect(problems).toEqual([]);
  }, 30_000);
});
