import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ConnectorItem,
  DocumentFailure,
  FetchedDocument,
} from '../../src/plugins/knowledge/connector.ts';
import {
  websiteConnector,
  websiteSourceConfigSchema,
} from '../../src/plugins/knowledge/connectors/website-connector.ts';

interface Site {
  base: string;
  port: number;
  requests: string[];
  userAgents: Set<string>;
  close(): Promise<void>;
}

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, site: Site) => void,
): Promise<Site> {
  const site: Site = { base: '', port: 0, requests: [], userAgents: new Set(), close: async () => {} };
  const server: Server = createServer((req, res) => {
    site.requests.push(req.url ?? '');
    site.userAgents.add(req.headers['user-agent'] ?? '');
    handler(req, res, site);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site.port = (server.address() as AddressInfo).port;
  site.base = `http://127.0.0.1:${site.port}`;
  site.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return site;
}

const html = (body: string) =>
  `<!doctype html><html><head><title>t</title></head><body>${body}</body></html>`;

async function collect(items: AsyncIterable<ConnectorItem>): Promise<ConnectorItem[]> {
  const all: ConnectorItem[] = [];
  for await (const item of items) all.push(item);
  return all;
}

const context = () => ({ signal: new AbortController().signal, log: () => {} });

describe('website connector on a loopback site', () => {
  let site: Site;
  let elsewhere: Site;

  beforeAll(async () => {
    elsewhere = await serve((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end(html('elsewhere')),
    );
    site = await serve((req, res, self) => {
      const pages: Record<string, () => void> = {
        '/robots.txt': () =>
          res
            .writeHead(200, { 'content-type': 'text/plain' })
            .end(
              'User-agent: OtherBot\nDisallow: /\n\nUser-agent: *\nDisallow: /private\nAllow: /private/open$\n',
            ),
        '/': () =>
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
            html(`
              <a href="/a">A</a> <a href='b?x=1#section'>B</a> <a href=./a>A again</a>
              <a href="/private/secret">secret</a> <a href="/private/open">open</a>
              <a href="/missing">missing</a> <a href="${elsewhere.base}/">off the allowlist</a>
              <a href="/notes.txt">notes</a> <a href="/away">away</a> <a href="/moved">moved</a>
              <a href="/slow">slow</a> <a href="/big">big</a> <a href="/image.png">image</a>
              <a href="/to-private">sneaky redirect</a>
              <a href="mailto:someone@example.com">mail</a> <a href="javascript:alert(1)">js</a>
              <!-- <a href="/commented">hidden</a> -->
              <script>const link = '<a href="/scripted">x</a>';</script>`),
          ),
        '/a': () =>
          res.writeHead(200, { 'content-type': 'text/html' }).end(html('<a href="/a/deep">deeper</a>')),
        '/a/deep': () =>
          res
            .writeHead(200, { 'content-type': 'text/html' })
            .end(html('<a href="/a/deep/deeper">deepest</a>')),
        '/a/deep/deeper': () => res.writeHead(200, { 'content-type': 'text/html' }).end(html('too deep')),
        '/b?x=1': () =>
          res
            .writeHead(200, { 'content-type': 'text/html' })
            .end(html('<a href="/?">home</a><a href="/a#top">a</a>')),
        '/notes.txt': () =>
          res
            .writeHead(200, { 'content-type': 'text/plain' })
            .end('Plain notes. <a href="/hidden">not a link</a>'),
        '/private/open': () =>
          res.writeHead(200, { 'content-type': 'text/markdown' }).end('# Open\n\nAllowed.'),
        '/private/secret': () => res.writeHead(200, { 'content-type': 'text/html' }).end(html('secret')),
        '/away': () => res.writeHead(302, { location: `${elsewhere.base}/landing` }).end(),
        '/moved': () => res.writeHead(301, { location: '/b?x=1' }).end(),
        '/to-private': () => res.writeHead(302, { location: '/private/secret' }).end(),
        '/slow': () => {
          // Never answers: the page timeout ends it.
        },
        '/big': () => res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(64 * 1024)),
        '/image.png': () =>
          res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0x89, 0x50])),
      };
      const page = pages[req.url ?? ''];
      if (page === undefined) res.writeHead(404, { 'content-type': 'text/html' }).end(html('not found'));
      else page();
      void self;
    });
  });

  afterAll(async () => {
    await site.close();
    await elsewhere.close();
  });

  it('crawls breadth-first inside the allowlist, depth and robots.txt, and reports what failed', async () => {
    const config = websiteSourceConfigSchema.parse({ startUrls: [`${site.base}/`], maxDepth: 2 });
    const connector = websiteConnector(config, { version: '9.9.9', timeoutMs: 500, maxPageBytes: 32 * 1024 });
    const items = await collect(connector.list(context()));
    const u = (path: string) => `${site.base}${path}`;

    const documents = items.filter((item): item is FetchedDocument => item.kind === 'document');
    expect(documents.map((d) => [d.ref, d.mediaType])).toEqual([
      [u('/'), 'text/html'],
      [u('/a'), 'text/html'],
      [u('/b?x=1'), 'text/html'],
      [u('/private/open'), 'text/markdown'],
      [u('/notes.txt'), 'text/plain'],
      [u('/a/deep'), 'text/html'],
    ]);
    for (const document of documents) expect(document.location).toBe(document.ref);
    expect(Buffer.from(documents[4]!.content).toString()).toBe(
      'Plain notes. <a href="/hidden">not a link</a>',
    );

    const failures = items.filter((item): item is DocumentFailure => item.kind === 'failure');
    expect(failures.map((f) => [f.ref, f.code])).toEqual([
      [u('/private/secret'), 'robots.disallowed'],
      [u('/missing'), 'fetch.http_status'],
      [u('/away'), 'fetch.off_allowlist'],
      [u('/slow'), 'fetch.timeout'],
      [u('/big'), 'fetch.too_large'],
      [u('/image.png'), 'fetch.unsupported_type'],
      [u('/to-private'), 'robots.disallowed'],
    ]);
    expect(failures[6]!.message).toContain(`redirected to ${u('/private/secret')}`);
    expect(failures[1]!.message).toBe('HTTP 404');
    expect(failures[2]!.message).toContain(`redirected to ${elsewhere.base}/landing`);

    // Never requested: robots-disallowed, beyond maxDepth, links in text or comments or scripts, off-host.
    for (const path of ['/private/secret', '/a/deep/deeper', '/hidden', '/commented', '/scripted']) {
      expect(site.requests).not.toContain(path);
    }
    expect(elsewhere.requests).toEqual([]);
    expect(site.requests.filter((path) => path === '/robots.txt')).toHaveLength(1);
    // /moved redirects to a page already yielded: fetched, not yielded twice.
    expect(site.requests).toContain('/moved');
    expect(site.userAgents).toEqual(new Set(['AgentOS-Crawler/9.9.9']));
  });

  it('stops at maxPages and fetches only the start URLs at depth 0', async () => {
    const limited = websiteConnector(
      websiteSourceConfigSchema.parse({ startUrls: [`${site.base}/`], maxPages: 3 }),
      {
        version: '1',
      },
    );
    expect((await collect(limited.list(context()))).map((item) => item.ref)).toEqual([
      `${site.base}/`,
      `${site.base}/a`,
      `${site.base}/b?x=1`,
    ]);
    const shallow = websiteConnector(
      websiteSourceConfigSchema.parse({
        startUrls: [`${site.base}/a`, `${site.base}/notes.txt`],
        maxDepth: 0,
      }),
      { version: '1' },
    );
    expect((await collect(shallow.list(context()))).map((item) => item.ref)).toEqual([
      `${site.base}/a`,
      `${site.base}/notes.txt`,
    ]);
  });

  it('follows only included path prefixes and skips excluded ones', async () => {
    const connector = websiteConnector(
      websiteSourceConfigSchema.parse({
        startUrls: [`${site.base}/`],
        includePaths: ['/a', '/notes'],
        excludePaths: ['/a/deep', '/away'],
      }),
      { version: '1' },
    );
    expect((await collect(connector.list(context()))).map((item) => item.ref)).toEqual([
      `${site.base}/`,
      `${site.base}/a`,
      `${site.base}/notes.txt`,
    ]);
  });

  it('follows links to another host only when allowHosts names it', async () => {
    const connector = websiteConnector(
      websiteSourceConfigSchema.parse({
        startUrls: [`${site.base}/a`],
        allowHosts: [`127.0.0.1:${site.port}`, `127.0.0.1:${elsewhere.port}`],
        maxDepth: 0,
      }),
      { version: '1' },
    );
    expect((await collect(connector.list(context()))).map((item) => item.ref)).toEqual([`${site.base}/a`]);
    expect(() =>
      websiteSourceConfigSchema.parse({ startUrls: [`${site.base}/`], allowHosts: ['example.com'] }),
    ).toThrow(/not in allowHosts/);
    expect(() => websiteSourceConfigSchema.parse({ startUrls: ['file:///etc/passwd'] })).toThrow();
    expect(() => websiteSourceConfigSchema.parse({ startUrls: [`${site.base}/`], userAgent: 'x' })).toThrow();
  });
});

describe('website connector when robots.txt fails', () => {
  it('a 5xx robots.txt keeps the whole host out of this sync; a 404 allows everything', async () => {
    let robotsStatus = 503;
    const site = await serve((req, res) => {
      if (req.url === '/robots.txt') res.writeHead(robotsStatus).end('down');
      else res.writeHead(200, { 'content-type': 'text/html' }).end(html('<a href="/next">next</a>'));
    });
    try {
      const config = websiteSourceConfigSchema.parse({ startUrls: [`${site.base}/`] });
      const down = await collect(websiteConnector(config, { version: '1' }).list(context()));
      expect(down.map((item) => [item.ref, item.kind === 'failure' ? item.code : 'document'])).toEqual([
        [`${site.base}/`, 'robots.disallowed'],
      ]);
      expect(site.requests).toEqual(['/robots.txt']);

      robotsStatus = 404;
      const open = await collect(websiteConnector(config, { version: '1' }).list(context()));
      expect(open.map((item) => [item.ref, item.kind])).toEqual([
        [`${site.base}/`, 'document'],
        [`${site.base}/next`, 'document'],
      ]);
    } finally {
      await site.close();
    }
  });
});
