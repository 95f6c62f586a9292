import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  defaultAllowHosts,
  websiteConnector,
  websiteSourceConfigSchema,
} from '../../src/plugins/knowledge/connectors/website-connector.ts';
import { extractLinks, robotsMeta } from '../../src/plugins/knowledge/connectors/website-links.ts';
import { canonicalUrl, hostWithPort } from '../../src/plugins/knowledge/connectors/website-url.ts';

describe('links and canonical URLs', () => {
  it('reads hrefs in every quoting style, decodes entities and honours <base href>', () => {
    const html = `<html><head><base href="https://example.com/docs/"></head><body>
      <a class=x href="guide?a=1&amp;b=2">1</a>
      <A HREF='../about'>2</A>
      <a href=faq#top>3</a>
      <area shape="rect" href="/map">
      <a name="anchor-only">no href</a>
      <a href="#section">same page</a>
      <a href="&#x2F;hex">hex</a>
      <!-- <a href="/in-comment">c</a> --><style>a[href="/in-style"]{}</style>
    </body></html>`;
    expect(extractLinks(html, new URL('https://example.com/index.html'))).toEqual([
      'https://example.com/docs/guide?a=1&b=2',
      'https://example.com/about',
      'https://example.com/docs/faq#top',
      'https://example.com/map',
      'https://example.com/hex',
    ]);
  });

  it('canonicalises: lower-case host, no default port, no fragment, no bare ?, no credentials, http(s) only', () => {
    expect(canonicalUrl('HTTP://Example.COM:80/a/./b/../c?#frag')?.href).toBe('http://example.com/a/c');
    expect(canonicalUrl('https://example.com:8443/x?q=1#y')?.href).toBe('https://example.com:8443/x?q=1');
    expect(canonicalUrl('https://user:pw@example.com/')).toBeUndefined();
    expect(canonicalUrl('ftp://example.com/')).toBeUndefined();
    expect(canonicalUrl('javascript:alert(1)')).toBeUndefined();
    expect(canonicalUrl('not a url')).toBeUndefined();
    expect(hostWithPort(new URL('https://example.com/'))).toBe('example.com:443');
  });

  it('defaults the allowlist to the start hosts, with http and https default ports', () => {
    expect(defaultAllowHosts(['http://docs.example.com/', 'http://127.0.0.1:8080/a'])).toEqual([
      'docs.example.com:80',
      'docs.example.com:443',
      '127.0.0.1:8080',
    ]);
  });
});

describe('what a page asks of crawlers', () => {
  it('reads meta robots (and agentos-crawler): noindex, nofollow, none; rel="nofollow" links are left out', () => {
    expect(robotsMeta('<meta name="robots" content="noindex, follow">')).toEqual({
      noindex: true,
      nofollow: false,
    });
    expect(robotsMeta("<META NAME='AgentOS-Crawler' CONTENT='nofollow'>")).toEqual({
      noindex: false,
      nofollow: true,
    });
    expect(robotsMeta('<meta content="none" name=robots>')).toEqual({ noindex: true, nofollow: true });
    expect(robotsMeta('<meta name="description" content="noindex">')).toEqual({
      noindex: false,
      nofollow: false,
    });
    expect(robotsMeta('<!-- <meta name="robots" content="noindex"> -->')).toEqual({
      noindex: false,
      nofollow: false,
    });
    const links = extractLinks(
      '<a href="/kept">1</a> <a rel="nofollow" href="/paid">2</a> <a href="/ugc" rel=\'ugc nofollow\'>3</a>',
      new URL('https://example.com/'),
    );
    expect(links).toEqual(['https://example.com/kept']);
  });
});

describe('a crawl that meets meta robots', () => {
  it('keeps noindex pages out of the listing but follows them, and does not follow nofollow pages', async () => {
    const pages: Record<string, string> = {
      '/': '<a href="/hidden">hidden</a> <a href="/closed">closed</a>',
      '/hidden': '<meta name="robots" content="noindex"><a href="/behind-hidden">behind</a>',
      '/behind-hidden': 'reached through a noindex page',
      '/closed': '<meta name="robots" content="nofollow"><a href="/behind-closed">behind</a>',
      '/behind-closed': 'never reached',
    };
    const requested: string[] = [];
    const server = createServer((req, res) => {
      requested.push(req.url ?? '');
      const body = pages[req.url ?? ''];
      if (body === undefined) res.writeHead(404).end();
      else
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(`<html><head></head><body>${body}</body></html>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const connector = websiteConnector(
        websiteSourceConfigSchema.parse({ startUrls: [`${base}/`], maxDepth: 3 }),
        {
          version: 'test',
        },
      );
      const refs: string[] = [];
      for await (const item of connector.list({ signal: new AbortController().signal, log: () => {} }))
        refs.push(`${item.kind}:${new URL(item.ref).pathname}`);
      expect(refs.sort()).toEqual(['document:/', 'document:/behind-hidden', 'document:/closed']);
      expect(requested).not.toContain('/behind-closed');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
