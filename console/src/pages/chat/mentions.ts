/** `@name` mentions in a message: which one the caret is typing, completing it, and those that name agents. */

const MENTION = /(?:^|\s)@([a-z0-9][a-z0-9_-]*)/gi;

/** The partial `@name` just before the caret (`start` is the `@`), or undefined when the caret is elsewhere. */
export function mentionAtCaret(text: string, caret: number): { start: number; query: string } | undefined {
  const match = /(?:^|\s)@([a-z0-9_-]*)$/i.exec(text.slice(0, caret));
  if (match === null) return undefined;
  const query = match[1] ?? '';
  return { start: caret - query.length - 1, query };
}

/** The text with the partial mention at `start` replaced by `@name `, and where the caret goes after it. */
export function completeMention(
  text: string,
  start: number,
  caret: number,
  name: string,
): { text: string; caret: number } {
  const inserted = `@${name} `;
  const rest = text.slice(caret).replace(/^[a-z0-9_-]*\s?/i, '');
  return { text: text.slice(0, start) + inserted + rest, caret: start + inserted.length };
}

/** The agents the text mentions, in order, once each (a word after `@` that names no agent is just a word). */
export function mentionedAgents(text: string, agentNames: readonly string[]): string[] {
  const known = new Set(agentNames);
  const found: string[] = [];
  for (const match of text.matchAll(MENTION)) {
    const name = match[1];
    if (name !== undefined && known.has(name) && !found.includes(name)) found.push(name);
  }
  return found;
}
