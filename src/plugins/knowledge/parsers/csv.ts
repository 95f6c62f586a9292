import type { Block, ParsedDocument } from '../parsed-document.ts';

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. */
export function csvRecords(source: string, delimiter = ','): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  const text = source.replace(/^\uFEFF/, '');
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === delimiter) {
      record.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += char;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records.filter((r) => r.some((value) => value.trim() !== ''));
}

/**
 * A table as a document: the first record names the columns, each later one is a paragraph of
 * `header: value` lines (empty values left out), so rows chunk whole. CSV, XLSX sheets and Parquet read alike.
 */
export function recordsDocument(records: readonly (readonly string[])[]): ParsedDocument {
  const [header, ...rows] = records;
  if (header === undefined) return { blocks: [] };
  const names = header.map((name, index) => name.trim() || `column ${index + 1}`);
  const blocks: Block[] = rows.map((row) => ({
    kind: 'paragraph',
    text: row
      .map((value, index) => [names[index] ?? `column ${index + 1}`, value.trim()] as const)
      .filter(([, value]) => value !== '')
      .map(([name, value]) => `${name}: ${value}`)
      .join('\n'),
  }));
  return { blocks: blocks.filter((block) => block.text !== '') };
}

/** One paragraph per row, rendered as `header: value` lines (empty values left out), so rows chunk whole. */
export function parseCsv(source: string, delimiter = ','): ParsedDocument {
  return recordsDocument(csvRecords(source, delimiter));
}
