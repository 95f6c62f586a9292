import type { SqlClient } from '../store/sql-client.ts';
import type { AuditActor } from './audit-entry.ts';
import { appendAudit } from './audit-log.ts';

/**
 * Records a step of a run inside the transaction that commits it. The actor is the run's agent acting
 * on behalf of the person who submitted it, or (`by: 'submitter'`) that person. `data` is metadata only.
 */
export async function appendRunAudit(
  tx: SqlClient,
  runId: string,
  action: string,
  data: Record<string, unknown>,
  by: 'agent' | 'submitter' = 'agent',
): Promise<void> {
  const { rows } = await tx.query<{ workspace_id: string; agent_id: string; user_id: string | null }>(
    'SELECT workspace_id, agent_id, user_id FROM runs WHERE id = $1',
    [runId],
  );
  const run = rows[0];
  const userId = run?.user_id ?? null;
  const actor: AuditActor =
    by === 'submitter'
      ? { type: userId === null ? 'system' : 'user', id: userId ?? 'system' }
      : { type: 'agent', id: run?.agent_id ?? 'unknown', ...(userId === null ? {} : { onBehalfOf: userId }) };
  return appendAudit(tx, {
    workspaceId: run?.workspace_id ?? null,
    actor,
    action,
    resource: { type: 'run', id: runId },
    data: { ...(by === 'submitter' ? { agentId: run?.agent_id } : {}), ...data },
  });
}
