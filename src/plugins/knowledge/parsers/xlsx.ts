import { Parser } from 'htmlparser2';
import JSZip from 'jszip';
import type { Block, ParsedDocument } from '../parsed-document.ts';
import { recordsDocument } from './csv.ts';

/**
 * The sheets of an Office Open XML workbook (.xlsx) as rows of cell texts: shared and inline strings, numbers
 * as written, booleans as TRUE/FALSE, a formula's cached value. Dates stay the serial numbers Excel stores
 * (their number format is not read). Gaps between cells are empty strings.
 */
export interface Sheet {
  name: string;
  rows: string[][];
}

export const MAX_SHEET_ROWS = 1_000_000;

type Element = { name: string; attributes: Record<string, string> };

/** Calls `open`, `text` and `close` for each element of an XML document. */
function walk(
  xml: string,
  on: { open?(e: Element): void; text?(text: string): void; close?(name: string): void },
): void {
  const parser = new Parser(
    {
      onopentag: (name, attributes) => on.open?.({ name, attributes }),
      ontext: (text) => on.text?.(text),
      onclosetag: (name) => on.close?.(name),
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(xml);
  parser.end();
}

function sharedStrings(xml: string | undefined): string[] {
  if (xml === undefined) return [];
  const strings: string[] = [];
  let current: string | undefined;
  let inText = false;
  walk(xml, {
    open: (e) => {
      if (e.name === 'si') current = '';
      else if (e.name === 't') inText = true;
    },
    text: (text) => {
      if (inText && current !== undefined) current += text;
    },
    close: (name) => {
      if (name === 't') inText = false;
      else if (name === 'si' && current !== undefined) {
        strings.push(current);
        current = undefined;
      }
    },
  });
  return strings;
}

/** `B12` → 1 (columns from 0). */
function columnOf(ref: string | undefined, fallback: number): number {
  const letters = /^([A-Z]+)/.exec(ref ?? '')?.[1];
  if (letters === undefined) return fallback;
  let index = 0;
  for (const letter of letters) index = index * 26 + (letter.charCodeAt(0) - 64);
  return index - 1;
}

function sheetRows(xml: string, strings: readonly string[]): string[][] {
  const rows: string[][] = [];
  let row: string[] | undefined;
  let cell: { column: number; type: string; value: string } | undefined;
  let capture = false;
  walk(xml, {
    open: (e) => {
      if (e.name === 'row') row = [];
      else if (e.name === 'c' && row !== undefined)
        cell = { column: columnOf(e.attributes.r, row.length), type: e.attributes.t ?? 'n', value: '' };
      else if ((e.name === 'v' || e.name === 't') && cell !== undefined) capture = true;
    },
    text: (text) => {
      if (capture && cell !== undefined) cell.value += text;
    },
    close: (name) => {
      if (name === 'v' || name === 't') capture = false;
      else if (name === 'c' && cell !== undefined && row !== undefined) {
        const value =
          cell.type === 's'
            ? (strings[Number(cell.value)] ?? '')
            : cell.type === 'b'
              ? cell.value === '1'
                ? 'TRUE'
                : 'FALSE'
              : cell.value;
        while (row.length < cell.column) row.push('');
        row[cell.column] = value;
        cell = undefined;
      } else if (name === 'row' && row !== undefined) {
        if (rows.length < MAX_SHEET_ROWS) rows.push(row);
        row = undefined;
      }
    },
  });
  const width = Math.max(0, ...rows.map((r) => r.length));
  return rows.map((r) => [...r, ...Array.from({ length: width - r.length }, () => '')]);
}

export async function readWorkbook(content: Uint8Array): Promise<Sheet[]> {
  const zip = await JSZip.loadAsync(content);
  const text = (path: string) => zip.file(path)?.async('string');
  const workbook = await text('xl/workbook.xml');
  if (workbook === undefined) throw new Error('not an .xlsx workbook (no xl/workbook.xml)');
  const rels = (await text('xl/_rels/workbook.xml.rels')) ?? '';
  const targets = new Map<string, string>();
  walk(rels, {
    open: (e) => {
      if (e.name === 'Relationship' && e.attributes.Id !== undefined && e.attributes.Target !== undefined)
        targets.set(e.attributes.Id, e.attributes.Target.replace(/^\/?xl\//, '').replace(/^\//, ''));
    },
  });
  const declared: Array<{ name: string; target: string }> = [];
  walk(workbook, {
    open: (e) => {
      const rid = e.attributes['r:id'];
      if (e.name === 'sheet' && rid !== undefined && targets.has(rid))
        declared.push({
          name: e.attributes.name ?? `Sheet${declared.length + 1}`,
          target: targets.get(rid)!,
        });
    },
  });
  const strings = sharedStrings(await text('xl/sharedStrings.xml'));
  const sheets: Sheet[] = [];
  for (const sheet of declared) {
    const xml = await text(`xl/${sheet.target}`);
    if (xml !== undefined) sheets.push({ name: sheet.name, rows: sheetRows(xml, strings) });
  }
  return sheets;
}

/** Each sheet a heading, each row a paragraph of `header: value` lines (as CSV rows are). */
export async function parseXlsx(content: Uint8Array): Promise<ParsedDocument> {
  const blocks: Block[] = [];
  for (const sheet of await readWorkbook(content)) {
    const records = sheet.rows.filter((row) => row.some((value) => value.trim() !== ''));
    if (records.length === 0) continue;
    blocks.push({ kind: 'heading', level: 2, text: sheet.name }, ...recordsDocument(records).blocks);
  }
  return { blocks };
}
