import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { CONSOLE_DIST } from '../../src/surfaces/http/console-static.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { collectBrowserErrors, launchChromium, screenshot } from './browser.ts';

const EDITS = 70;

describe.each(storeTargets())('the audit page in Chromium on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let agentId: string;
  let run: RunRecord;
  const rows = () => page.locator('table tbody tr');
  // The page in view is the one asked for (the last one stays on screen, busy, while the next loads).
  const settled = () => page.locator('.table-wrap[aria-busy="false"]').waitFor();
  const firstSeq = async () => Number(await rows().first().locator('td').first().textContent());

  beforeAll(async () => {
    if (!existsSync(join(CONSOLE_DIST, 'index.html')))
      throw new Error('The console is not built: run `npm run build:console` first');
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: new ToolRegistry([]),
      worker: { pollMs: 50 },
    });
    agentId = await h.createAgent({ name: 'support' });
    model.enqueue({ text: 'Hello.' });
    run = (
      await h.api<{ run: RunRecord }>('POST', '/api/runs', {
        agent: 'support',
        task: 'Say hello',
        wait: true,
        waitTimeoutMs: 20_000,
      })
    ).body.run;
    expect(run.status).toBe('succeeded');
    // Far more entries than one page holds.
    for (let n = 0; n < EDITS; n += 1) {
      const edited = await h.api('PATCH', `/api/agents/${agentId}`, { description: `revision ${n}` });
      expect(edited.status).toBe(200);
    }
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    errors = collectBrowserErrors(context);
    page = await context.newPage();
    await page.goto(`${h.url}/`);
    const adminKey = readFileSync(join(h.config.home, 'admin-api-key'), 'utf8').trim();
    await page.getByLabel('API key').fill(adminKey);
    await page.getByLabel('API key').press('Enter');
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await h?.agentOs.stop();
    await model?.close();
  });

  it('shows one page of 50 entries with names, the ids on hover, and pages through with Newer and Older', async () => {
    const total = (await h.api<{ entries: unknown[] }>('GET', '/api/audit?limit=500')).body.entries.length;
    expect(total).toBeGreaterThan(60);
    await page.goto(`${h.url}/audit`);
    await page.getByText('verified', { exact: true }).waitFor();
    await page
      .getByRole('cell', { name: /api\.PATCH/ })
      .first()
      .waitFor();
    await settled();
    expect(await rows().count()).toBe(50);
    const height = await page.evaluate<number>('document.documentElement.scrollHeight');

    // Names, with the raw id in the title: the person, the key they used, the agent they edited.
    const newest = rows().filter({ hasText: 'api.PATCH' }).first();
    await expect(newest.getByTitle(agentId).textContent()).resolves.toBe('support');
    const whoami = (await h.api<{ userId: string; keyId: string }>('GET', '/api/whoami')).body;
    await expect(newest.getByTitle(whoami.userId).textContent()).resolves.toBe('Administrator');
    await expect(newest.getByTitle(whoami.keyId).textContent()).resolves.toBe('first-start admin');
    expect(await page.locator('table').textContent()).not.toContain(agentId);
    await screenshot(page, `${target.kind}-audit-names`);

    const pager = page.getByRole('navigation', { name: 'Audit pages' });
    await expect(pager.getByRole('button', { name: '← Newer' }).isDisabled()).resolves.toBe(true);
    const top = await firstSeq();
    await pager.getByRole('button', { name: 'Older →' }).click();
    await pager.getByText('Page 2').waitFor();
    await settled();
    expect(await firstSeq()).toBe(top - 50);
    const older = total - 50;
    expect(await rows().count()).toBe(Math.min(50, older));

    // The run's own entries, on the last page: the run named by its agent, the agent acting for a person.
    while (await pager.getByRole('button', { name: 'Older →' }).isEnabled()) {
      await pager.getByRole('button', { name: 'Older →' }).click();
      await settled();
    }
    const start = rows().filter({ hasText: 'run.start' });
    await expect(start.getByTitle(run.id).textContent()).resolves.toBe(`support run …${run.id.slice(-6)}`);
    await expect(start.getByTitle(agentId).textContent()).resolves.toBe('support');
    await expect(start.getByTitle(whoami.userId).textContent()).resolves.toBe('Administrator');
    await screenshot(page, `${target.kind}-audit-oldest`);

    await pager.getByRole('button', { name: '← Newer' }).click();
    await settled();
    while (await pager.getByRole('button', { name: '← Newer' }).isEnabled()) {
      await pager.getByRole('button', { name: '← Newer' }).click();
      await settled();
    }
    await pager.getByText('Page 1').waitFor();
    expect(await firstSeq()).toBe(top);
    // 50 rows, whatever the log's length: the page stays about one screen of table.
    expect(await rows().count()).toBeLessThanOrEqual(60);
    expect(height).toBeLessThan(4_000);
    expect(errors).toEqual([]);
  });

  it('filters by action on the server and pages the filtered entries', async () => {
    await page.getByLabel('Action').fill('run.start');
    await page.getByRole('button', { name: 'Filter' }).click();
    await settled();
    await expect(rows().count()).resolves.toBe(1);
    await rows().first().getByTitle(run.id).waitFor();
    const pager = page.getByRole('navigation', { name: 'Audit pages' });
    await expect(pager.getByRole('button', { name: 'Older →' }).isDisabled()).resolves.toBe(true);
    expect(errors).toEqual([]);
  });
});
