import mammoth from 'mammoth';
import type { ParsedDocument } from '../parsed-document.ts';
import { parseHtml } from './html.ts';

/** Word documents through `mammoth`'s semantic HTML (headings stay headings), then the HTML parser. */
export async function parseDocx(content: Uint8Array): Promise<ParsedDocument> {
  const { value } = await mammoth.convertToHtml({ buffer: Buffer.from(content) });
  return parseHtml(value);
}
