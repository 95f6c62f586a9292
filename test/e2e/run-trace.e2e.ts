import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/core/kernel/run-record.ts';
import { CONSOLE_DIST } from '../../src/surfaces/http/console-static.ts';
import { policyTools } from '../policy/policy-support.ts';
import { eventually } from '../support/eventually.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { collectBrowserErrors, launchChromium, screenshot } from './browser.ts';

const FIRST_CALL_MS = 300;
const ANSWER = 'Order 7 has shipped.';

interface StepView {
  kind: string;
  turn: number;
  name: string | null;
  durationMs: number | null;
}

describe.each(storeTargets())('the run trace in Chromium on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  const shot = (p: Page, name: string) => screenshot(p, `${target.kind}-trace-${name}`);
  const summary = () => page.locator('.run-summary');

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
    await h.createAgent({ name: 'clerk', tools: ['lookup', 'pay'] });
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

  it('follows a live run: steps with their real durations appear, and the end updates everything', async () => {
    let release: () => void = () => {};
    const answerHeld = new Promise<void>((resolve) => {
      release = resolve;
    });
    model.setHandler(async (request) => {
      if (!request.body.messages.some((m) => m.role === 'tool'))
        return {
          kind: 'tool_calls',
          delayMs: FIRST_CALL_MS,
          toolCalls: [{ name: 'lookup', arguments: { order: 7 } }],
          usage: { promptTokens: 40, completionTokens: 8 },
        };
      // The second turn waits for the test, so the page is seen while the run is live.
      await answerHeld;
      return { text: ANSWER, usage: { promptTokens: 60, completionTokens: 6 } };
    });
    try {
      const { body } = await h.api<{ run: RunRecord }>('POST', '/api/runs', {
        agent: 'clerk',
        task: 'Where is order 7?',
      });
      const runId = body.run.id;
      await page.goto(`${h.url}/runs/${runId}`);
      const steps = page.getByRole('list', { name: 'Steps' });
      // Live: the first turn and the lookup arrive on the event stream, without a reload.
      await steps.locator('.step-tool').filter({ hasText: 'lookup' }).locator('.badge-completed').waitFor();
      await summary().locator('.badge-running').waitFor();
      await page.getByRole('button', { name: 'Cancel run' }).waitFor();
      await summary().getByText('40 in / 8 out').waitFor();
      const firstModel = steps.locator('.step-model').first();
      const shown = (await firstModel.locator('.step-duration').textContent()) ?? '';
      expect(Number(/^(\d+) ms$/.exec(shown)?.[1] ?? 0)).toBeGreaterThanOrEqual(FIRST_CALL_MS);
      await shot(page, 'live');

      release();
      await summary().locator('.badge-succeeded').waitFor();
      // The record is read again at the end: tokens, output and duration follow the badge, Cancel goes.
      await summary().getByText('100 in / 14 out').waitFor();
      await summary().getByText(ANSWER).waitFor();
      await expect(page.getByRole('button', { name: 'Cancel run' }).count()).resolves.toBe(0);
      await expect(steps.locator('.step-model').count()).resolves.toBe(2);
      const duration = summary().locator('dt:text-is("Duration") + dd');
      expect(await duration.textContent()).toMatch(/^\d+(\.\d)? (ms|s) /);
      await page.locator('.tree .badge-succeeded').waitFor();
      await shot(page, 'ended');

      const journal = await h.api<{ steps: StepView[] }>('GET', `/api/runs/${runId}/steps`);
      const first = journal.body.steps.find((s) => s.kind === 'model' && s.turn === 0);
      expect(first?.durationMs).toBeGreaterThanOrEqual(FIRST_CALL_MS);
    } finally {
      model.setHandler(undefined);
    }
  });

  it('shows a call paused for approval as awaiting, in Chat and the trace, then denied with who and why', async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'pay', arguments: { to: 'mallory' } }] },
      { text: 'I could not pay mallory.' },
    );
    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Chat', exact: true })
      .click();
    await page.getByLabel('Message').fill('@clerk Pay mallory');
    await page.getByLabel('Message').press('Enter');
    const inline = page.getByRole('region', { name: 'Approval needed' });
    await inline.waitFor();
    const toolCard = page.locator('.tool-card').filter({ hasText: 'pay' });
    expect(await toolCard.locator('.badge').textContent()).toBe('awaiting approval');
    await shot(page, 'chat-awaiting');

    const reply = page.getByRole('article', { name: 'Reply from clerk' });
    const traceHref = (await reply.getByRole('link', { name: 'Trace' }).getAttribute('href')) ?? '';
    const trace = await context.newPage();
    await trace.goto(`${h.url}${traceHref}`);
    const awaiting = trace.locator('.step-awaiting').filter({ hasText: 'pay' });
    await awaiting.getByText('awaiting approval').waitFor();
    await trace.locator('.run-summary .badge-paused').waitFor();
    await shot(trace, 'awaiting');

    // Denied inline in Chat; the open trace follows on its own event stream.
    await inline.getByRole('button', { name: 'Deny…' }).click();
    await inline.getByLabel('Reason for denying').fill('mallory is not a supplier');
    await inline.getByRole('button', { name: 'Deny pay' }).click();
    await reply.getByText('I could not pay mallory.').waitFor();
    expect(await toolCard.locator('.badge').textContent()).toBe('denied');

    const denied = trace.locator('.step-tool[data-status="denied"]').filter({ hasText: 'pay' });
    await denied.locator('.badge-denied').waitFor();
    const detail = (await denied.locator('.step-denial').textContent()) ?? '';
    expect(detail).toMatch(/^The call was denied by .+: mallory is not a supplier$/);
    await denied.getByText('approval.denied').waitFor();
    await trace.locator('.run-summary .badge-succeeded').waitFor();
    await expect(trace.locator('.step-awaiting').count()).resolves.toBe(0);
    await expect(trace.getByRole('button', { name: 'Cancel run' }).count()).resolves.toBe(0);
    await shot(trace, 'denied');
    await trace.close();
    await eventually(() => expect(errors).toEqual([]));
  });
});
