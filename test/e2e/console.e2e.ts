import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { knowledgeTools } from '../../src/plugins/knowledge/knowledge-tool.ts';
import { askHumanTool } from '../../src/plugins/orchestration/ask-human-tool.ts';
import { CONSOLE_DIST } from '../../src/surfaces/http/console-static.ts';
import { policyTools } from '../policy/policy-support.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { collectBrowserErrors, launchChromium, screenshot } from './browser.ts';

const ANSWER = 'Hello from the scripted model, streamed word by word.';

describe.each(storeTargets())('web console in Chromium on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  const shots: string[] = [];
  const shot = async (p: Page, name: string) => shots.push(await screenshot(p, `${target.kind}-${name}`));
  const open = async (path: string, p = page) => {
    await p.goto(`${h.url}${path}`);
    await p.waitForLoadState('networkidle');
  };
  const nav = async (label: string) => {
    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: label, exact: true })
      .click();
    await page.waitForLoadState('networkidle');
  };

  beforeAll(async () => {
    if (!existsSync(join(CONSOLE_DIST, 'index.html'))) {
      throw new Error(
        'The console is not built: run `npm run build:console` (npm run test:e2e does it first)',
      );
    }
    model = await startScriptedModelServer();
    const store = await target.open();
    h = await startKernelHarness({
      store,
      modelBaseUrl: model.url,
      tools: new ToolRegistry([...policyTools.list(), askHumanTool(), ...knowledgeTools(store)]),
      worker: { pollMs: 50 },
    });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    errors = collectBrowserErrors(context);
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await h?.agentOs.stop();
    await model?.close();
  });

  it('serves the console at / with an SPA fallback, and keeps /api/* as the API', async () => {
    const index = await fetch(`${h.url}/runs/some-run`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${h.url}${asset}`);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(script.headers.get('cache-control')).toContain('immutable');
    const api = await fetch(`${h.url}/api/no-such-route`);
    expect(api.status).toBe(401);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('auth.missing');
    expect((await fetch(`${h.url}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${h.url}/..%2f..%2fpackage.json`)).headers.get('content-type')).toContain(
      'text/html',
    );
  });

  it('signs in with the admin API key written on first start', async () => {
    await open('/');
    await expect(page.getByRole('heading', { name: 'Agent OS' }).isVisible()).resolves.toBe(true);
    await shot(page, 'sign-in');
    const adminKey = readFileSync(join(h.config.home, 'admin-api-key'), 'utf8').trim();
    await page.getByLabel('API key').fill(adminKey);
    await page.getByLabel('API key').press('Enter');
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    // The session is an HttpOnly cookie: a reload restores it.
    await page.reload();
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'agentos_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
  });

  it('creates an agent with the builder form, validating it, and shows a diff between versions', async () => {
    await nav('Agents');
    await page.getByRole('link', { name: 'New agent' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Clerk!');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByText('Lowercase letters, digits and dashes').waitFor();
    await page.getByText('Write it as <provider>:<model>').waitFor();
    await shot(page, 'agent-builder-validation');
    await page.getByLabel('Name', { exact: true }).fill('clerk');
    await page.getByLabel('Description').fill('Answers questions and pays suppliers');
    await page.getByLabel('Instructions').fill('You are a clerk.');
    await page.getByLabel('Model', { exact: true }).selectOption('scripted:test-model');
    const tools = page.getByRole('list', { name: 'Tools' });
    await tools.getByRole('checkbox', { name: /^lookup/ }).check();
    await tools.getByRole('checkbox', { name: /^pay/ }).check();
    await shot(page, 'agent-builder');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('heading', { name: 'Agent clerk' }).waitFor();
    await page.getByLabel('Instructions').fill('You are a careful clerk.');
    await page.getByRole('button', { name: 'Save new version' }).click();
    const diff = page.getByLabel('Changes from version 1 to 2');
    await diff.waitFor();
    expect(await diff.textContent()).toContain('+   "instructions": "You are a careful clerk."');
    await shot(page, 'agent-versions');
    await nav('Agents');
    await page.getByRole('cell', { name: 'clerk' }).waitFor();
    await shot(page, 'agents');
  });

  it('chats with the agent and shows the streamed answer', async () => {
    model.enqueue({ text: ANSWER, chunkDelayMs: 20 });
    await nav('Chat');
    // Keyboard only: Enter in the message box sends it; @clerk asks that agent.
    await page.getByLabel('Message').fill('@clerk Say hello');
    await page.getByLabel('Message').press('Enter');
    await page.waitForURL(/\/chat\/[^/]+$/);
    await page.locator('.exchange .badge-succeeded').waitFor();
    expect(await page.locator('.exchange .answer-text').allTextContents()).toEqual([ANSWER]);
    await shot(page, 'chat');
  });

  it('pauses a high-stakes tool call, shows it inline and in the inbox, and resumes when approved', async () => {
    model.enqueue(
      { kind: 'tool_calls', toolCalls: [{ name: 'pay', arguments: { to: 'ada' } }] },
      { text: 'Paid ada.' },
    );
    await page.getByLabel('Message').fill('Pay ada');
    await page.getByRole('button', { name: 'Send' }).click();
    const inline = page.getByRole('region', { name: 'Approval needed' });
    await inline.waitFor();
    expect(await inline.textContent()).toContain('stakes.high');
    await shot(page, 'chat-approval-inline');

    const inbox = await context.newPage();
    await open('/approvals', inbox);
    const card = inbox.locator('.approval').filter({ hasText: 'pay' });
    await card.getByText('"to": "ada"').waitFor();
    await card.getByText('context: trusted').waitFor();
    await shot(inbox, 'approvals');
    await card.getByRole('button', { name: 'Approve pay' }).click();
    await inbox.getByText('No pending approvals.').waitFor();
    await inbox.close();

    // The chat follows the run's event stream: the approval disappears and the answer arrives.
    await page.getByText('Paid ada.').waitFor();
    await expect(inline.count()).resolves.toBe(0);
    const toolCard = page.locator('.tool-card').filter({ hasText: 'pay' });
    await toolCard.locator('summary').click();
    await toolCard.getByText('"paid": "ada"').waitFor();
    await shot(page, 'chat-tool-call');
  });

  it("answers an agent's ask_human question inline", async () => {
    await h.createAgent({ name: 'helper', description: 'Asks before painting', tools: ['ask_human'] });
    model.enqueue(
      {
        kind: 'tool_calls',
        toolCalls: [
          { name: 'ask_human', arguments: { question: 'Which colour?', choices: ['red', 'blue'] } },
        ],
      },
      { text: 'Painting it blue.' },
    );
    await page.reload();
    await page.getByLabel('Message').fill('@helper Paint the shed');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Which colour?').waitFor();
    await shot(page, 'chat-question');
    await page.getByRole('button', { name: 'blue', exact: true }).click();
    await page.getByText('Painting it blue.').waitFor();
    // The earlier exchanges survived the reload: the conversation lives on the server, at its own address.
    await page.getByText('Paid ada.').waitFor();
    await page.getByRole('article', { name: 'Reply from helper' }).getByText('Painting it blue.').waitFor();
  });

  it('opens the run trace with steps, policy decisions and the sub-run tree', async () => {
    await nav('Runs');
    await page.getByRole('cell', { name: 'Pay ada' }).waitFor();
    await shot(page, 'runs');
    const row = page.getByRole('row').filter({ hasText: 'Pay ada' });
    await row.getByRole('link').click();
    await page.getByRole('list', { name: 'Steps' }).waitFor();
    await page.getByText('stakes.high').first().waitFor();
    await page.getByText('approval.granted').first().waitFor();
    await page.getByRole('list', { name: 'Run tree' }).waitFor();
    await shot(page, 'run-trace');
  });

  it('finds the run in the audit log, with the chain verified', async () => {
    const runId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
    await nav('Audit');
    await page.getByText('verified', { exact: true }).waitFor();
    // The page holds the newest 50 entries: the action filter asks the server, Contains narrows the page.
    for (const action of ['tool.call', 'run.start']) {
      await page.getByLabel('Action').fill(action);
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.locator('.table-wrap[aria-busy="false"]').waitFor();
      await page.getByLabel('Contains').fill(runId);
      await page.getByRole('cell', { name: action }).first().waitFor();
    }
    // The run by its agent's name, its id on hover.
    const named = page.getByRole('row').filter({ hasText: 'run.start' }).getByTitle(runId).first();
    await expect(named.textContent()).resolves.toBe(`clerk run …${runId.slice(-6)}`);
    await shot(page, 'audit');
  });

  it('shows memory, spaces, usage and settings without errors', async () => {
    await h.api('POST', '/api/memories', {
      kind: 'fact',
      content: 'Ada is our preferred supplier',
      subjects: ['ada'],
    });
    await nav('Memory');
    await page.getByLabel('Search', { exact: true }).fill('supplier');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('button', { name: 'Ada is our preferred supplier' }).click();
    await page.getByRole('heading', { name: 'Provenance' }).waitFor();
    await shot(page, 'memory');
    await page.getByLabel('Content').fill('Ada is our preferred supplier for paint');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Ada is our preferred supplier for paint' }).waitFor();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No memories found.').waitFor();

    await nav('Spaces');
    await page.getByLabel('New space').fill('finance');
    await page.getByRole('button', { name: 'Create' }).first().click();
    await page.getByRole('heading', { name: /finance/ }).waitFor();
    await shot(page, 'spaces');

    await nav('Usage');
    await page.locator('.recharts-surface').first().waitFor();
    // The server's report for the month, and the totals computed from the runs, both count clerk's two runs.
    const month = page
      .getByRole('region', { name: 'This month' })
      .getByRole('row')
      .filter({ hasText: 'clerk' });
    expect(await month.getByRole('cell').nth(1).textContent()).toBe('2');
    const totals = page
      .getByRole('table', { name: 'Totals per agent' })
      .getByRole('row')
      .filter({ hasText: 'clerk' });
    expect(await totals.getByRole('cell').nth(1).textContent()).toBe('2');
    await shot(page, 'usage');

    // Responsive: the navigation wraps and the chat composer fits a phone's width.
    await page.setViewportSize({ width: 390, height: 844 });
    await nav('Chat');
    const composer = await page.locator('.composer').boundingBox();
    expect(composer?.width).toBeLessThanOrEqual(390);
    await shot(page, 'chat-mobile');
    await page.setViewportSize({ width: 1280, height: 900 });

    await nav('Settings');
    await page.getByRole('heading', { name: 'MCP servers' }).waitFor();
    await page.getByText('scripted:test-model').first().waitFor();
    await page.locator('.loading').first().waitFor({ state: 'detached' });
    await shot(page, 'settings');
  });

  it('adds a folder source, syncs it and lists its documents; imports a skill and exports it', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'agentos-e2e-docs-'));
    writeFileSync(join(folder, 'refunds.md'), '# Refund policy\n\nRefunds are accepted within 30 days.\n');
    writeFileSync(
      join(folder, 'shipping.md'),
      '# Shipping guide\n\nParcels leave the warehouse on Mondays.\n',
    );
    await nav('Settings');
    const sources = page.getByRole('region', { name: 'Data sources' });
    const form = sources.getByRole('form', { name: 'Add a data source' });
    // Validated in the browser first: nothing is sent.
    await form.getByLabel('Source name').fill('Hand Book');
    await form.getByLabel('Config (JSON)').fill('{"path": ');
    await form.getByRole('button', { name: 'Add source' }).click();
    await form.getByText('Lowercase letters, digits and dashes').waitFor();
    await form.getByText('Not valid JSON').waitFor();
    await form.getByLabel('Source name').fill('handbook');
    await form.getByLabel('Kind').selectOption('folder');
    await form.getByLabel('Config (JSON)').fill(JSON.stringify({ path: folder }));
    await form.getByRole('button', { name: 'Add source' }).click();
    await form.getByText('Added handbook').waitFor();
    const item = sources.getByRole('listitem').filter({ hasText: 'handbook' }).first();
    await item.getByRole('button', { name: 'Sync now handbook' }).click();
    const result = item.getByText('Synced handbook:');
    await result.waitFor();
    expect(await result.textContent()).toContain('2 added, 0 updated, 0 unchanged, 0 deleted, 0 failed');
    await item.getByRole('button', { name: 'Documents of handbook' }).click();
    const documents = item.getByRole('list', { name: 'Documents of handbook' });
    await documents.getByText('Refund policy').waitFor();
    await documents.getByText('Shipping guide').waitFor();
    await shot(page, 'settings-sources');

    const skills = page.getByRole('region', { name: 'Skills' });
    await skills
      .getByLabel('SKILL.md file')
      .fill(
        '---\nname: invoice-triage\ndescription: Sorts incoming invoices\n---\nFlag amounts over 10,000.\n',
      );
    await skills.getByRole('button', { name: 'Import skill' }).click();
    await skills.getByText('Imported invoice-triage.').waitFor();
    const skill = skills
      .getByRole('list', { name: 'Skills' })
      .getByRole('listitem')
      .filter({ hasText: 'invoice-triage' });
    await skill.getByText('Sorts incoming invoices').waitFor();
    await skill.getByRole('button', { name: 'Export invoice-triage' }).click();
    await skill.getByText('invoice-triage.SKILL.md').waitFor();
    expect(await skill.locator('pre').textContent()).toContain('Flag amounts over 10,000.');
    await shot(page, 'settings-skills');
  });

  it('chats with an agent that cites a knowledge passage, and the citation opens its source', async () => {
    await h.createAgent({
      name: 'librarian',
      description: 'Answers from the handbook',
      tools: ['search_knowledge'],
      knowledge: ['handbook'],
    });
    // The model searches, then cites the passage it got back by its citation id.
    model.setHandler((request) => {
      const toolResult = request.body.messages.find((m) => m.role === 'tool');
      if (toolResult === undefined) {
        return {
          kind: 'tool_calls',
          toolCalls: [{ name: 'search_knowledge', arguments: { query: 'refunds' } }],
        };
      }
      const id = /"citationId":\s*"(K[^"]+)"/.exec(String(toolResult.content))?.[1] ?? 'none';
      return { text: `Refunds are accepted within 30 days [${id}].` };
    });
    try {
      await nav('Chat');
      await page.getByLabel('Message').fill('@librarian How long do customers have to ask for a refund?');
      await page.getByRole('button', { name: 'Send' }).click();
      const answer = page.locator('.exchange').last().locator('.answer-text');
      await answer.getByText('Refunds are accepted within 30 days').waitFor();
      const citation = answer.getByRole('link', { name: /^\[K.+\]$/ });
      const target = (await citation.getAttribute('href')) ?? '';
      expect(target).toMatch(/-source-K/);
      await citation.click();
      const source = page.locator(`[id="${target.slice(1)}"]`);
      expect(await source.textContent()).toContain('Refund policy (handbook)');
      expect(await source.textContent()).toContain('refunds.md');
      await shot(page, 'chat-citation');
    } finally {
      model.setHandler(undefined);
    }
  });

  it('signs out, and the browser console stayed free of errors', async () => {
    await page.waitForLoadState('networkidle');
    const signedOut = page.waitForResponse(
      (r) => r.url().endsWith('/api/sessions/current') && r.request().method() === 'DELETE',
    );
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect((await signedOut).status()).toBe(204);
    await page.getByLabel('API key').waitFor();
    await page.waitForLoadState('networkidle');
    await page.reload();
    await page.getByLabel('API key').waitFor();
    expect(errors).toEqual([]);
    expect(shots.length).toBeGreaterThanOrEqual(13);
  });
});
