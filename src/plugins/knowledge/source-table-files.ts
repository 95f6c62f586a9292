import type { Store } from '../../core/store/sql-client.ts';
import type { ToolCallContext } from '../../core/tools/tool.ts';
import { searchableSources } from './knowledge-tool.ts';

/**
 * The table documents (CSV, TSV, XLSX, Parquet) of the knowledge sources a call may search — granted to the
 * agent, readable by the run's user, inside the boundary (knowledge-tool.ts's rule, asked at every call) —
 * with their bytes, each named by its source and title for `query_files`.
 */
export async function sourceTableFiles(
  store: Store,
  context: Pick<ToolCallContext, 'workspaceId' | 'userId' | 'runId'>,
): Promise<Array<{ id: string; name: string; mediaType: string; content: Uint8Array; source: string }>> {
  const sources = await searchableSources(store, context);
  if (sources.length === 0) return [];
  const { rows } = await store.query<{
    id: string;
    title: string;
    media_type: string;
    content: Uint8Array;
    source: string;
  }>(
    `SELECT d.id, d.title, d.media_type, c.content, s.name AS source FROM knowledge_documents d
       JOIN knowledge_document_content c ON c.document_id = d.id
       JOIN knowledge_sources s ON s.id = d.source_id
     WHERE d.source_id = ANY($1::text[]) AND d.status = 'ok'
     ORDER BY s.name, d.title, d.id`,
    [sources.map((source) => source.id)],
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.title,
    mediaType: row.media_type,
    content: row.content,
    source: row.source,
  }));
}
