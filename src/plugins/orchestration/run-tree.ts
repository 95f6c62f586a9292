import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { RunStatus } from '../../core/kernel/run-record.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';

export interface RunTreeNode {
  id: string;
  agentId: string;
  status: RunStatus;
  depth: number;
  parentRunId: string | null;
  createdAt: Date;
  children: RunTreeNode[];
}

interface TreeRow {
  id: string;
  agent_id: string;
  status: RunStatus;
  depth: number;
  parent_run_id: string | null;
  created_at: Date;
}

/** The run and every run it started through run_agent, recursively. */
export async function getRunTree(db: SqlClient, workspaceId: string, runId: string): Promise<RunTreeNode> {
  const { rows } = await db.query<TreeRow>(
    `WITH RECURSIVE tree AS (
       SELECT id, agent_id, status, depth, parent_run_id, created_at FROM runs WHERE id = $1 AND workspace_id = $2
       UNION ALL
       SELECT r.id, r.agent_id, r.status, r.depth, r.parent_run_id, r.created_at
       FROM runs r JOIN tree ON r.parent_run_id = tree.id
     )
     SELECT * FROM tree ORDER BY depth, created_at, id`,
    [runId, workspaceId],
  );
  const nodes = new Map<string, RunTreeNode>();
  for (const row of rows) {
    const node: RunTreeNode = {
      id: row.id,
      agentId: row.agent_id,
      status: row.status,
      depth: row.depth,
      parentRunId: row.parent_run_id,
      createdAt: row.created_at,
      children: [],
    };
    nodes.set(row.id, node);
    if (row.id !== runId && row.parent_run_id !== null) nodes.get(row.parent_run_id)?.children.push(node);
  }
  const root = nodes.get(runId);
  if (root === undefined) throw new AgentOsError('run.not_found', `No run "${runId}" in this workspace`);
  return root;
}
