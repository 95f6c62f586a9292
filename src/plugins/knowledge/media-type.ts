import { extname } from 'node:path';

const BY_EXTENSION: Record<string, string> = {
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.mdx': 'text/markdown',
  '.txt': 'text/plain',
  '.text': 'text/plain',
  '.rst': 'text/plain',
  '.log': 'text/plain',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.xhtml': 'text/html',
  '.pdf': 'application/pdf',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.parquet': 'application/vnd.apache.parquet',
};

export const PARSEABLE_EXTENSIONS: readonly string[] = Object.keys(BY_EXTENSION);

/** A media type as given (parameters dropped, lower-cased), or guessed from a file name's extension. */
export function resolveMediaType(typeOrName: string): string {
  const essence = (typeOrName.split(';')[0] ?? '').trim();
  if (/^[a-z]+\/[a-z0-9.+-]+$/i.test(essence)) return essence.toLowerCase();
  return BY_EXTENSION[extname(typeOrName).toLowerCase()] ?? 'application/octet-stream';
}
