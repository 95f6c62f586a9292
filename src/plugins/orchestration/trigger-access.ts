import { type AgentRecord, getAgent, listAgents } from '../../core/agents/agent-repo.ts';
import { assertUserSeesAgent, listVisibleAgents, userSeesAgent } from '../../core/agents/agent-visibility.ts';
import { appendAudit } from '../../core/audit-log/audit-log.ts';
import { AgentOsError, type ErrorCode, isAgentOsError } from '../../core/errors/agent-os-error.ts';
import { getMembershipRole } from '../../core/identity/user-repo.ts';
import { jsonParam, type SqlClient } from '../../core/store/sql-client.ts';
import type { Trigger } from './trigger-repo.ts';

/**
 * A trigger acts for its owner, so it may only name agents its owner sees — checked when it is made (an
 * invisible agent is reported exactly like a missing one) and again at every firing, so an owner who leaves
 * the workspace or loses a restricted space stops their triggers at once.
 */

/** Why a firing started no run, kept on the trigger (`refusal`) until a firing starts one again. */
export interface TriggerRefusal {
  code: ErrorCode;
  message: string;
}

/** The agent `nameOrId` names, when `userId` may see it; otherwise the same 404 as a missing agent. */
export async function visibleAgent(
  db: SqlClient,
  workspaceId: string,
  userId: string | null,
  nameOrId: string,
): Promise<AgentRecord> {
  const agent = await getAgent(db, workspaceId, nameOrId);
  await assertUserSeesAgent(db, agent, userId);
  return agent;
}

/** The agents a firing of this trigger reads from or starts: its target and, for an event, its source. */
const namedAgentIds = (trigger: Trigger): string[] =>
  trigger.sourceAgentId === null ? [trigger.agentId] : [trigger.agentId, trigger.sourceAgentId];

/** The triggers among `triggers` that name no agent `userId` may not see (a list shows what a get would). */
export async function triggersUserSees(
  db: SqlClient,
  workspaceId: string,
  userId: string,
  triggers: readonly Trigger[],
): Promise<Trigger[]> {
  const visible = new Set((await listVisibleAgents(db, workspaceId, userId)).map((agent) => agent.id));
  const hidden = new Set(
    (await listAgents(db, workspaceId)).filter((agent) => !visible.has(agent.id)).map((agent) => agent.id),
  );
  if (hidden.size === 0) return [...triggers];
  return triggers.filter((trigger) => namedAgentIds(trigger).every((id) => !hidden.has(id)));
}

/** Null when the owner may still fire the trigger; otherwise why not. */
export async function ownerRefusal(db: SqlClient, trigger: Trigger): Promise<TriggerRefusal | null> {
  if ((await getMembershipRole(db, trigger.workspaceId, trigger.ownerUserId)) === undefined) {
    return {
      code: 'trigger.owner_lost_access',
      message: "The trigger's owner is no longer a member of the workspace",
    };
  }
  for (const agentId of namedAgentIds(trigger)) {
    let agent: AgentRecord;
    try {
      agent = await getAgent(db, trigger.workspaceId, agentId);
    } catch (error) {
      if (isAgentOsError(error) && error.code === 'resource.not_found') {
        return { code: 'resource.not_found', message: `Agent ${agentId} no longer exists` };
      }
      throw error;
    }
    if (!(await userSeesAgent(db, agent, trigger.ownerUserId))) {
      return {
        code: 'trigger.owner_lost_access',
        message: `The trigger's owner may no longer see agent "${agent.name}"`,
      };
    }
  }
  return null;
}

/** As ownerRefusal, recorded, and thrown (the webhook's answer: 403, or 404 for an agent since deleted). */
export async function assertOwnerMayFire(db: SqlClient, trigger: Trigger): Promise<void> {
  const refusal = await ownerRefusal(db, trigger);
  if (refusal === null) return;
  await recordRefusal(db, trigger, refusal);
  throw new AgentOsError(refusal.code, refusal.message, { triggerId: trigger.id });
}

/**
 * Keeps why the trigger did not fire; the first refusal after a working firing is also an audit entry
 * (`trigger.refused`), so a trigger hammered while refused does not flood the log.
 */
export async function recordRefusal(db: SqlClient, trigger: Trigger, refusal: TriggerRefusal): Promise<void> {
  const { rows } = await db.query<{ fresh: boolean }>(
    `UPDATE triggers t SET refusal = $2::jsonb, refused_at = now()
     FROM (SELECT refusal IS NULL AS fresh FROM triggers WHERE id = $1) before
     WHERE t.id = $1 RETURNING before.fresh`,
    [trigger.id, jsonParam(refusal)],
  );
  if (rows[0]?.fresh !== true) return;
  await appendAudit(db, {
    workspaceId: trigger.workspaceId,
    actor: { type: 'system', id: 'orchestration' },
    action: 'trigger.refused',
    resource: { type: 'trigger', id: trigger.id },
    data: { ...refusal, ownerUserId: trigger.ownerUserId },
  });
}

/** A firing started a run: the trigger is no longer refused. */
export async function clearRefusal(db: SqlClient, trigger: Trigger): Promise<void> {
  if (trigger.refusal === null) return;
  await db.query('UPDATE triggers SET refusal = NULL, refused_at = NULL WHERE id = $1', [trigger.id]);
}
