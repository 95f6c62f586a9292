import { appendAudit } from '../../core/audit-log/audit-log.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { RunChecks } from '../../core/kernel/run-record.ts';
import { newId } from '../../core/store/ids.ts';
import { jsonParam, type SqlClient, type Store } from '../../core/store/sql-client.ts';

/** A run whose answer failed its online checks, put in front of a person (its user, or an admin). */
export interface CheckEscalation {
  id: string;
  runId: string;
  agentId: string;
  userId: string | null;
  failures: RunChecks['failures'];
  status: 'open' | 'resolved';
  resolvedBy: string | null;
  resolution: string | null;
  createdAt: Date;
  resolvedAt: Date | null;
}

interface EscalationRow {
  id: string;
  run_id: string;
  agent_id: string;
  user_id: string | null;
  failures: RunChecks['failures'];
  status: 'open' | 'resolved';
  resolved_by: string | null;
  resolution: string | null;
  created_at: Date;
  resolved_at: Date | null;
}

const COLUMNS =
  'id, run_id, agent_id, user_id, failures, status, resolved_by, resolution, created_at, resolved_at';

const toEscalation = (row: EscalationRow): CheckEscalation => ({
  id: row.id,
  runId: row.run_id,
  agentId: row.agent_id,
  userId: row.user_id,
  failures: row.failures,
  status: row.status,
  resolvedBy: row.resolved_by,
  resolution: row.resolution,
  createdAt: row.created_at,
  resolvedAt: row.resolved_at,
});

/** One escalation per run: a run re-driven after a crash finds the one it already opened. */
export async function openEscalation(
  db: SqlClient,
  run: { id: string; workspaceId: string; agentId: string; userId: string | null },
  failures: RunChecks['failures'],
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO check_escalations (id, workspace_id, run_id, agent_id, user_id, failures)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (run_id) DO NOTHING RETURNING id`,
    [newId('esc'), run.workspaceId, run.id, run.agentId, run.userId, jsonParam(failures)],
  );
  if (rows[0] !== undefined) return rows[0].id;
  const existing = await db.query<{ id: string }>('SELECT id FROM check_escalations WHERE run_id = $1', [
    run.id,
  ]);
  return existing.rows[0]!.id;
}

export interface Reviewer {
  workspaceId: string;
  userId: string;
  isAdmin: boolean;
}

/** Open escalations of the reviewer's runs (an admin's: the workspace's). */
export async function listEscalations(
  db: SqlClient,
  reviewer: Reviewer,
  status: 'open' | 'resolved' | undefined,
): Promise<CheckEscalation[]> {
  const { rows } = await db.query<EscalationRow>(
    `SELECT ${COLUMNS} FROM check_escalations WHERE workspace_id = $1 AND ($2 OR user_id = $3)
       AND ($4::text IS NULL OR status = $4)
     ORDER BY created_at, id`,
    [reviewer.workspaceId, reviewer.isAdmin, reviewer.userId, status ?? null],
  );
  return rows.map(toEscalation);
}

/** The run's user or an admin closes the escalation with what they concluded. */
export async function resolveEscalation(
  db: Store,
  reviewer: Reviewer,
  id: string,
  resolution: string,
): Promise<CheckEscalation> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<EscalationRow>(
      `SELECT ${COLUMNS} FROM check_escalations WHERE id = $1 AND workspace_id = $2 FOR UPDATE`,
      [id, reviewer.workspaceId],
    );
    const row = rows[0];
    if (row === undefined) throw new AgentOsError('resource.not_found', `No escalation "${id}"`);
    if (!reviewer.isAdmin && row.user_id !== reviewer.userId) {
      // Another user's escalation is about their run, which does not exist for the caller.
      throw new AgentOsError('resource.not_found', `No escalation "${id}"`);
    }
    if (row.status !== 'open')
      throw new AgentOsError('resource.conflict', `Escalation ${id} is already resolved`);
    const updated = await tx.query<EscalationRow>(
      `UPDATE check_escalations SET status = 'resolved', resolved_by = $2, resolution = $3, resolved_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, reviewer.userId, resolution],
    );
    await appendAudit(tx, {
      workspaceId: reviewer.workspaceId,
      actor: { type: 'user', id: reviewer.userId },
      action: 'escalation.resolve',
      resource: { type: 'run', id: row.run_id },
      data: { escalationId: id },
    });
    return toEscalation(updated.rows[0]!);
  });
}
