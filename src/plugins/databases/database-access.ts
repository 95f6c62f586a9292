import { getAgentVersionById } from '../../core/agents/agent-repo.ts';
import { visibleSpaceIds } from '../../core/identity/space-repo.ts';
import { getMembershipRole } from '../../core/identity/user-repo.ts';
import type { Store } from '../../core/store/sql-client.ts';
import type { ToolCallContext } from '../../core/tools/tool.ts';
import { effectiveAgentDefinition } from '../skills/skill-resolution.ts';
import { DATABASE_COLUMNS, type DatabaseRow } from './database-source-repo.ts';

/**
 * The databases a call may query: granted to the run's agent (`databases` of its pinned version) AND seen by
 * the run's user (a database without a space is the workspace's; one in a space only for those who see the
 * space), looked up at every call, so a grant or a membership removed mid-run binds the next query.
 * A run with no user (a system run) has its agent's grants within the workspace.
 */
export async function queryableDatabases(
  store: Store,
  context: Pick<ToolCallContext, 'workspaceId' | 'userId' | 'runId'>,
): Promise<DatabaseRow[]> {
  const { rows: runs } = await store.query<{ agent_id: string; agent_version: number }>(
    'SELECT agent_id, agent_version FROM runs WHERE id = $1',
    [context.runId],
  );
  const run = runs[0];
  if (run === undefined) return [];
  const agent = await getAgentVersionById(store, run.agent_id, run.agent_version);
  const granted = (await effectiveAgentDefinition(store, agent, context.userId)).databases ?? [];
  if (granted.length === 0) return [];
  let spaces: string[] | undefined;
  if (context.userId !== null) {
    const role = await getMembershipRole(store, context.workspaceId, context.userId);
    if (role === undefined) return [];
    spaces = await visibleSpaceIds(store, { workspaceId: context.workspaceId, userId: context.userId, role });
  }
  const { rows } = await store.query<DatabaseRow>(
    `SELECT ${DATABASE_COLUMNS} FROM database_sources d
     WHERE d.workspace_id = $1 AND d.name = ANY($2::text[])
       AND ($3::text[] IS NULL OR d.space_id IS NULL OR d.space_id = ANY($3::text[]))
     ORDER BY d.name`,
    [context.workspaceId, granted, spaces ?? null],
  );
  return rows;
}
