/**
 * The links of an HTML page: every `<a href>` (and `<area href>`), resolved against the page URL or its
 * `<base href>`. A tolerant scan rather than a DOM: comments, scripts and styles are skipped, attribute
 * values may be double-, single- or un-quoted, and character references in them are decoded.
 */

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code =
        name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

const withoutInertParts = (html: string): string =>
  html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|template|noscript)\b[\s\S]*?<\/\1\s*>/gi, ' ');

function hrefOf(tag: string): string | undefined {
  const match = /\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/i.exec(tag);
  if (match === null) return undefined;
  const value = match[1] ?? match[2] ?? match[3] ?? '';
  return decodeEntities(value).trim();
}

/**
 * What the page's `<meta name="robots">` (or `name="agentos-crawler"`) asks of crawlers: `noindex` (keep it
 * out of the index) and `nofollow` (do not follow its links); `none` means both.
 */
export function robotsMeta(html: string): { noindex: boolean; nofollow: boolean } {
  const directives = new Set<string>();
  for (const match of withoutInertParts(html).matchAll(/<meta\b[^>]*>/gi)) {
    const tag = match[0];
    const name = /\sname\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/i.exec(tag);
    const value = (name?.[1] ?? name?.[2] ?? name?.[3] ?? '').trim().toLowerCase();
    if (value !== 'robots' && value !== 'agentos-crawler') continue;
    const content = /\scontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/i.exec(tag);
    for (const directive of (content?.[1] ?? content?.[2] ?? content?.[3] ?? '').split(','))
      directives.add(directive.trim().toLowerCase());
  }
  const none = directives.has('none');
  return { noindex: none || directives.has('noindex'), nofollow: none || directives.has('nofollow') };
}

/**
 * Absolute link URLs in document order (duplicates kept; the crawler de-duplicates after canonicalising).
 * Links marked `rel="nofollow"` are left out.
 */
export function extractLinks(html: string, pageUrl: URL): string[] {
  const text = withoutInertParts(html);
  let base = pageUrl;
  const baseTag = /<base\b[^>]*>/i.exec(text);
  const baseHref = baseTag === null ? undefined : hrefOf(baseTag[0]);
  if (baseHref !== undefined && baseHref !== '') {
    try {
      base = new URL(baseHref, pageUrl);
    } catch {
      // An unparseable <base> is ignored, as browsers do.
    }
  }
  const links: string[] = [];
  for (const match of text.matchAll(/<(?:a|area)\b[^>]*>/gi)) {
    if (/\srel\s*=\s*(?:"[^"]*\bnofollow\b[^"]*"|'[^']*\bnofollow\b[^']*'|nofollow\b)/i.test(match[0]))
      continue;
    const href = hrefOf(match[0]);
    if (href === undefined || href === '' || href.startsWith('#')) continue;
    try {
      links.push(new URL(href, base).toString());
    } catch {
      // Not a URL: nothing to follow.
    }
  }
  return links;
}
