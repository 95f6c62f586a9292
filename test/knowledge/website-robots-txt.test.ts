import { describe, expect, it } from 'vitest';
import { parseRobotsTxt } from '../../src/plugins/knowledge/connectors/robots-txt.ts';

const TOKEN = 'AgentOS-Crawler';

describe('robots.txt rules', () => {
  it('uses the group naming our product token over the * group, merging repeated groups', () => {
    const policy = parseRobotsTxt(
      [
        'User-agent: *',
        'Disallow: /',
        '',
        'User-agent: agentos-crawler/2.0  # version suffix ignored',
        'Disallow: /drafts',
        'Sitemap: https://example.com/sitemap.xml',
        'User-agent: SomeoneElse',
        'Disallow: /public',
        '',
        'User-agent: AgentOS-Crawler',
        'Disallow: /tmp',
      ].join('\n'),
      TOKEN,
    );
    expect(policy.allows('/public/page')).toBe(true);
    expect(policy.allows('/drafts/x')).toBe(false);
    expect(policy.allows('/tmp')).toBe(false);
    expect(policy.allows('/robots.txt')).toBe(true);
  });

  it('groups several User-agent lines together and falls back to *', () => {
    const policy = parseRobotsTxt('User-agent: a\nUser-agent: *\nDisallow: /x\n', TOKEN);
    expect(policy.allows('/x/y')).toBe(false);
    expect(policy.allows('/y')).toBe(true);
  });

  it('picks the longest match, Allow on a tie, with * wildcards and $ anchors', () => {
    const policy = parseRobotsTxt(
      [
        'User-agent: *',
        'Disallow: /docs/',
        'Allow: /docs/public/',
        'Disallow: /*.pdf$',
        'Allow: /docs/guide',
        'Disallow: /docs/guide',
        'Disallow: /search?q=',
        'Disallow:',
      ].join('\r\n'),
      TOKEN,
    );
    expect(policy.allows('/docs/private')).toBe(false);
    expect(policy.allows('/docs/public/a')).toBe(true);
    expect(policy.allows('/docs/public/a.pdf')).toBe(true); // "/docs/public/" (13) beats "/*.pdf$" (7)
    expect(policy.allows('/files/a.pdf')).toBe(false);
    expect(policy.allows('/files/a.pdf?download=1')).toBe(true); // $ anchors: the query follows
    expect(policy.allows('/docs/guide')).toBe(true);
    expect(policy.allows('/search?q=x')).toBe(false);
    expect(policy.allows('/search')).toBe(true);
  });

  it('compares percent-escaped unreserved characters as their plain form', () => {
    const policy = parseRobotsTxt('User-agent: *\nDisallow: /~joe/\n', TOKEN);
    expect(policy.allows('/%7Ejoe/index.html')).toBe(false);
    expect(policy.allows('/%7efoo')).toBe(true);
  });

  it('allows everything when no group applies or the file is empty', () => {
    expect(parseRobotsTxt('User-agent: OtherBot\nDisallow: /\n', TOKEN).allows('/a')).toBe(true);
    expect(parseRobotsTxt('', TOKEN).allows('/a')).toBe(true);
    expect(parseRobotsTxt('Disallow: /\n', TOKEN).allows('/a')).toBe(true);
  });
});
