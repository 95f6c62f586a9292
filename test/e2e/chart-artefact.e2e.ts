import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { runCodeTool } from '../../src/plugins/compute/run-code-tool.ts';
import { CONSOLE_DIST } from '../../src/surfaces/http/console-static.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { ARTIFACTS, screenshot, signedInPage } from './browser.ts';

const CODE = `const spend = { Lisbon: 160.5, Porto: 99.9, Faro: 42 };
chart.bar('Spend by city', { title: 'Spend by city (EUR)', labels: Object.keys(spend), values: Object.values(spend) });
spend`;

describe.each(storeTargets())('a chart run_code drew, in Chromium on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    if (!existsSync(join(CONSOLE_DIST, 'index.html')))
      throw new Error('The console is not built: run `npm run build:console` first');
    model = await startScriptedModelServer();
    const store = await target.open();
    h = await startKernelHarness({
      store,
      modelBaseUrl: model.url,
      tools: new ToolRegistry([runCodeTool(store)]),
    });
    await h.createAgent({ name: 'analyst', tools: ['run_code'] });
    ({ browser, page, errors } = await signedInPage(h));
  });
  afterAll(async () => {
    await browser?.close();
    await h?.agentOs.stop();
    await model?.close();
  });

  it('shows the SVG chart in the run trace', async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'run_code', arguments: { code: CODE } }] },
      { text: 'Lisbon spends the most.' },
    );
    const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
      agent: 'analyst',
      task: 'Chart the spend by city',
      wait: true,
      waitTimeoutMs: 30_000,
    });
    expect(body.run.status).toBe('succeeded');
    await page.goto(`${h.url}/runs/${body.run.id}`);
    const chart = page.getByRole('img', { name: 'Spend by city' });
    await chart.waitFor();
    // The image decoded: an SVG the browser drew at its own size, not a broken image.
    const size = await chart.evaluate((element) => {
      const img = element as unknown as { naturalWidth: number; naturalHeight: number; complete: boolean };
      return { width: img.naturalWidth, height: img.naturalHeight, complete: img.complete };
    });
    expect(size).toEqual({ width: 640, height: 360, complete: true });
    await page
      .locator('figure.chart')
      .first()
      .screenshot({ path: `${ARTIFACTS}${target.kind}-chart-only.png` });
    await screenshot(page, `${target.kind}-chart-trace`);
    expect(errors).toEqual([]);
  });
});
