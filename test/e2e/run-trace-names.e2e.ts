import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { runAgentTool } from '../../src/plugins/orchestration/run-agent-tool.ts';
import { CONSOLE_DIST } from '../../src/surfaces/http/console-static.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { collectBrowserErrors, launchChromium, screenshot } from './browser.ts';

describe.each(storeTargets())('run and sub-run names in the trace on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  const tools = new ToolRegistry([runAgentTool(() => h.agentOs.kernel)]);

  beforeAll(async () => {
    if (!existsSync(join(CONSOLE_DIST, 'index.html')))
      throw new Error('The console is not built: run `npm run build:console` first');
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools,
      worker: { pollMs: 50 },
    });
    await h.createAgent({ name: 'triage', instructions: 'You delegate.', tools: ['run_agent'] });
    await h.createAgent({ name: 'billing', instructions: 'You bill.' });
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

  it('heads the trace with the agent, names the sub-run by its agent, and keeps the ids on hover', async () => {
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [{ name: 'run_agent', arguments: { agent: 'billing', task: 'Refund order 9' } }],
      },
      { text: 'Refunded.' },
      { text: 'Billing refunded order 9.' },
    );
    const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
      agent: 'triage',
      task: 'Refund order 9',
      wait: true,
      waitTimeoutMs: 20_000,
    });
    const parent = body.run;
    expect(parent.status).toBe('succeeded');
    const tree = await h.api<{ tree: { children: { id: string; agentId: string }[] } }>(
      'GET',
      `/api/runs/${parent.id}/tree`,
    );
    const child = tree.body.tree.children[0]!;

    await page.goto(`${h.url}/runs/${parent.id}`);
    const heading = page.getByRole('heading', { level: 1 });
    await heading.filter({ hasText: `triage run …${parent.id.slice(-6)}` }).waitFor();
    await expect(heading.getAttribute('title')).resolves.toBe(parent.id);
    await expect(page.locator('.run-summary').getByTitle(parent.agentId).textContent()).resolves.toBe(
      'triage',
    );

    // The waterfall's run_agent step says whom it delegated to, linked to that run.
    const step = page
      .getByRole('list', { name: 'Steps' })
      .locator('li.step-tool')
      .filter({ hasText: 'run_agent' });
    const delegated = step.getByRole('link', { name: `billing run …${child.id.slice(-6)}` });
    await expect(delegated.getAttribute('title')).resolves.toBe(child.id);

    // The tree names both runs by their agents.
    const runTree = page.getByRole('list', { name: 'Run tree' });
    await expect(runTree.getByTitle(parent.id).textContent()).resolves.toBe(
      `triage run …${parent.id.slice(-6)}`,
    );
    const sub = runTree.getByRole('link', { name: `billing run …${child.id.slice(-6)}` });
    await expect(sub.getAttribute('title')).resolves.toBe(child.id);
    // Ids only on hover (and in the step's raw input and result).
    for (const shown of [heading, runTree, step.locator('.step-head')])
      expect(await shown.textContent()).not.toMatch(/run_[0-9a-z]{20}/);
    await screenshot(page, `${target.kind}-trace-names`);

    await sub.click();
    await heading.filter({ hasText: `billing run …${child.id.slice(-6)}` }).waitFor();
    expect(errors).toEqual([]);
  });
});
