import { Parser } from 'htmlparser2';
import type { Block, ParsedDocument } from '../parsed-document.ts';

/** Elements whose text is never content (the title is kept as the document's title). */
const SKIPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'head',
  'title',
  'iframe',
  'object',
]);
/** Elements that end a paragraph. */
const BREAKS = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'header',
  'footer',
  'aside',
  'nav',
  'li',
  'ul',
  'ol',
  'dl',
  'dt',
  'dd',
  'table',
  'tr',
  'blockquote',
  'figure',
  'figcaption',
  'form',
  'br',
  'hr',
  'body',
]);

/**
 * Visible text of an HTML page in blocks: `<h1>`–`<h6>` become headings, `<pre>` code, block elements end
 * paragraphs; scripts, styles and the head (except `<title>`) are dropped. Entities are decoded.
 */
export function parseHtml(source: string): ParsedDocument {
  const blocks: Block[] = [];
  let text = '';
  let skipDepth = 0;
  let headingLevel = 0;
  let preDepth = 0;
  let inTitle = false;
  let title = '';
  const flush = () => {
    const value = preDepth > 0 ? text.replace(/^\n+|\s+$/g, '') : text.replace(/\s+/g, ' ').trim();
    text = '';
    if (value === '') return;
    if (headingLevel > 0) blocks.push({ kind: 'heading', level: headingLevel, text: value });
    else if (preDepth > 0) blocks.push({ kind: 'code', text: value });
    else blocks.push({ kind: 'paragraph', text: value });
  };
  const parser = new Parser(
    {
      onopentag(name) {
        if (name === 'title') inTitle = true;
        if (SKIPPED.has(name)) skipDepth++;
        if (skipDepth > 0) return;
        const heading = /^h([1-6])$/.exec(name);
        if (heading?.[1] !== undefined) {
          flush();
          headingLevel = Number(heading[1]);
        } else if (name === 'pre') {
          flush();
          preDepth++;
        } else if (BREAKS.has(name)) {
          if (preDepth > 0) text += '\n';
          else flush();
        } else if (name === 'td' || name === 'th') text += ' ';
      },
      ontext(data) {
        if (inTitle) title += data;
        if (skipDepth === 0) text += data;
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
        if (SKIPPED.has(name)) {
          skipDepth = Math.max(0, skipDepth - 1);
          return;
        }
        if (skipDepth > 0) return;
        if (/^h[1-6]$/.test(name) && headingLevel > 0) {
          flush();
          headingLevel = 0;
        } else if (name === 'pre' && preDepth > 0) {
          flush();
          preDepth--;
        } else if (BREAKS.has(name) && preDepth === 0) flush();
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(source);
  parser.end();
  flush();
  const named = title.replace(/\s+/g, ' ').trim();
  const first = blocks.find((block) => block.kind === 'heading' && block.level === 1);
  const resolved = named !== '' ? named : first?.text;
  return resolved === undefined ? { blocks } : { title: resolved, blocks };
}
