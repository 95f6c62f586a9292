import type { Block, ParsedDocument } from '../parsed-document.ts';

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const FRONT_MATTER = /^---\r?\n[\s\S]*?\r?\n---\r?\n/;

/** CommonMark's block structure as far as chunking needs it: ATX headings, fenced code, paragraphs. */
export function parseMarkdown(source: string): ParsedDocument {
  const lines = source.replace(FRONT_MATTER, '').replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    const text = paragraph.join('\n').trim();
    if (text !== '') blocks.push({ kind: 'paragraph', text });
    paragraph = [];
  };
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const fence = FENCE.exec(line);
    if (fence?.[1] !== undefined) {
      flush();
      const marker = fence[1];
      const code = [line];
      for (index++; index < lines.length; index++) {
        const inner = lines[index] ?? '';
        code.push(inner);
        if (inner.trim().startsWith(marker) && inner.trim().replace(/[`~]/g, '') === '') break;
      }
      blocks.push({ kind: 'code', text: code.join('\n') });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading?.[1] !== undefined) {
      flush();
      const text = (heading[2] ?? '').trim();
      if (text !== '') blocks.push({ kind: 'heading', level: heading[1].length, text });
      continue;
    }
    if (line.trim() === '') flush();
    else paragraph.push(line);
  }
  flush();
  const first = blocks.find((block) => block.kind === 'heading' && block.level === 1);
  return first === undefined ? { blocks } : { title: first.text, blocks };
}
