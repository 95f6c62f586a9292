import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import type { ConnectorItem } from '../../src/plugins/knowledge/connector.ts';
import { workspaceMcpResources } from '../../src/plugins/knowledge/connectors/mcp-resources-access.ts';
import {
  mcpResourcesConnector,
  mcpResourcesSourceConfigSchema,
} from '../../src/plugins/knowledge/connectors/mcp-resources-connector.ts';
import { McpConnectionManager } from '../../src/plugins/mcp/mcp-connection-manager.ts';
import { createMcpServer } from '../../src/plugins/mcp/mcp-server-repo.ts';
import { storeTargets } from '../support/test-stores.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/mcp-resources-server.ts', import.meta.url));
const CHANGING_SERVER = fileURLToPath(new URL('../mcp/fixtures/changing-server.ts', import.meta.url));

async function collect(items: AsyncIterable<ConnectorItem>): Promise<ConnectorItem[]> {
  const all: ConnectorItem[] = [];
  for await (const item of items) all.push(item);
  return all;
}

const context = () => ({ signal: new AbortController().signal, log: () => {} });
const summary = (item: ConnectorItem) =>
  item.kind === 'document'
    ? [item.ref, item.mediaType, item.title ?? null, Buffer.from(item.content).toString('utf8')]
    : [item.ref, item.code];

describe.each(storeTargets())('MCP resources connector with a real MCP server on $kind', (target) => {
  let store: Store;
  let home: string;
  let folder: string;
  let manager: McpConnectionManager;
  let workspaceId: string;
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from([0, 0xff, 0x10, 0x80])]);

  beforeAll(async () => {
    store = await target.open();
    home = await mkdtemp(join(tmpdir(), 'agentos-mcpres-'));
    folder = join(home, 'resources');
    await mkdir(folder);
    await writeFile(join(folder, 'a.md'), '# Alpha\n\nFirst.');
    await writeFile(join(folder, 'b.txt'), 'Bravo.');
    await writeFile(join(folder, 'broken.txt'), 'never served');
    await writeFile(join(folder, 'bundle.txt'), 'part one---# Part two');
    await writeFile(join(folder, 'manual.pdf'), pdf);
    workspaceId = (await createWorkspace(store, 'acme')).id;
    manager = new McpConnectionManager(store, { home });
    for (const [name, args] of [
      ['kb', ['--import', 'tsx', FIXTURE, folder]],
      ['toolsonly', ['--import', 'tsx', CHANGING_SERVER]],
    ] as const) {
      await createMcpServer(store, manager.secretBox(), workspaceId, {
        name,
        transport: 'stdio',
        command: process.execPath,
        args: [...args],
        env: {},
      });
    }
  });

  afterAll(async () => {
    await manager.close();
    await store.close();
    await rm(home, { recursive: true, force: true });
  });

  const connectorFor = (config: Record<string, unknown>, shared = true) =>
    mcpResourcesConnector(mcpResourcesSourceConfigSchema.parse(config), {
      access: workspaceMcpResources(store, workspaceId, {
        home,
        version: '1.0.0',
        ...(shared ? { manager } : {}),
      }),
    });

  it('lists every page, reads text and blob contents, and reports a failing read', async () => {
    const items = await collect(connectorFor({ server: 'kb' }).list(context()));
    expect(items.map(summary)).toEqual([
      ['docs:///a.md', 'text/markdown', 'Doc a.md', '# Alpha\n\nFirst.'],
      ['docs:///b.txt', 'text/plain', 'Doc b.txt', 'Bravo.'],
      ['docs:///broken.txt', 'resource.read_failed'],
      ['docs:///bundle.txt/part-1', 'text/plain', 'Doc bundle.txt', 'part one'],
      ['docs:///bundle.txt/part-2', 'text/markdown', 'Doc bundle.txt', '# Part two'],
      ['docs:///manual.pdf', 'application/pdf', 'Doc manual.pdf', pdf.toString('utf8')],
      ['settings://server', 'text/plain', 'settings', 'mode=test'],
    ]);
    const pdfItem = items[5];
    expect(pdfItem?.kind === 'document' && Buffer.from(pdfItem.content).equals(pdf)).toBe(true);
    expect(items[2]).toMatchObject({ location: 'docs:///broken.txt' });
    expect(items[2]?.kind === 'failure' && items[2].message).toContain('the backing store is down');
    expect(items[0]).toMatchObject({ location: 'docs:///a.md' });
  });

  it('filters by URI prefix, caps the count, and sees edits and deletions on the next listing', async () => {
    const connector = connectorFor({ server: 'kb', uriPrefixes: ['docs:///'], maxResources: 3 });
    expect((await collect(connector.list(context()))).map((item) => item.ref)).toEqual([
      'docs:///a.md',
      'docs:///b.txt',
      'docs:///broken.txt',
    ]);
    await writeFile(join(folder, 'a.md'), '# Alpha\n\nEdited.');
    await unlink(join(folder, 'b.txt'));
    const after = await collect(connector.list(context()));
    expect(after.map(summary)).toEqual([
      ['docs:///a.md', 'text/markdown', 'Doc a.md', '# Alpha\n\nEdited.'],
      ['docs:///broken.txt', 'resource.read_failed'],
      ['docs:///bundle.txt/part-1', 'text/plain', 'Doc bundle.txt', 'part one'],
      ['docs:///bundle.txt/part-2', 'text/markdown', 'Doc bundle.txt', '# Part two'],
    ]);
  });

  it('opens and closes its own connection when no manager is shared', async () => {
    const items = await collect(
      connectorFor({ server: 'kb', uriPrefixes: ['settings://'] }, false).list(context()),
    );
    expect(items.map(summary)).toEqual([['settings://server', 'text/plain', 'settings', 'mode=test']]);
  });

  it('fails the listing for an unknown server or one without resources', async () => {
    await expect(collect(connectorFor({ server: 'nosuch' }).list(context()))).rejects.toMatchObject({
      code: 'resource.not_found',
    });
    await expect(collect(connectorFor({ server: 'toolsonly' }).list(context()))).rejects.toMatchObject({
      code: 'mcp.unavailable',
      message: 'MCP server "toolsonly" offers no resources',
    });
    expect(mcpResourcesSourceConfigSchema.safeParse({ server: 'Bad.Name' }).success).toBe(false);
    expect(mcpResourcesSourceConfigSchema.safeParse({ server: 'kb', extra: 1 }).success).toBe(false);
  });
});
