import { extractText, getDocumentProxy } from 'unpdf';
import { type Block, type ParsedDocument, paragraphsOf } from '../parsed-document.ts';

/** The text of every page (PDF.js through `unpdf`); pages become paragraphs, split at blank lines. */
export async function parsePdf(content: Uint8Array): Promise<ParsedDocument> {
  // PDF.js takes ownership of (and may detach) the buffer it is given: hand it a copy.
  const pdf = await getDocumentProxy(new Uint8Array(content), { verbosity: 0 });
  try {
    const { text } = await extractText(pdf, { mergePages: false });
    const blocks: Block[] = text.flatMap((page) => paragraphsOf(page));
    return { blocks };
  } finally {
    await pdf.destroy();
  }
}
