import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMs } from '../../console/src/components/format.ts';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { CONSOLE_DIST } from '../../src/surfaces/http/console-static.ts';
import { policyTools } from '../policy/policy-support.ts';
import { eventually } from '../support/eventually.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { collectBrowserErrors, launchChromium, screenshot } from './browser.ts';

describe.each(storeTargets())('the runs page and settings in Chromium on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let browser: Browser;
  let adminKey: string;
  const contexts: BrowserContext[] = [];
  /** The browser errors of every context, checked at the end. */
  const errors: string[][] = [];
  const shot = (p: Page, name: string) => screenshot(p, `${target.kind}-runs-${name}`);

  /** A signed-in page in a fresh browser context of this size. */
  async function signedIn(viewport: { width: number; height: number }): Promise<Page> {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    errors.push(collectBrowserErrors(context));
    const page = await context.newPage();
    await page.goto(`${h.url}/`);
    await page.getByLabel('API key').fill(adminKey);
    await page.getByLabel('API key').press('Enter');
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    return page;
  }
  const openRuns = async (page: Page) => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Runs' }).click();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  };
  const runRow = (page: Page, runId: string) =>
    page.locator('.runs-table tbody tr').filter({ has: page.locator(`a[href="/runs/${runId}"]`) });

  beforeAll(async () => {
    if (!existsSync(join(CONSOLE_DIST, 'index.html')))
      throw new Error('The console is not built: run `npm run build:console` first');
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: policyTools,
      worker: { pollMs: 50 },
    });
    await h.createAgent({ name: 'clerk', tools: ['lookup'] });
    await h.createAgent({ name: 'stray', model: 'nosuch:model-x' });
    await h.createAgent({ name: 'ghost', model: 'scripted:no-such-model' });
    adminKey = readFileSync(join(h.config.home, 'admin-api-key'), 'utf8').trim();
    for (const [task, answer] of [
      ['Where is parcel_7?', 'Parcel 7 is in the depot.'],
      ['Refund order 42', 'Refunded 100%.'],
      ['Summarise the week', 'A quiet week.'],
    ]) {
      model.enqueue({ text: answer! });
      const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
        agent: 'clerk',
        task,
        wait: true,
      });
      expect(body.run.status).toBe('succeeded');
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await h?.agentOs.stop();
    await model?.close();
  });

  it('shows a run started through the API, and its status changes, without a reload', async () => {
    const page = await signedIn({ width: 1280, height: 900 });
    await openRuns(page);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    model.setHandler(async () => {
      await held;
      return { text: 'Order 9 is on its way.' };
    });
    try {
      let reloads = 0;
      page.on('framenavigated', () => {
        reloads += 1;
      });
      const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
        agent: 'clerk',
        task: 'Where is order 9?',
      });
      const row = runRow(page, body.run.id);
      await row.locator('.badge-running').waitFor();
      await row.getByText('Where is order 9?').waitFor();
      await shot(page, 'live-running');
      release();
      await row.locator('.badge-succeeded').waitFor();
      expect(reloads).toBe(0);
      await shot(page, 'live-succeeded');
    } finally {
      model.setHandler(undefined);
    }
  });

  it('narrows the list as the user types a search, in any case, over task and answer', async () => {
    const page = await signedIn({ width: 1280, height: 900 });
    await openRuns(page);
    const rows = page.locator('.runs-table tbody tr');
    await eventually(async () => expect(await rows.count()).toBe(4));
    await page.getByLabel('Search').fill('DEPOT');
    await eventually(async () => expect(await rows.count()).toBe(1));
    await rows.getByText('Where is parcel_7?').waitFor();
    await page.getByLabel('Search').fill('100%');
    await rows.getByText('Refund order 42').waitFor();
    await eventually(async () => expect(await rows.count()).toBe(1));
    await shot(page, 'search');
    await page.getByLabel('Search').fill('no run says this');
    await page.getByText('No runs match.').waitFor();
  });

  it('fits a 390 px phone: no sideways scrolling, each run a card of labelled lines', async () => {
    const page = await signedIn({ width: 390, height: 844 });
    await openRuns(page);
    await page.locator('.runs-table tbody tr').first().waitFor();
    // Strings, as the test's own TypeScript has no DOM types: evaluated in the page.
    const widths = await page.evaluate<{ scroll: number; inner: number; body: number; table: number }>(
      `({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth, body: document.body.scrollWidth,
          table: document.querySelector('.table-wrap').scrollWidth })`,
    );
    expect(widths.scroll).toBeLessThanOrEqual(widths.inner);
    expect(widths.body).toBeLessThanOrEqual(widths.inner);
    // Nor does the table scroll sideways inside its own box.
    expect(widths.table).toBeLessThanOrEqual(widths.inner);
    // The header row is hidden; each cell says what it is.
    await expect(page.locator('.runs-table thead').isVisible()).resolves.toBe(false);
    const label = await page.evaluate<string>(
      `getComputedStyle(document.querySelector('.runs-table tbody tr td:nth-child(3)'), '::before').content`,
    );
    expect(label).toBe('"Task"');
    await shot(page, 'phone');
  });

  it("shows each agent's average latency on the usage page as the server computes it", async () => {
    const report = await h.api<{ rows: Array<{ label: string; avgLatencyMs: number | null }> }>(
      'GET',
      '/api/usage?groupBy=agent',
    );
    const clerk = report.body.rows.find((row) => row.label === 'clerk');
    expect(clerk?.avgLatencyMs).toBeGreaterThan(0);
    const page = await signedIn({ width: 1280, height: 900 });
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Usage' }).click();
    const month = page.getByRole('region', { name: 'This month' });
    await month.getByRole('columnheader', { name: 'Avg latency' }).waitFor();
    const cells = await month
      .getByRole('row')
      .filter({ hasText: 'clerk' })
      .getByRole('cell')
      .allTextContents();
    expect(cells.at(-1)).toBe(formatMs(clerk!.avgLatencyMs!));
    await month.getByText('Average latency per agent this month').waitFor();
    await shot(page, 'usage');
  });

  it('flags a model in use whose provider is not configured or that is not listed, and shows the scheduler as tables', async () => {
    const page = await signedIn({ width: 1280, height: 900 });
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Settings' }).click();
    const models = page.getByRole('region', { name: 'Model providers' });
    const stray = models.getByRole('listitem').filter({ hasText: 'nosuch:model-x' });
    await stray.getByText('provider not configured').waitFor();
    await stray.getByText('used by stray').waitFor();
    // The provider answers but does not list this model.
    const ghost = models.getByRole('listitem').filter({ hasText: 'scripted:no-such-model' });
    await ghost.getByText('not listed').waitFor();
    await ghost.getByText('used by ghost').waitFor();
    const fine = models.getByRole('listitem').filter({ hasText: 'scripted:test-model' });
    await fine.getByText('used by clerk').waitFor();
    await expect(fine.locator('.badge').count()).resolves.toBe(0);

    const scheduler = page.getByRole('region', { name: 'Scheduler' });
    const runs = scheduler.getByRole('definition');
    await scheduler.getByRole('term').filter({ hasText: 'Queued runs' }).waitFor();
    expect(await runs.count()).toBe(4);
    const lane = scheduler.locator('tbody tr').filter({ hasText: 'scripted' }).first();
    await lane.waitFor();
    expect(await lane.textContent()).toMatch(/\d+ sent, \d+ retried/);
    await expect(scheduler.locator('pre').count()).resolves.toBe(0);
    await models.scrollIntoViewIfNeeded();
    await shot(page, 'settings');
    await eventually(() => expect(errors.flat()).toEqual([]));
  });
});
