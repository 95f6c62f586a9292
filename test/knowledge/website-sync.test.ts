import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../../src/core/identity/workspace-repo.ts';
import type { Store } from '../../src/core/store/sql-client.ts';
import { searchKnowledge } from '../../src/plugins/knowledge/knowledge-search.ts';
import { parseSourceConfig } from '../../src/plugins/knowledge/source-kinds.ts';
import { createSource, listDocuments } from '../../src/plugins/knowledge/source-repo.ts';
import { runSourceSync } from '../../src/plugins/knowledge/source-sync.ts';
import { storeTargets } from '../support/test-stores.ts';

const actor = { type: 'system' as const, id: 'test' };
const page = (title: string, body: string) =>
  `<!doctype html><html><head><title>${title}</title></head><body>${body}</body></html>`;

describe.each(storeTargets())('a website source through the sync engine on $kind', (target) => {
  let store: Store;
  let server: Server;
  let base: string;
  const pages = new Map<string, { type: string; body: string }>();

  beforeAll(async () => {
    store = await target.open();
    server = createServer((req, res) => {
      const found = pages.get(req.url ?? '');
      if (found === undefined) res.writeHead(404).end('not found');
      else res.writeHead(200, { 'content-type': found.type }).end(found.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
  });

  it('crawls, re-crawls an edited page and drops a page no longer linked', async () => {
    pages.set('/robots.txt', { type: 'text/plain', body: 'User-agent: *\nDisallow: /internal\n' });
    pages.set('/', {
      type: 'text/html',
      body: page(
        'Wiki',
        '<h1>Wiki</h1><a href="/travel">Travel</a> <a href="/parking.txt">Parking</a> <a href="/internal">x</a>',
      ),
    });
    pages.set('/travel', {
      type: 'text/html',
      body: page('Travel policy', '<h1>Travel</h1><p>Book trains over flights under 600 km.</p>'),
    });
    pages.set('/parking.txt', { type: 'text/plain', body: 'Parking permits are renewed every March.' });
    pages.set('/internal', { type: 'text/html', body: page('Internal', '<p>never crawled</p>') });

    const workspaceId = (await createWorkspace(store, 'acme')).id;
    const source = await createSource(store, {
      workspaceId,
      spaceId: null,
      name: 'wiki',
      kind: 'website',
      config: parseSourceConfig('website', { startUrls: [`${base}/`] }),
      scheduleMinutes: null,
      createdBy: null,
    });
    const deps = { store, version: '1.0.0', home: '/nonexistent-home' };
    const documents = async () =>
      (await listDocuments(store, source.id, { limit: 100 })).map((d) => [
        d.ref,
        d.status,
        d.title,
        d.error?.code ?? null,
      ]);
    const search = (query: string) => searchKnowledge(store, { query, sourceIds: [source.id], limit: 5 });

    const first = await runSourceSync(deps, source, actor);
    expect(first).toMatchObject({ status: 'ok', counts: { added: 3, failed: 1, deleted: 0 } });
    expect(await documents()).toEqual([
      [`${base}/`, 'ok', 'Wiki', null],
      [`${base}/internal`, 'failed', `${base}/internal`, 'robots.disallowed'],
      [`${base}/parking.txt`, 'ok', 'parking', null],
      [`${base}/travel`, 'ok', 'Travel policy', null],
    ]);
    const [hit] = await search('trains flights');
    expect(hit?.document).toMatchObject({
      ref: `${base}/travel`,
      location: `${base}/travel`,
      untrusted: true,
    });

    pages.set('/', { type: 'text/html', body: page('Wiki', '<h1>Wiki</h1><a href="/travel">Travel</a>') });
    pages.set('/travel', {
      type: 'text/html',
      body: page('Travel policy', '<h1>Travel</h1><p>Book trains over flights under 800 km.</p>'),
    });
    const second = await runSourceSync(deps, source, actor);
    expect(second).toMatchObject({
      status: 'ok',
      counts: { added: 0, updated: 2, unchanged: 0, deleted: 2, failed: 0 },
    });
    expect(await documents()).toEqual([
      [`${base}/`, 'ok', 'Wiki', null],
      [`${base}/travel`, 'ok', 'Travel policy', null],
    ]);
    expect(await search('parking permits')).toEqual([]);
    expect((await search('trains flights'))[0]?.text).toContain('800 km');
  });
});
