/**
 * What every parser produces: the document's structure as a flat list of blocks. The chunker cuts along
 * it (a heading opens a section; paragraphs, code blocks and table rows are never split when they fit).
 */
export type Block =
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'code'; text: string };

export interface ParsedDocument {
  /** The title the content names (a first-level heading, an HTML `<title>`), if any. */
  title?: string;
  blocks: Block[];
}

/** Splits plain text into paragraphs at blank lines, whitespace inside a paragraph kept as written. */
export function paragraphsOf(text: string): Block[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n+/)
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => ({ kind: 'paragraph' as const, text: part }));
}
