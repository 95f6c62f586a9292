import { createHash } from 'node:crypto';
import { AgentOsError } from '../errors/agent-os-error.ts';
import type { SqlClient } from '../store/sql-client.ts';

/** A tool output too large for the conversation, kept whole for people and later tools. */
export interface Artefact {
  id: string;
  workspaceId: string;
  runId: string | null;
  tool: string | null;
  bytes: number;
  content: unknown;
  createdAt: Date;
}

interface ArtefactRow {
  id: string;
  workspace_id: string;
  run_id: string | null;
  tool: string | null;
  bytes: number;
  content: string;
  created_at: Date;
}

/** The same call on every attempt gets the same artefact id, so a re-run overwrites instead of adding one. */
export const artefactIdFor = (idempotencyKey: string): string =>
  `art_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}`;

/** Stores the JSON text as is (text, not jsonb: exact bytes, and NUL characters survive). */
export async function saveArtefact(
  db: SqlClient,
  input: { id: string; workspaceId: string; runId: string | null; tool: string | null; json: string },
): Promise<void> {
  await db.query(
    `INSERT INTO artefacts (id, workspace_id, run_id, tool, bytes, content) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO UPDATE SET content = EXCLUDED.content, bytes = EXCLUDED.bytes`,
    [input.id, input.workspaceId, input.runId, input.tool, Buffer.byteLength(input.json), input.json],
  );
}

export async function getArtefact(db: SqlClient, workspaceId: string, id: string): Promise<Artefact> {
  const { rows } = await db.query<ArtefactRow>(
    `SELECT id, workspace_id, run_id, tool, bytes, content, created_at FROM artefacts
     WHERE id = $1 AND workspace_id = $2`,
    [id, workspaceId],
  );
  const row = rows[0];
  if (row === undefined)
    throw new AgentOsError('resource.not_found', `No artefact "${id}" in this workspace`);
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    runId: row.run_id,
    tool: row.tool,
    bytes: row.bytes,
    content: JSON.parse(row.content),
    createdAt: row.created_at,
  };
}
