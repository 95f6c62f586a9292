import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/store/sql-client.ts';
import { ToolRegistry } from '../../src/core/tools/tool-registry.ts';
import { CONSOLE_DIST } from '../../src/surfaces/http/console-static.ts';
import { BANK_SERVER, TSX_LOADER } from '../mcp/mcp-harness.ts';
import { type KernelHarness, startKernelHarness } from '../support/kernel-harness.ts';
import { addMember } from '../support/members.ts';
import { type ScriptedModelServer, startScriptedModelServer } from '../support/scripted-model-server.ts';
import { storeTargets } from '../support/test-stores.ts';
import { collectBrowserErrors, launchChromium, screenshot } from './browser.ts';

const TOKEN = 'bank-token-never-shown';

interface ToolView {
  name: string;
  trustedOutput: boolean;
  argumentRoles: Record<string, string>;
  securityArguments: string[] | null;
}

describe.each(storeTargets())('Settings → MCP servers in Chromium on $kind', (target) => {
  let model: ScriptedModelServer;
  let store: Store;
  let h: KernelHarness;
  let browser: Browser;
  const shot = (page: Page, name: string) => screenshot(page, `${target.kind}-mcp-${name}`);

  const signIn = async (key: string) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const errors = collectBrowserErrors(context);
    const page = await context.newPage();
    await page.goto(`${h.url}/settings`);
    await page.getByLabel('API key').fill(key);
    await page.getByLabel('API key').press('Enter');
    await page.getByRole('heading', { name: 'MCP servers' }).waitFor();
    return { context, page, errors };
  };
  const section = (page: Page) => page.getByRole('region', { name: 'MCP servers' });
  const openTools = async (page: Page, server = 'bank') => {
    await section(page)
      .getByRole('button', { name: `Tools of ${server}` })
      .click();
    await section(page).getByRole('table').getByText(`${server}__send_money`, { exact: true }).waitFor();
  };

  beforeAll(async () => {
    if (!existsSync(join(CONSOLE_DIST, 'index.html')))
      throw new Error('The console is not built: run `npm run build:console` first');
    model = await startScriptedModelServer();
    store = await target.open();
    h = await startKernelHarness({ store, modelBaseUrl: model.url, tools: new ToolRegistry([]) });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await h?.agentOs.stop();
    await model?.close();
  });

  it('registers a stdio server, labels its tools, keeps them over a reload, and removes it', async () => {
    const adminKey = readFileSync(join(h.config.home, 'admin-api-key'), 'utf8').trim();
    const { context, page, errors } = await signIn(adminKey);
    const mcp = section(page);
    await mcp.getByText('No MCP servers registered').waitFor();

    const form = mcp.getByRole('form', { name: 'Register an MCP server' });
    // Checked in the browser first: nothing is sent.
    await form.getByLabel('Server name').fill('Bank');
    await form.getByRole('button', { name: 'Register server' }).click();
    await form.getByText('Name: lowercase letters').waitFor();
    await form.getByLabel('Server name').fill('bank_');
    await form.getByRole('button', { name: 'Register server' }).click();
    await form.getByText('Name: no "__" and no "_" at the end').waitFor();
    await form.getByLabel('Server name').fill('bank');
    await form.getByLabel('Command').fill(process.execPath);
    await form.getByLabel('Arguments (one a line)').fill(['--import', TSX_LOADER, BANK_SERVER].join('\n'));
    await form.getByRole('button', { name: 'Add variable' }).click();
    await form.getByLabel('Variable 1').fill('BANK_TOKEN');
    await form.getByLabel('Value 1').fill(TOKEN);
    await form.getByRole('button', { name: 'Register server' }).click();
    await form.getByText('Registered bank.').waitFor();
    const item = mcp.getByRole('listitem', { name: 'MCP server bank' });
    await item.getByText('credentials: BANK_TOKEN').waitFor();

    await openTools(page);
    const trusted = page.getByLabel('Trusted output of bank__get_balance');
    expect(await trusted.isChecked()).toBe(false);
    await trusted.check();
    await page.getByRole('button', { name: 'Save labels of bank__get_balance' }).click();
    await page
      .getByRole('row', { name: /bank__get_balance/ })
      .getByText('Saved.')
      .waitFor();

    const recipient = page.getByLabel('Role of argument recipient of bank__send_money');
    await recipient.selectOption('recipient');
    await page.getByLabel('Stakes of bank__send_money').selectOption('high');
    await page.getByRole('button', { name: 'Save labels of bank__send_money' }).click();
    await page
      .getByRole('row', { name: /bank__send_money/ })
      .getByText('Saved.')
      .waitFor();

    // Kept by the server: a fresh page shows them again.
    await page.reload();
    await page.getByRole('heading', { name: 'MCP servers' }).waitFor();
    await openTools(page);
    expect(await page.getByLabel('Trusted output of bank__get_balance').isChecked()).toBe(true);
    expect(await page.getByLabel('Trusted output of bank__send_money').isChecked()).toBe(false);
    expect(await page.getByLabel('Role of argument recipient of bank__send_money').inputValue()).toBe(
      'recipient',
    );
    expect(await page.getByLabel('Role of argument amount of bank__send_money').inputValue()).toBe('');
    expect(await page.getByLabel('Stakes of bank__send_money').inputValue()).toBe('high');
    await shot(page, 'labels');

    const { body } = await h.api<{ tools: ToolView[] }>('GET', '/api/mcp/servers/bank/tools');
    expect(body.tools.find((t) => t.name === 'get_balance')).toMatchObject({ trustedOutput: true });
    expect(body.tools.find((t) => t.name === 'send_money')).toMatchObject({
      trustedOutput: false,
      argumentRoles: { recipient: 'recipient' },
      securityArguments: ['recipient'],
    });
    expect(await page.content()).not.toContain(TOKEN);

    // A builder reads the labels (mcp.read) but changes nothing (mcp.manage is for admins).
    const builder = await addMember(store, h.workspaceId, {
      email: 'bea@example.com',
      name: 'Bea',
      role: 'builder',
    });
    const reader = await signIn(builder.key);
    await section(reader.page).getByText('Read-only').waitFor();
    await openTools(reader.page);
    const row = reader.page.getByRole('row', { name: /bank__send_money/ });
    await row.getByText('recipient', { exact: true }).last().waitFor();
    await expect(reader.page.getByRole('combobox').count()).resolves.toBe(0);
    await expect(reader.page.getByRole('checkbox').count()).resolves.toBe(0);
    await expect(
      section(reader.page)
        .getByRole('button', { name: /^Remove/ })
        .count(),
    ).resolves.toBe(0);
    await expect(reader.page.getByRole('form', { name: 'Register an MCP server' }).count()).resolves.toBe(0);
    await shot(reader.page, 'read-only');
    expect(reader.errors).toEqual([]);
    await reader.context.close();

    // Removing asks first.
    await item.getByRole('button', { name: 'Remove bank' }).click();
    await item.getByRole('button', { name: 'Keep it' }).click();
    await item.getByRole('button', { name: 'Remove bank' }).click();
    await item.getByRole('button', { name: 'Yes, remove bank' }).click();
    await mcp.getByText('No MCP servers registered').waitFor();
    expect((await h.api<{ servers: unknown[] }>('GET', '/api/mcp/servers')).body.servers).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows the server's own error when a label cannot be saved", async () => {
    const adminKey = readFileSync(join(h.config.home, 'admin-api-key'), 'utf8').trim();
    const created = await h.api('POST', '/api/mcp/servers', {
      name: 'vault',
      transport: 'stdio',
      command: process.execPath,
      args: ['--import', TSX_LOADER, BANK_SERVER],
    });
    expect(created.status).toBe(201);
    const { context, page } = await signIn(adminKey);
    await openTools(page, 'vault');
    // Removed behind the page's back: the save is refused with the server's code.
    expect((await h.api('DELETE', '/api/mcp/servers/vault')).status).toBe(200);
    await page.getByLabel('Role of argument amount of vault__send_money').selectOption('amount');
    await page.getByRole('button', { name: 'Save labels of vault__send_money' }).click();
    const alert = page.getByRole('row', { name: /vault__send_money/ }).getByRole('alert');
    await alert.getByText('resource.not_found').waitFor();
    expect(await alert.textContent()).toContain('The labels of vault__send_money were not saved');
    await context.close();
  });
});
