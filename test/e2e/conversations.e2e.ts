import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { conversationFileSources } from '../../src/plugins/conversations/conversation-file-search.ts';
import { knowledgeTools } from '../../src/plugins/knowledge/knowledge-tool.ts';
import { CONSOLE_DIST } from '../../src/surfaces/http/console-static.ts';
import { minimalPdf } from '../knowledge/knowledge-fixtures.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember, type TestMember } from '../support/members.ts';
import {
  type RecordedRequest,
  type ScriptedModelServer,
  type ScriptedReply,
  startScriptedModelServer,
} from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { collectBrowserErrors, launchChromium, screenshot } from './browser.ts';

const REPORT = minimalPdf(['Quarterly report', 'The revenue forecast for Q3 is 4.2 million euros.']);
const TITLE = 'Refunds and forecast';

/** What each scripted agent says: the clerk answers by topic, the auditor checks, the reader cites the file. */
function scriptedAgents(request: RecordedRequest): ScriptedReply {
  const messages = request.body.messages;
  const system = String(messages.find((m) => m.role === 'system')?.content ?? '');
  const asked = String(messages.filter((m) => m.role === 'user').at(-1)?.content ?? '');
  const tool = messages.find((m) => m.role === 'tool');
  if (tool !== undefined) {
    const cited = /"citationId":\s*"(K\d+)"/.exec(String(tool.content))?.[1] ?? 'none';
    return { text: `The Q3 forecast is 4.2 million euros [${cited}].`, chunkDelayMs: 10 };
  }
  if (system.includes('You read reports'))
    return {
      kind: 'tool_calls',
      toolCalls: [{ name: 'search_knowledge', arguments: { query: 'revenue forecast' } }],
    };
  if (system.includes('You audit'))
    return { text: "Audited: the clerk's answers match the policy.", chunkDelayMs: 10 };
  if (system.includes('You are the clerk')) {
    if (asked.includes('damaged')) return { text: 'Damaged goods are replaced for free.', chunkDelayMs: 10 };
    if (asked.includes('weekends')) return { text: 'We ship on weekdays only.', chunkDelayMs: 10 };
    return { text: 'Refunds are accepted within 30 days.', chunkDelayMs: 10 };
  }
  return { text: 'ok' };
}

describe.each(storeTargets())('conversations in the web console on $kind', (target) => {
  let model: ScriptedModelServer;
  let h: KernelHarness;
  let browser: Browser;
  let alice: { context: BrowserContext; page: Page; errors: string[] };
  let bob: { context: BrowserContext; page: Page; errors: string[] };
  const people: Record<'alice' | 'bob', TestMember> = {} as never;
  let conversationUrl = '';
  const shot = (page: Page, name: string) => screenshot(page, `${target.kind}-conversation-${name}`);

  const signIn = async (key: string) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const errors = collectBrowserErrors(context);
    const page = await context.newPage();
    await page.goto(`${h.url}/chat`);
    await page.getByLabel('API key').fill(key);
    await page.getByLabel('API key').press('Enter');
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    return { context, page, errors };
  };
  const reply = (page: Page, agent: string) => page.getByRole('article', { name: `Reply from ${agent}` });
  const send = async (page: Page, text: string) => {
    await page.getByLabel('Message').fill(text);
    await page.getByLabel('Message').press('Enter');
  };
  const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Conversations' });

  beforeAll(async () => {
    if (!existsSync(join(CONSOLE_DIST, 'index.html'))) {
      throw new Error('The console is not built: run `npm run build:console` first');
    }
    model = await startScriptedModelServer();
    model.setHandler(scriptedAgents);
    const store = await target.open();
    h = await startKernelHarness({
      store,
      modelBaseUrl: model.url,
      tools: new ToolRegistry(knowledgeTools(store, { scopedSources: conversationFileSources })),
      worker: { pollMs: 50 },
    });
    for (const name of ['alice', 'bob'] as const)
      people[name] = await addMember(store, h.workspaceId, {
        email: `${name}@example.com`,
        name,
        role: 'user',
      });
    expect((await h.api('POST', '/api/spaces', { name: 'team', visibility: 'restricted' })).status).toBe(201);
    for (const who of [people.alice, people.bob])
      expect((await h.api('POST', '/api/spaces/team/members', { userId: who.id })).status).toBe(201);
    await h.createAgent({
      name: 'clerk',
      description: 'Answers customers',
      instructions: 'You are the clerk.',
    });
    await h.createAgent({
      name: 'auditor',
      description: 'Checks answers',
      instructions: 'You audit answers.',
    });
    await h.createAgent({
      name: 'reader',
      description: 'Reads attached files',
      instructions: 'You read reports.',
      tools: ['search_knowledge'],
    });
    browser = await launchChromium();
    alice = await signIn(people.alice.key);
  });

  afterAll(async () => {
    await browser?.close();
    await h?.agentOs.stop();
    await model?.close();
  });

  it('starts a conversation at its own address and follows up twice with the same agent', async () => {
    const { page } = alice;
    await page.getByRole('heading', { name: 'New conversation' }).waitFor();
    await send(page, '@clerk What is our refund window?');
    await page.waitForURL(/\/chat\/[^/]+$/);
    conversationUrl = page.url();
    await reply(page, 'clerk').first().getByText('Refunds are accepted within 30 days.').waitFor();
    await page.getByRole('heading', { name: '@clerk What is our refund window?' }).waitFor();
    await sidebar(page).getByRole('link', { name: '@clerk What is our refund window?' }).waitFor();

    // No mention: the agent that answered last answers again.
    await send(page, 'And for damaged goods?');
    await reply(page, 'clerk').nth(1).getByText('Damaged goods are replaced for free.').waitFor();
    await send(page, 'Do you ship on weekends?');
    await reply(page, 'clerk').nth(2).getByText('We ship on weekdays only.').waitFor();
    await expect(reply(page, 'clerk').locator('.badge-succeeded').count()).resolves.toBe(3);
    expect(page.url()).toBe(conversationUrl);
  });

  it('mentions a second agent through the autocomplete, and its reply is attributed to it', async () => {
    const { page } = alice;
    const box = page.getByLabel('Message');
    await box.click();
    await box.pressSequentially('@aud');
    const suggestions = page.getByRole('listbox', { name: 'Agents to mention' });
    await suggestions.getByRole('option', { name: /@auditor/ }).waitFor();
    await expect(suggestions.getByRole('option').count()).resolves.toBe(1);
    await shot(page, 'mention');
    await box.press('Enter');
    await expect(box.inputValue()).resolves.toBe('@auditor ');
    await box.pressSequentially("check the clerk's answers");
    await box.press('Enter');
    await reply(page, 'auditor').getByText("Audited: the clerk's answers match the policy.").waitFor();
    await reply(page, 'auditor').locator('.badge-succeeded').waitFor();
    await expect(reply(page, 'clerk').count()).resolves.toBe(3);
  });

  it('attaches a PDF with the file input and a note by drag and drop, and gets an answer citing the PDF', async () => {
    const { page } = alice;
    await page.getByLabel('Attach files').setInputFiles({
      name: 'report.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from(REPORT),
    });
    const pending = page.getByRole('list', { name: 'Files to send' });
    await pending.getByText('report.pdf').waitFor();
    // A file picked by mistake is removed before sending.
    await page.getByLabel('Attach files').setInputFiles({
      name: 'extra.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Not for this question.'),
    });
    await pending.getByRole('button', { name: 'Remove extra.txt' }).click();
    await pending.getByText('extra.txt').waitFor({ state: 'detached' });
    // Runs in the page (the test's own types have no DOM): a DataTransfer holding one Markdown file.
    const dropped = await page.evaluateHandle(`(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['# Notes\\n\\nAsk finance about Q4.\\n'], 'notes.md', { type: 'text/markdown' }));
      return transfer;
    })()`);
    await page.getByRole('form', { name: 'Composer' }).dispatchEvent('drop', { dataTransfer: dropped });
    await pending.getByText('notes.md').waitFor();
    await shot(page, 'attachments');
    await send(page, '@reader What is the Q3 forecast in the attached report?');
    const answer = reply(page, 'reader');
    await answer.getByText('The Q3 forecast is 4.2 million euros').waitFor();
    await answer.locator('.badge-succeeded').waitFor();
    const citation = answer.getByRole('link', { name: /^\[K\d+\]$/ });
    const anchor = (await citation.getAttribute('href')) ?? '';
    expect(await page.locator(`[id="${anchor.slice(1)}"]`).textContent()).toContain(
      'report.pdf (attachments)',
    );
    const sent = page.getByRole('article', { name: 'You wrote' }).last();
    await sent.getByRole('list', { name: 'Attached files' }).getByText('report.pdf').waitFor();
    await sent.getByRole('list', { name: 'Attached files' }).getByText('notes.md').waitFor();
    await expect(pending.count()).resolves.toBe(0);
    await page.getByText('Files (2)').click();
    const files = page.getByRole('list', { name: 'Files of this conversation' });
    await files.getByText('report.pdf').waitFor();
    await files.getByRole('button', { name: 'Remove notes.md from the conversation' }).waitFor();
    await shot(page, 'citation');
  });

  it('shows the whole conversation again after a reload', async () => {
    const { page } = alice;
    await page.reload();
    await page.getByRole('list', { name: 'Thread' }).waitFor();
    await expect(page.getByRole('article', { name: 'You wrote' }).count()).resolves.toBe(5);
    for (const text of [
      'Refunds are accepted within 30 days.',
      'Damaged goods are replaced for free.',
      'We ship on weekdays only.',
    ])
      await reply(page, 'clerk').getByText(text).waitFor();
    await reply(page, 'auditor').getByText('Audited:').waitFor();
    await reply(page, 'reader')
      .getByRole('link', { name: /^\[K\d+\]$/ })
      .waitFor();
    await reply(page, 'reader').getByRole('region', { name: 'Sources' }).getByText('report.pdf').waitFor();
    await page.getByRole('list', { name: 'Attached files' }).getByText('report.pdf').waitFor();
    expect(page.url()).toBe(conversationUrl);
  });

  it('searches and renames it in the sidebar, then shares it with a space', async () => {
    const { page } = alice;
    const search = sidebar(page).getByLabel('Search conversations');
    await search.fill('no such words anywhere');
    await sidebar(page).getByText('Nothing found.').waitFor();
    // The search reads message contents too, not only titles.
    await search.fill('forecast');
    const item = sidebar(page).getByRole('link', { name: '@clerk What is our refund window?' });
    await item.waitFor();
    await sidebar(page).getByRole('button', { name: 'Rename @clerk What is our refund window?' }).click();
    await sidebar(page).getByLabel('New title').fill(TITLE);
    await sidebar(page).getByRole('button', { name: 'Save title' }).click();
    await sidebar(page).getByRole('link', { name: TITLE }).waitFor();
    await page.getByRole('heading', { name: TITLE }).waitFor();
    await search.fill('');

    await page.getByLabel('Share with space').selectOption({ label: 'team' });
    await page.getByText('Shared with team').waitFor();
    await sidebar(page).getByText('team', { exact: true }).waitFor();
    await shot(page, 'shared');
  });

  it('lets another member of the space read it, live, without the owner-only controls', async () => {
    bob = await signIn(people.bob.key);
    const { page } = bob;
    await sidebar(page).getByRole('link', { name: TITLE }).click();
    await page.getByRole('heading', { name: TITLE }).waitFor();
    await page.getByText('Shared with team (you are a member)').waitFor();
    await reply(page, 'clerk').getByText('We ship on weekdays only.').waitFor();
    await reply(page, 'reader').getByText('The Q3 forecast is 4.2 million euros').waitFor();
    await page.getByRole('article', { name: 'alice wrote' }).first().waitFor();
    await expect(page.getByLabel('Share with space').count()).resolves.toBe(0);
    await page.getByText('Files (2)').click();
    await page.getByRole('list', { name: 'Files of this conversation' }).getByText('report.pdf').waitFor();
    await expect(page.getByRole('button', { name: /^Remove/ }).count()).resolves.toBe(0);
    await expect(
      sidebar(page)
        .getByRole('button', { name: /^Rename/ })
        .count(),
    ).resolves.toBe(0);
    await shot(page, 'member-view');

    // Alice writes again: Bob's open page gets her message and the reply from the conversation's stream.
    await send(alice.page, '@clerk And for damaged goods bought on sale?');
    await page.getByRole('article', { name: 'alice wrote' }).getByText('bought on sale').waitFor();
    await reply(page, 'clerk').getByText('Damaged goods are replaced for free.').nth(1).waitFor();
  });

  it('archives, restores and deletes it, and the browsers stayed free of errors', async () => {
    const { page } = alice;
    await reply(page, 'clerk').nth(3).locator('.badge-succeeded').waitFor();
    await bob.context.close();
    await sidebar(page)
      .getByRole('button', { name: `Archive ${TITLE}` })
      .click();
    await sidebar(page).getByText('No conversations yet.').waitFor();
    await page.getByText('Shared with team · archived').waitFor();
    await sidebar(page).getByLabel('Show archived').check();
    await sidebar(page)
      .getByRole('button', { name: `Unarchive ${TITLE}` })
      .click();
    await sidebar(page).getByText('No conversations yet.').waitFor();
    await sidebar(page).getByLabel('Show archived').uncheck();
    await sidebar(page).getByRole('link', { name: TITLE }).waitFor();

    await page.getByRole('button', { name: 'Delete conversation' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.waitForURL(/\/chat$/);
    await page.getByRole('heading', { name: 'New conversation' }).waitFor();
    await sidebar(page).getByText('No conversations yet.').waitFor();
    const gone = await fetch(
      `${h.url}${new URL(conversationUrl).pathname.replace('/chat/', '/api/conversations/')}`,
      {
        headers: { authorization: `Bearer ${people.alice.key}` },
      },
    );
    expect(gone.status).toBe(404);
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });
});
