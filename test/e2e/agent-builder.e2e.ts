import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_DIST } from '../../src/surfaces/http/console-static.ts';
import { policyTools } from '../policy/policy-support.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { closedPortUrl } from '../support/model-list-server.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { collectBrowserErrors, launchChromium, screenshot } from './browser.ts';

interface AgentView {
  version: number;
  definition: { model: string; tools: string[] };
}

/** Issue 20 item 3: the builder's model and tool pickers, fed by /api/models and /api/tools, and its save. */
describe.each(storeTargets())('the agent builder in Chromium on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  const shot = (p: Page, name: string) => screenshot(p, `${target.kind}-builder-${name}`);

  beforeAll(async () => {
    if (!existsSync(join(CONSOLE_DIST, 'index.html')))
      throw new Error('The console is not built: run `npm run build:console` first');
    model = await startScriptedModelServer();
    h = await startKernelHarness({
      store: await target.open(),
      modelBaseUrl: model.url,
      tools: policyTools,
      roles: ['api'],
      compatible: [{ name: 'offline', baseURL: await closedPortUrl() }],
    });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
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

  it('picks a model and tools, shows the refusal at the field, saves and confirms each version', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('link', { name: 'New agent' }).click();
    await page.getByLabel('Name', { exact: true }).fill('buyer');
    await page.getByLabel('Description').fill('Looks orders up and pays suppliers');

    // The model picker: grouped by provider, the unconfigured and the unreachable flagged.
    const modelPicker = page.locator('#agent-model');
    await modelPicker.locator('option[value="scripted:test-model"]').waitFor({ state: 'attached' });
    const groups = await modelPicker
      .locator('optgroup')
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('label')));
    expect(groups).toEqual([
      'openai (openai) — not configured',
      'anthropic (anthropic) — not configured',
      'scripted (openai-compatible)',
      'offline (openai-compatible) — did not answer',
    ]);
    const flags = page.getByRole('list', { name: 'Providers needing attention' });
    expect(await flags.textContent()).toContain('OPENAI_API_KEY');
    expect(await flags.textContent()).toContain('offline');

    // The tool picker: searchable, each tool with its effect and stakes.
    const tools = page.getByRole('list', { name: 'Tools' });
    await tools.getByRole('checkbox', { name: /^lookup/ }).waitFor();
    await page.getByLabel('Search tools').fill('pay');
    expect(await tools.getByRole('checkbox').count()).toBe(1);
    await tools.getByRole('checkbox', { name: /^pay/ }).check();
    expect(await tools.locator('.tool-option').first().textContent()).toMatch(/pay.*high stakes/);
    await page.getByLabel('Search tools').fill('');
    await tools.getByRole('checkbox', { name: /^lookup/ }).check();

    // A name the scripted server does not list: the server's 400 shows next to the model field.
    await modelPicker.selectOption({ label: 'Type a name for scripted, offline…' });
    await page.getByLabel('Model name').fill('scripted:not-served');
    await page.getByRole('button', { name: 'Create agent' }).click();
    const problem = page.locator('#model-problem');
    await problem.waitFor();
    expect(await problem.textContent()).toContain(
      '"scripted:not-served" is not among the models "scripted" lists',
    );
    // That refusal was asked for: its request and the browser's line about it are not errors of the page.
    for (const expected of [
      /^http: 400 POST .*\/api\/agents$/,
      /^console: Failed to load resource: .* 400 /,
    ]) {
      const index = errors.findIndex((e) => expected.test(e));
      expect(index, String(expected)).toBeGreaterThanOrEqual(0);
      errors.splice(index, 1);
    }

    await modelPicker.selectOption('scripted:test-model');
    expect(await page.locator('#model-problem').count()).toBe(0);
    await shot(page, 'pickers');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('heading', { name: 'Agent buyer' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Saved agent buyer v1' }).waitFor();

    // A new version from the pickers: its own confirmation.
    await page.getByRole('list', { name: 'Tools' }).getByRole('checkbox', { name: /^note/ }).check();
    await page.getByRole('button', { name: 'Save new version' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved agent buyer v2' }).waitFor();
    await shot(page, 'saved');

    const { body } = await h.api<{ agent: AgentView }>('GET', '/api/agents/buyer');
    expect(body.agent).toMatchObject({
      version: 2,
      definition: { model: 'scripted:test-model', tools: ['pay', 'lookup', 'note'] },
    });
    expect(errors).toEqual([]);
  });
});
