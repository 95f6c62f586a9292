/**
 * robots.txt as RFC 9309 reads it: groups of `User-agent` lines followed by `Allow`/`Disallow` rules;
 * the groups naming our product token apply (merged), else the `*` groups; the longest matching rule
 * wins, `Allow` on a tie; `*` matches any run of characters and a final `$` anchors at the end.
 */

interface RobotsRule {
  allow: boolean;
  pattern: string;
  matcher: RegExp;
}

export interface RobotsPolicy {
  /** Whether `pathAndQuery` (e.g. `/docs/a?x=1`) may be fetched. */
  allows(pathAndQuery: string): boolean;
}

/** Allows everything: no robots.txt (a 4xx), or no group that applies. */
export const ALLOW_ALL: RobotsPolicy = { allows: () => true };

/** Forbids everything: robots.txt could not be fetched (a 5xx or a network failure). */
export const DISALLOW_ALL: RobotsPolicy = { allows: (path) => path === '/robots.txt' };

/** Decodes percent-escapes of unreserved characters so `/%7Efoo` and `/~foo` compare equal. */
function normalisePath(path: string): string {
  return path.replace(/%([0-9A-Fa-f]{2})/g, (sequence, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(char) ? char : sequence.toUpperCase();
  });
}

function compile(pattern: string): RegExp {
  const anchored = pattern.endsWith('$');
  const body = anchored ? pattern.slice(0, -1) : pattern;
  const source = body
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}${anchored ? '$' : ''}`);
}

interface Group {
  agents: string[];
  rules: RobotsRule[];
}

function parseGroups(text: string): Group[] {
  const groups: Group[] = [];
  let current: Group | undefined;
  let lastWasAgent = false;
  for (const rawLine of text.split(/\r\n|\r|\n/)) {
    const line = rawLine.replace(/#.*$/, '').trim();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const field = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (field === 'user-agent') {
      if (current === undefined || !lastWasAgent) {
        current = { agents: [], rules: [] };
        groups.push(current);
      }
      // `AgentOS-Crawler/1.0` names the product token `agentos-crawler`.
      current.agents.push((value.split(/[\s/]/)[0] ?? '').toLowerCase());
      lastWasAgent = true;
    } else if (field === 'allow' || field === 'disallow') {
      lastWasAgent = false;
      // An empty `Disallow:` is no rule; rules before any `User-agent` belong to no group.
      if (current === undefined || value === '') continue;
      const pattern = normalisePath(value.startsWith('/') || value.startsWith('*') ? value : `/${value}`);
      current.rules.push({ allow: field === 'allow', pattern, matcher: compile(pattern) });
    } else {
      // Other fields (Sitemap, Crawl-delay, …) neither end a group nor belong to it.
      lastWasAgent = false;
    }
  }
  return groups;
}

/** The policy for a crawler whose product token is `productToken` (e.g. `AgentOS-Crawler`). */
export function parseRobotsTxt(text: string, productToken: string): RobotsPolicy {
  const token = productToken.toLowerCase();
  const groups = parseGroups(text);
  const ours = groups.filter((group) => group.agents.includes(token));
  const chosen = ours.length > 0 ? ours : groups.filter((group) => group.agents.includes('*'));
  const rules = chosen.flatMap((group) => group.rules);
  if (rules.length === 0) return ALLOW_ALL;
  return {
    allows(pathAndQuery) {
      const path = normalisePath(pathAndQuery);
      if (path === '/robots.txt') return true;
      let best: RobotsRule | undefined;
      for (const rule of rules) {
        if (!rule.matcher.test(path)) continue;
        const longer = best === undefined || rule.pattern.length > best.pattern.length;
        const tieAllow = best !== undefined && rule.pattern.length === best.pattern.length && rule.allow;
        if (longer || tieAllow) best = rule;
      }
      return best?.allow ?? true;
    },
  };
}
