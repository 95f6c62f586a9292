/**
 * Path globs for a git source's `include`: `*` and `?` stay inside one path segment, `**` spans any
 * number of segments, `{a,b}` is either. A pattern without `/` matches the file name at any depth
 * (`*.md`), as in .gitignore.
 */
function globSource(pattern: string): string {
  let source = '';
  let braces = 0;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*' && pattern[i + 1] === '*') {
      const slashAfter = pattern[i + 2] === '/';
      source += slashAfter ? '(?:.*/)?' : '.*';
      i += slashAfter ? 2 : 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '{') {
      braces++;
      source += '(?:';
    } else if (char === '}' && braces > 0) {
      braces--;
      source += ')';
    } else if (char === ',' && braces > 0) source += '|';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return source + ')'.repeat(braces);
}

export function globMatcher(patterns: readonly string[]): (path: string) => boolean {
  const matchers = patterns.map((pattern) => {
    const anchored = pattern.replace(/^\/+/, '');
    const source = anchored.includes('/') ? globSource(anchored) : `(?:.*/)?${globSource(anchored)}`;
    return new RegExp(`^${source}$`);
  });
  return (path) => matchers.some((matcher) => matcher.test(path));
}
