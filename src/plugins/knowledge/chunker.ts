import type { Block, ParsedDocument } from './parsed-document.ts';

/** A piece of a document small enough to retrieve and cite, with the headings above it. */
export interface Chunk {
  ordinal: number;
  /** The heading trail, e.g. `Guide > Install > Linux` ('' before the first heading). */
  section: string;
  text: string;
}

export interface ChunkOptions {
  /** Target size in characters (~500 tokens of English at 2,000). */
  maxChars: number;
}

export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { maxChars: 2_000 };

/** Cuts an oversized block: code at line ends, prose at sentence ends, anything else where it must. */
function splitOversized(block: Exclude<Block, { kind: 'heading' }>, maxChars: number): string[] {
  const units =
    block.kind === 'code'
      ? block.text.split(/(?<=\n)/)
      : block.text.split(/(?<=[.!?])\s+|(?<=\n)/).filter((unit) => unit !== '');
  const pieces: string[] = [];
  let current = '';
  const separator = block.kind === 'code' ? '' : ' ';
  for (const unit of units.flatMap((u) =>
    u.length <= maxChars ? [u] : (u.match(new RegExp(`[\\s\\S]{1,${maxChars}}`, 'g')) ?? []),
  )) {
    if (current !== '' && current.length + separator.length + unit.length > maxChars) {
      pieces.push(current.trimEnd());
      current = '';
    }
    current = current === '' ? unit : `${current}${separator}${unit}`;
  }
  if (current.trim() !== '') pieces.push(current.trimEnd());
  return pieces;
}

/**
 * Chunks along the document's structure: every heading starts a new section (and chunk); within a section
 * paragraphs, code blocks and rows are packed up to `maxChars`, never split when they fit, and the last
 * block of a full chunk is repeated at the start of the next one (overlap, so a passage that straddles the
 * cut is whole in one of them).
 */
export function chunkDocument(
  document: ParsedDocument,
  options: ChunkOptions = DEFAULT_CHUNK_OPTIONS,
): Chunk[] {
  const { maxChars } = options;
  const chunks: Chunk[] = [];
  const trail: string[] = [];
  let parts: string[] = [];
  let size = 0;
  let fresh = 0;
  const section = () => trail.filter((heading) => heading !== undefined && heading !== '').join(' > ');
  const emit = () => {
    if (fresh > 0) chunks.push({ ordinal: chunks.length, section: section(), text: parts.join('\n\n') });
  };
  const reset = (carry: string[]) => {
    parts = carry;
    size = carry.reduce((total, part) => total + part.length + 2, 0);
    fresh = 0;
  };
  for (const block of document.blocks) {
    if (block.kind === 'heading') {
      emit();
      reset([]);
      trail.length = Math.min(trail.length, block.level - 1);
      while (trail.length < block.level - 1) trail.push('');
      trail.push(block.text);
      continue;
    }
    const pieces = block.text.length > maxChars ? splitOversized(block, maxChars) : [block.text];
    for (const piece of pieces) {
      if (size + piece.length > maxChars && parts.length > 0) {
        if (fresh > 0) {
          emit();
          const last = parts.at(-1) ?? '';
          reset(last.length + piece.length + 2 <= maxChars ? [last] : []);
        } else reset([]);
      }
      parts.push(piece);
      size += piece.length + 2;
      fresh++;
    }
  }
  emit();
  return chunks;
}
