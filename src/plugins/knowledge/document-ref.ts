import { createHash } from 'node:crypto';
import { toStorable } from '../../core/store/storable-text.ts';
import type { ConnectorItem } from './connector.ts';

/** knowledge_documents is unique on (source_id, ref): a btree entry holds ~2,700 bytes at most. */
export const MAX_REF_BYTES = 2_000;
const DIGEST_BYTES = 80;

/**
 * A connector's item as the store will hold it: text cleaned of NULs and lone surrogates, and a ref over
 * MAX_REF_BYTES (a very long URL, an MCP resource URI) cut and suffixed with its SHA-256, so it stays
 * unique and stable from one sync to the next. The location, shown in citations, keeps the whole address.
 */
export function storableItem(listed: ConnectorItem): ConnectorItem {
  const item = toStorable(listed);
  return Buffer.byteLength(item.ref) <= MAX_REF_BYTES ? item : { ...item, ref: shortenedRef(item.ref) };
}

function shortenedRef(ref: string): string {
  const digest = createHash('sha256').update(ref).digest('hex');
  let prefix = '';
  let bytes = 0;
  for (const char of ref) {
    bytes += Buffer.byteLength(char);
    if (bytes > MAX_REF_BYTES - DIGEST_BYTES) break;
    prefix += char;
  }
  return `${prefix}…#sha256:${digest}`;
}
