import type { Role } from '../../core/identity/roles.ts';
import { roleAtLeast } from '../../core/identity/roles.ts';
import type { SqlClient, SqlParam } from '../../core/store/sql-client.ts';
import { type CedarEntity, runEntity } from './cedar/cedar-entities.ts';

/**
 * Who may read a run, once for gets and lists. The Cedar policies `default.runs_owner`, `default.runs_admins`
 * and `default.space_members_only` decide a single run; `runReadersSql` is the same rule as a SQL predicate,
 * so a list holds only runs a get would show (the list is then passed through Cedar as well, which adds any
 * workspace forbids). test/policy/run-access.test.ts checks the two agree on every run × viewer.
 *
 * The rule: a run belongs to the user it acts for, and a run that answers in a conversation is also readable
 * by whoever reads the conversation (its owner; everyone who sees the space it is shared with) — always while
 * they see the space of the agent version it runs; admins see every run of the workspace.
 */
export interface RunViewer {
  workspaceId: string;
  userId: string;
  role: Role;
  /** The spaces the viewer sees (space-repo `visibleSpaceIds`): the facts Cedar gets as the user's parents. */
  visibleSpaces: readonly string[];
}

/** A predicate over the runs table aliased `alias`, with its parameters numbered from `firstParam`. */
export interface SqlPredicate {
  sql: string;
  params: SqlParam[];
}

/** The space of the agent version a run executes, as SQL over `runs` aliased `alias`. */
export const runSpaceSql = (alias: string) =>
  `(SELECT v.definition->>'space' FROM agent_versions v
     WHERE v.agent_id = ${alias}.agent_id AND v.version = ${alias}.agent_version)`;

export function runReadersSql(viewer: RunViewer, alias: string, firstParam: number): SqlPredicate {
  if (roleAtLeast(viewer.role, 'admin')) {
    return { sql: `${alias}.workspace_id = $${firstParam}`, params: [viewer.workspaceId] };
  }
  const [workspace, user, spaces] = [firstParam, firstParam + 1, firstParam + 2];
  return {
    sql: `(${alias}.workspace_id = $${workspace}
      AND (${alias}.user_id = $${user} OR EXISTS (SELECT 1 FROM conversations c
        WHERE c.id = ${alias}.conversation_id AND c.deleted_at IS NULL
          AND (c.owner_id = $${user} OR c.space_id = ANY($${spaces}::text[]))))
      AND (${runSpaceSql(alias)} IS NULL OR ${runSpaceSql(alias)} = ANY($${spaces}::text[])))`,
    params: [viewer.workspaceId, viewer.userId, [...viewer.visibleSpaces]],
  };
}

interface RunFacts {
  id: string;
  workspaceId: string;
  agentId: string;
  userId: string | null;
}

/** The Cedar entities of these runs (one query for all of them), in the same order. */
export async function runResources(db: SqlClient, runs: readonly RunFacts[]): Promise<CedarEntity[]> {
  if (runs.length === 0) return [];
  const { rows } = await db.query<{
    id: string;
    space: string | null;
    conversation_owner: string | null;
    conversation_space: string | null;
  }>(
    `SELECT r.id, ${runSpaceSql('r')} AS space, c.owner_id AS conversation_owner, c.space_id AS conversation_space
     FROM runs r LEFT JOIN conversations c ON c.id = r.conversation_id AND c.deleted_at IS NULL
     WHERE r.id = ANY($1::text[])`,
    [runs.map((run) => run.id)],
  );
  const facts = new Map(rows.map((row) => [row.id, row]));
  return runs.map((run) => {
    const row = facts.get(run.id);
    return runEntity({
      ...run,
      space: row?.space ?? undefined,
      conversationOwner: row?.conversation_owner ?? undefined,
      conversationSpace: row?.conversation_space ?? undefined,
    });
  });
}
