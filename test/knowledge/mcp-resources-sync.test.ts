import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import { loadSecretBox } from '../../src/core/secrets/secret-box.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import { searchKnowledge } from '../../src/plugins/knowledge/knowledge-search.ts';
import { parseSourceConfig } from '../../src/plugins/knowledge/source-kinds.ts';
import { createSource, listDocuments } from '../../src/plugins/knowledge/source-repo.ts';
import { runSourceSync } from '../../src/plugins/knowledge/source-sync.ts';
import { createMcpServer } from '../../src/plugins/mcp/mcp-server-repo.ts';
import { storeTargets } from '../support/test-stores.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/mcp-resources-server.ts', import.meta.url));
const actor = { type: 'system' as const, id: 'test' };

describe.each(storeTargets())('an MCP resources source through the sync engine on $kind', (target) => {
  let store: Store;
  let home: string;
  let folder: string;

  beforeAll(async () => {
    store = await target.open();
    home = await mkdtemp(join(tmpdir(), 'agentos-mcpsync-'));
    folder = join(home, 'notion-export');
    await mkdir(folder);
  });

  afterAll(async () => {
    await store.close();
    await rm(home, { recursive: true, force: true });
  });

  it('syncs a real MCP server’s resources, then an edit and a deletion', async () => {
    await writeFile(join(folder, 'pricing.md'), '# Pricing\n\nThe enterprise plan costs 30 EUR per seat.\n');
    await writeFile(join(folder, 'support.txt'), 'Support answers within one business day.');
    await writeFile(join(folder, 'broken.txt'), 'never served');
    const workspaceId = (await createWorkspace(store, 'acme')).id;
    await createMcpServer(store, loadSecretBox(home), workspaceId, {
      name: 'notion',
      transport: 'stdio',
      command: process.execPath,
      args: ['--import', 'tsx', FIXTURE, folder],
      env: {},
    });
    const source = await createSource(store, {
      workspaceId,
      spaceId: null,
      name: 'notion-pages',
      kind: 'mcp-resources',
      config: parseSourceConfig('mcp-resources', { server: 'notion', uriPrefixes: ['docs:///'] }),
      scheduleMinutes: null,
      createdBy: null,
    });
    const deps = { store, version: '1.0.0', home };
    const documents = async () =>
      (await listDocuments(store, source.id, { limit: 100 })).map((d) => [
        d.ref,
        d.status,
        d.title,
        d.mediaType,
      ]);
    const search = (query: string) => searchKnowledge(store, { query, sourceIds: [source.id], limit: 5 });

    const first = await runSourceSync(deps, source, actor);
    expect(first).toMatchObject({ status: 'ok', counts: { added: 2, failed: 1, deleted: 0 } });
    expect(await documents()).toEqual([
      ['docs:///broken.txt', 'failed', 'docs:///broken.txt', 'unknown'],
      ['docs:///pricing.md', 'ok', 'Doc pricing.md', 'text/markdown'],
      ['docs:///support.txt', 'ok', 'Doc support.txt', 'text/plain'],
    ]);
    expect((await search('enterprise plan seat'))[0]?.document).toMatchObject({
      ref: 'docs:///pricing.md',
      location: 'docs:///pricing.md',
    });

    await writeFile(join(folder, 'pricing.md'), '# Pricing\n\nThe enterprise plan costs 35 EUR per seat.\n');
    await unlink(join(folder, 'support.txt'));
    const second = await runSourceSync(deps, source, actor);
    expect(second).toMatchObject({ status: 'ok', counts: { added: 0, updated: 1, deleted: 1, failed: 1 } });
    expect((await documents()).map(([ref]) => ref)).toEqual(['docs:///broken.txt', 'docs:///pricing.md']);
    expect(await search('business day')).toEqual([]);
    expect((await search('enterprise plan seat'))[0]?.text).toContain('35 EUR');
  });

  it('never indexes the server’s secret env values that appear in its resources', async () => {
    const secret = 'ntn-4f3e2d1c0b9a8877-secret-token';
    const secretFolder = join(home, 'leaky-export');
    await mkdir(secretFolder);
    await writeFile(
      join(secretFolder, 'setup.md'),
      `# Setup for ${secret}\n\nThe integration connects with token ${secret} to the wiki API.\n\n` +
        `Rotate the integration token every quarter.\n`,
    );
    await writeFile(join(secretFolder, `key-${secret}.txt`), 'The integration key file is kept offline.');
    const workspaceId = (await createWorkspace(store, 'leaky')).id;
    await createMcpServer(store, loadSecretBox(home), workspaceId, {
      name: 'wiki',
      transport: 'stdio',
      command: process.execPath,
      args: ['--import', 'tsx', FIXTURE, secretFolder],
      env: { WIKI_TOKEN: secret },
    });
    const source = await createSource(store, {
      workspaceId,
      spaceId: null,
      name: 'wiki-pages',
      kind: 'mcp-resources',
      config: parseSourceConfig('mcp-resources', { server: 'wiki', uriPrefixes: ['docs:///'] }),
      scheduleMinutes: null,
      createdBy: null,
    });
    const synced = await runSourceSync({ store, version: '1.0.0', home }, source, actor);
    expect(synced).toMatchObject({ status: 'ok', counts: { added: 2, failed: 0 } });

    const { rows } = await store.query<{ stored: string }>(
      `SELECT concat_ws(' ', d.ref, d.title, d.location, d.error_message, c.section, c.text) AS stored
       FROM knowledge_documents d LEFT JOIN knowledge_chunks c ON c.document_id = d.id WHERE d.source_id = $1`,
      [source.id],
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const stored = rows.map((row) => row.stored).join('\n');
    expect(stored).not.toContain(secret);
    expect(stored).toContain('connects with token [redacted] to the wiki API');
    expect(stored).toContain('docs:///key-[redacted].txt');

    const results = await searchKnowledge(store, {
      query: 'integration token',
      sourceIds: [source.id],
      limit: 10,
    });
    expect(results.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(results)).not.toContain(secret);
    expect(
      JSON.stringify(await searchKnowledge(store, { query: secret, sourceIds: [source.id], limit: 10 })),
    ).not.toContain(secret);
  });
});
