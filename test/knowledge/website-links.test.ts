import { describe, expect, it } from 'vitest';
import { defaultAllowHosts } from '../../src/knowledge/connectors/website-connector.ts';
import { extractLinks } from '../../src/knowledge/connectors/website-links.ts';
import { canonicalUrl, hostWithPort } from '../../src/knowledge/connectors/website-url.ts';

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
