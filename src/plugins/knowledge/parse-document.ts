import type { ParsedDocument } from './parsed-document.ts';
import { paragraphsOf } from './parsed-document.ts';
import { parseCsv } from './parsers/csv.ts';
import { parseDocx } from './parsers/docx.ts';
import { parseHtml } from './parsers/html.ts';
import { parseMarkdown } from './parsers/markdown.ts';
import { parseParquet } from './parsers/parquet.ts';
import { parsePdf } from './parsers/pdf.ts';
import { parseXlsx } from './parsers/xlsx.ts';

export type ParseOutcome =
  | { ok: true; document: ParsedDocument }
  | { ok: false; code: string; message: string };

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function decodeText(content: Uint8Array): string {
  const text = new TextDecoder('utf-8').decode(content);
  // A NUL in the first kilobytes means binary data labelled as text.
  if (text.slice(0, 8_192).includes('\u0000'))
    throw new ParseFailure('parse.binary', 'The file is binary, not text');
  return text;
}

class ParseFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function parseBy(mediaType: string, content: Uint8Array): Promise<ParsedDocument> {
  switch (mediaType) {
    case 'text/markdown':
    case 'text/x-markdown':
      return parseMarkdown(decodeText(content));
    case 'text/plain':
      return { blocks: paragraphsOf(decodeText(content)) };
    case 'text/html':
    case 'application/xhtml+xml':
      return parseHtml(decodeText(content));
    case 'text/csv':
      return parseCsv(decodeText(content));
    case 'text/tab-separated-values':
      return parseCsv(decodeText(content), '\t');
    case 'application/pdf':
      return parsePdf(content);
    case DOCX:
      return parseDocx(content);
    case 'application/vnd.apache.parquet':
      return parseParquet(content).catch((error: unknown) => {
        throw new ParseFailure(
          'parse.invalid_parquet',
          `Not a readable Parquet file: ${(error as Error).message}`,
        );
      });
    case XLSX:
      return parseXlsx(content).catch((error: unknown) => {
        throw new ParseFailure(
          'parse.invalid_xlsx',
          `Not a readable .xlsx workbook: ${(error as Error).message}`,
        );
      });
    default:
      throw new ParseFailure('parse.unsupported_type', `No parser for ${mediaType}`);
  }
}

/** Parses a document by media type; a failure is a value with a stable code, never a thrown error. */
export async function parseDocument(mediaType: string, content: Uint8Array): Promise<ParseOutcome> {
  try {
    return { ok: true, document: await parseBy(mediaType, content) };
  } catch (error) {
    if (error instanceof ParseFailure) return { ok: false, code: error.code, message: error.message };
    const kind = mediaType === 'application/pdf' ? 'pdf' : mediaType === DOCX ? 'docx' : 'text';
    return {
      ok: false,
      code: `parse.${kind}_invalid`,
      message: `Could not parse this ${kind.toUpperCase()} document: ${(error as Error).message}`,
    };
  }
}
