import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../src/plugins/knowledge/chunker.ts';
import { resolveMediaType } from '../../src/plugins/knowledge/media-type.ts';
import { parseDocument } from '../../src/plugins/knowledge/parse-document.ts';
import { csvRecords } from '../../src/plugins/knowledge/parsers/csv.ts';
import { parseHtml } from '../../src/plugins/knowledge/parsers/html.ts';
import { parseMarkdown } from '../../src/plugins/knowledge/parsers/markdown.ts';

describe('structure-aware chunking', () => {
  it('gives every chunk its heading trail, resetting deeper levels at a sibling heading', () => {
    const doc = parseMarkdown(
      '# Guide\nIntro.\n## Install\n### Linux\nApt.\n### macOS\nBrew.\n## Use\nRun it.',
    );
    expect(chunkDocument(doc).map((c) => [c.section, c.text])).toEqual([
      ['Guide', 'Intro.'],
      ['Guide > Install > Linux', 'Apt.'],
      ['Guide > Install > macOS', 'Brew.'],
      ['Guide > Use', 'Run it.'],
    ]);
  });

  it('keeps a fenced code block whole (a # line inside it is not a heading) and packs paragraphs up to the size', () => {
    const code = '```py\n# not a heading\nprint(1)\n\nprint(2)\n```';
    const doc = parseMarkdown(`# Code\n\n${'a'.repeat(30)}\n\n${code}\n\n${'b'.repeat(30)}`);
    expect(doc.blocks.filter((b) => b.kind === 'heading')).toHaveLength(1);
    const chunks = chunkDocument(doc, { maxChars: 80 });
    expect(chunks.some((c) => c.text.includes(code))).toBe(true);
    expect(chunks.every((c) => c.text.length <= 80)).toBe(true);
  });

  it('carries the last paragraph of a full chunk into the next one (overlap)', () => {
    const paragraphs = ['one '.repeat(10).trim(), 'two '.repeat(10).trim(), 'three '.repeat(8).trim()];
    const chunks = chunkDocument(
      { blocks: paragraphs.map((text) => ({ kind: 'paragraph', text })) },
      { maxChars: 100 },
    );
    expect(chunks.map((c) => c.text)).toEqual([
      `${paragraphs[0]}\n\n${paragraphs[1]}`,
      `${paragraphs[1]}\n\n${paragraphs[2]}`,
    ]);
  });

  it('splits an oversized paragraph at sentence ends and an oversized code block at line ends', () => {
    const sentences = Array.from({ length: 20 }, (_, i) => `Sentence number ${i} ends here.`).join(' ');
    const prose = chunkDocument({ blocks: [{ kind: 'paragraph', text: sentences }] }, { maxChars: 200 });
    expect(prose.length).toBeGreaterThan(3);
    expect(prose.every((c) => c.text.length <= 200 && c.text.endsWith('.'))).toBe(true);
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n');
    const code = chunkDocument({ blocks: [{ kind: 'code', text: lines }] }, { maxChars: 100 });
    expect(code.every((c) => c.text.length <= 100)).toBe(true);
    expect(code[0]?.text.startsWith('line 0\nline 1\n')).toBe(true);
  });
});

describe('parsers', () => {
  it('reads HTML headings, pre blocks and entities, without scripts or styles', () => {
    const doc = parseHtml(
      '<title>T</title><style>p{}</style><h2>Setup &amp; run</h2><p>Hello<br>world</p><pre>a\n  b</pre><script>evil()</script>',
    );
    expect(doc).toEqual({
      title: 'T',
      blocks: [
        { kind: 'heading', level: 2, text: 'Setup & run' },
        { kind: 'paragraph', text: 'Hello' },
        { kind: 'paragraph', text: 'world' },
        { kind: 'code', text: 'a\n  b' },
      ],
    });
  });

  it('reads CSV with quoted commas, doubled quotes and line breaks, one header: value paragraph per row', async () => {
    expect(csvRecords('a,b\n"x, y","say ""hi""\nthere"\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"\nthere'],
    ]);
    const outcome = await parseDocument(
      'text/csv',
      new TextEncoder().encode('name,role\nAda,engineer\nBo,\n'),
    );
    expect(outcome).toEqual({
      ok: true,
      document: {
        blocks: [
          { kind: 'paragraph', text: 'name: Ada\nrole: engineer' },
          { kind: 'paragraph', text: 'name: Bo' },
        ],
      },
    });
  });

  it('reports unsupported, binary and corrupt documents as failures with codes', async () => {
    expect(await parseDocument('image/png', new Uint8Array([1]))).toMatchObject({
      ok: false,
      code: 'parse.unsupported_type',
    });
    expect(await parseDocument('text/plain', new Uint8Array([104, 0, 105]))).toMatchObject({
      ok: false,
      code: 'parse.binary',
    });
    expect(
      await parseDocument(resolveMediaType('memo.docx'), new TextEncoder().encode('not a zip')),
    ).toMatchObject({
      ok: false,
      code: 'parse.docx_invalid',
    });
    expect(resolveMediaType('text/HTML; charset=utf-8')).toBe('text/html');
    expect(resolveMediaType('notes/Read Me.MD')).toBe('text/markdown');
  });
});
