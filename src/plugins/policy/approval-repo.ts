import { randomBytes } from 'node:crypto';
import { appendAudit } from '../../core/audit-log/audit-log.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { jsonParam, type SqlClient, type Store } from '../../core/store/sql-client.ts';
import { canonicalToolName, legacyToolName } from '../../core/tools/tool-name.ts';

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired';

/** The exact call an approval covers: another turn, call, tool, arguments or policy version is not covered. */
export interface ApprovalBinding {
  runId: string;
  turn: number;
  callIndex: number;
  tool: string;
  argumentsHash: string;
  policyVersion: string;
}

export interface Approval extends ApprovalBinding {
  id: string;
  /** The call's arguments as the tool would get them (secret ones masked); null on approvals from before 0031. */
  arguments: unknown;
  workspaceId: string;
  userId: string | null;
  ruleId: string;
  reason: string;
  status: ApprovalStatus;
  requestedAt: Date;
  expiresAt: Date;
  decidedBy: string | null;
  /** The decider's name, for the message the model gets. */
  decidedByName: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
}

interface ApprovalRow {
  id: string;
  workspace_id: string;
  run_id: string;
  user_id: string | null;
  turn: number;
  call_index: number;
  tool: string;
  arguments_hash: string;
  arguments: unknown;
  policy_version: string;
  rule_id: string;
  reason: string;
  status: ApprovalStatus;
  requested_at: Date;
  expires_at: Date;
  decided_by: string | null;
  decided_by_name: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
}

const SELECT = `SELECT a.id, a.workspace_id, a.run_id, a.user_id, a.turn, a.call_index, a.tool, a.arguments_hash,
  a.arguments, a.policy_version, a.rule_id, a.reason,
  CASE WHEN a.status = 'pending' AND (a.expires_at <= now()
    OR r.status IN ('succeeded', 'failed', 'cancelled', 'budget_exceeded')) THEN 'expired' ELSE a.status END AS status,
  a.requested_at, a.expires_at, a.decided_by, u.name AS decided_by_name, a.decided_at, a.decision_reason
  FROM approvals a LEFT JOIN users u ON u.id = a.decided_by LEFT JOIN runs r ON r.id = a.run_id`;

function toApproval(row: ApprovalRow): Approval {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    runId: row.run_id,
    userId: row.user_id,
    turn: row.turn,
    callIndex: row.call_index,
    // Rows written before the naming rule say `<server>.<tool>`.
    tool: canonicalToolName(row.tool),
    argumentsHash: row.arguments_hash,
    arguments: row.arguments ?? null,
    policyVersion: row.policy_version,
    ruleId: row.rule_id,
    reason: row.reason,
    status: row.status,
    requestedAt: row.requested_at,
    expiresAt: row.expires_at,
    decidedBy: row.decided_by,
    decidedByName: row.decided_by_name,
    decidedAt: row.decided_at,
    decisionReason: row.decision_reason,
  };
}

export async function findApproval(db: SqlClient, binding: ApprovalBinding): Promise<Approval | undefined> {
  const legacy = legacyToolName(binding.tool);
  const { rows } = await db.query<ApprovalRow>(
    `${SELECT} WHERE a.run_id = $1 AND a.turn = $2 AND a.call_index = $3 AND a.tool = ANY($4::text[])
       AND a.arguments_hash = $5 AND a.policy_version = $6 ORDER BY a.requested_at LIMIT 1`,
    [
      binding.runId,
      binding.turn,
      binding.callIndex,
      // An approval asked for before the naming rule covers the same call.
      legacy === undefined ? [binding.tool] : [binding.tool, legacy],
      binding.argumentsHash,
      binding.policyVersion,
    ],
  );
  return rows[0] === undefined ? undefined : toApproval(rows[0]);
}

/** Asks for an approval; asking again for the same call (a retried attempt) returns the existing request. */
export async function requestApproval(
  db: SqlClient,
  input: ApprovalBinding & {
    workspaceId: string;
    userId: string | null;
    ruleId: string;
    reason: string;
    ttlMs: number;
    /** What the person deciding is shown (`shown-arguments.ts`). */
    arguments: unknown;
  },
): Promise<Approval> {
  await db.query(
    `INSERT INTO approvals (id, workspace_id, run_id, user_id, turn, call_index, tool, arguments_hash, policy_version,
       rule_id, reason, expires_at, arguments)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now() + $12 * interval '1 millisecond', $13::jsonb)
     ON CONFLICT (run_id, turn, call_index, tool, arguments_hash, policy_version) DO NOTHING`,
    [
      `apr_${Date.now().toString(36)}${randomBytes(8).toString('hex')}`,
      input.workspaceId,
      input.runId,
      input.userId,
      input.turn,
      input.callIndex,
      input.tool,
      input.argumentsHash,
      input.policyVersion,
      input.ruleId,
      input.reason,
      input.ttlMs,
      jsonParam(input.arguments),
    ],
  );
  const approval = await findApproval(db, input);
  if (approval === undefined) throw new AgentOsError('internal', 'The approval request was not stored');
  return approval;
}

export async function listApprovals(
  db: SqlClient,
  workspaceId: string,
  filter: { status?: ApprovalStatus | undefined; userId?: string | undefined; limit: number },
): Promise<Approval[]> {
  const { rows } = await db.query<ApprovalRow>(
    `SELECT * FROM (${SELECT} WHERE a.workspace_id = $1 AND ($2::text IS NULL OR a.user_id = $2)) x
     WHERE ($3::text IS NULL OR x.status = $3) ORDER BY x.requested_at, x.id LIMIT $4`,
    [workspaceId, filter.userId ?? null, filter.status ?? null, filter.limit],
  );
  return rows.map(toApproval);
}

/** One approval as `viewer` may see it: their own runs' approvals, or any of the workspace's for an admin. */
export async function getApproval(
  db: SqlClient,
  viewer: { workspaceId: string; userId: string | null; isAdmin: boolean },
  approvalId: string,
): Promise<Approval> {
  const { rows } = await db.query<ApprovalRow>(`${SELECT} WHERE a.id = $1 AND a.workspace_id = $2`, [
    approvalId,
    viewer.workspaceId,
  ]);
  const approval = rows[0] === undefined ? undefined : toApproval(rows[0]);
  // Another user's approval is part of their run, which does not exist for the caller.
  if (approval === undefined || (!viewer.isAdmin && approval.userId !== viewer.userId)) {
    throw new AgentOsError('resource.not_found', `No approval "${approvalId}" in this workspace`);
  }
  return approval;
}

/** Requeues the run paused on this approval, so the gate sees the decision (an expiry is a denial). */
async function resumePausedRun(db: SqlClient, approval: { id: string; runId: string }, decision: string) {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE runs SET status = 'queued', pause = NULL, available_at = now(), updated_at = now()
     WHERE id = $1 AND status = 'paused' AND pause->>'approvalId' = $2 RETURNING id`,
    [approval.runId, approval.id],
  );
  if (rows[0] === undefined) return false;
  await db.query(`INSERT INTO run_events (run_id, type, data) VALUES ($1, 'run.resumed', $2::jsonb)`, [
    approval.runId,
    jsonParam({ approvalId: approval.id, decision }),
  ]);
  return true;
}

/** Marks overdue pending approvals expired and requeues their runs; returns the requeued run ids. */
export async function expireDueApprovals(db: Store, workspaceId: string): Promise<string[]> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string; run_id: string }>(
      `UPDATE approvals SET status = 'expired', decided_at = now()
       WHERE workspace_id = $1 AND status = 'pending' AND expires_at <= now() RETURNING id, run_id`,
      [workspaceId],
    );
    const resumed: string[] = [];
    for (const row of rows) {
      if (await resumePausedRun(tx, { id: row.id, runId: row.run_id }, 'expired')) resumed.push(row.run_id);
    }
    return resumed;
  });
}

export interface Decider {
  workspaceId: string;
  userId: string;
  isAdmin: boolean;
}

/** A person's decision. Only the run's user or an admin may decide (anyone else: not found); a decided or expired approval is final. */
export async function decideApproval(
  db: Store,
  decider: Decider,
  approvalId: string,
  decision: { approve: true } | { approve: false; reason: string },
): Promise<{ approval: Approval; resumedRunId: string | undefined }> {
  return db.transaction(async (tx) => {
    const locked = await tx.query<{ id: string }>(
      'SELECT id FROM approvals WHERE id = $1 AND workspace_id = $2 FOR UPDATE',
      [approvalId, decider.workspaceId],
    );
    if (locked.rows[0] === undefined)
      throw new AgentOsError('resource.not_found', `No approval "${approvalId}" in this workspace`);
    const current = toApproval(
      (await tx.query<ApprovalRow>(`${SELECT} WHERE a.id = $1`, [approvalId])).rows[0]!,
    );
    if (!decider.isAdmin && current.userId !== decider.userId) {
      // Another user's approval is part of their run, which does not exist for the caller.
      throw new AgentOsError('resource.not_found', `No approval "${approvalId}" in this workspace`);
    }
    if (current.status !== 'pending') {
      throw new AgentOsError('resource.conflict', `Approval ${approvalId} is already ${current.status}`);
    }
    const status = decision.approve ? 'approved' : 'denied';
    const reason = decision.approve ? null : decision.reason;
    await tx.query(
      `UPDATE approvals SET status = $2, decided_by = $3, decided_at = now(), decision_reason = $4 WHERE id = $1`,
      [approvalId, status, decider.userId, reason],
    );
    await appendAudit(tx, {
      workspaceId: decider.workspaceId,
      actor: { type: 'user', id: decider.userId },
      action: `approval.${decision.approve ? 'approve' : 'deny'}`,
      resource: { type: 'approval', id: approvalId },
      data: {
        runId: current.runId,
        tool: current.tool,
        argumentsHash: current.argumentsHash,
        ruleId: current.ruleId,
      },
    });
    const resumed = await resumePausedRun(tx, current, status);
    const approval = toApproval(
      (await tx.query<ApprovalRow>(`${SELECT} WHERE a.id = $1`, [approvalId])).rows[0]!,
    );
    return { approval, resumedRunId: resumed ? current.runId : undefined };
  });
}
