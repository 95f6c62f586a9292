import { randomBytes } from 'node:crypto';
import { canonicalJson } from '../../core/audit-log/audit-entry.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { SecretBox } from '../../core/secrets/secret-box.ts';
import { jsonParam, type SqlClient } from '../../core/store/sql-client.ts';
import type { TriggerRefusal } from './trigger-access.ts';
import { newWebhookSecret, type SignatureScheme } from './webhook-signature.ts';

/** Only payloads whose value at `path` (dot-separated) equals `equals` start a run. */
export interface PayloadFilter {
  path: string;
  equals: unknown;
}

export type TriggerKind = 'webhook' | 'cron' | 'event';
export type MissedFirings = 'run_once' | 'skip';

export interface Trigger {
  id: string;
  workspaceId: string;
  kind: TriggerKind;
  agentId: string;
  ownerUserId: string;
  filter: PayloadFilter | null;
  dailyLimit: number;
  /** cron only: the expression (read in `timezone`), the next firing, and what to do with missed ones. */
  schedule: string | null;
  timezone: string;
  missed: MissedFirings;
  nextFireAt: Date | null;
  /** cron and event: the task of each run (an event task may use {{run.id}}, {{run.status}}, {{run.output}}). */
  task: string | null;
  /** event only: whose finished runs fire it, and with which statuses. */
  sourceAgentId: string | null;
  onStatuses: string[] | null;
  /** webhook only: how deliveries are signed. */
  signature: SignatureScheme | null;
  /** Why the last firing started no run (cleared once one does), and when. */
  refusal: TriggerRefusal | null;
  refusedAt: Date | null;
  createdAt: Date;
}

export interface TriggerRow {
  id: string;
  workspace_id: string;
  kind: TriggerKind;
  agent_id: string;
  owner_user_id: string;
  secret_sealed: string | null;
  filter: PayloadFilter | null;
  daily_limit: number;
  schedule: string | null;
  task: string | null;
  next_fire_at: Date | null;
  timezone: string;
  missed: MissedFirings;
  source_agent_id: string | null;
  on_statuses: string[] | null;
  event_cursor: Date | null;
  signature: SignatureScheme | null;
  refusal: TriggerRefusal | null;
  refused_at: Date | null;
  created_at: Date;
}

export const toTrigger = (row: TriggerRow): Trigger => ({
  id: row.id,
  workspaceId: row.workspace_id,
  kind: row.kind,
  agentId: row.agent_id,
  ownerUserId: row.owner_user_id,
  filter: row.filter,
  dailyLimit: row.daily_limit,
  schedule: row.schedule,
  timezone: row.timezone,
  missed: row.missed,
  nextFireAt: row.next_fire_at,
  task: row.task,
  sourceAgentId: row.source_agent_id,
  onStatuses: row.on_statuses,
  signature: row.signature,
  refusal: row.refusal,
  refusedAt: row.refused_at,
  createdAt: row.created_at,
});

/** Stores a trigger; a webhook gets a fresh secret for its scheme, returned once and kept only sealed. */
export async function createTrigger(
  db: SqlClient,
  box: SecretBox,
  input: {
    workspaceId: string;
    agentId: string;
    ownerUserId: string;
    filter: PayloadFilter | null;
    dailyLimit: number;
    signature?: SignatureScheme;
    cron?: { schedule: string; task: string; nextFireAt: Date; timezone: string; missed: MissedFirings };
    event?: { sourceAgentId: string; onStatuses: string[]; task: string };
  },
): Promise<{ trigger: Trigger; secret: string | null }> {
  const id = `trg_${Date.now().toString(36)}${randomBytes(8).toString('hex')}`;
  const kind: TriggerKind =
    input.cron !== undefined ? 'cron' : input.event !== undefined ? 'event' : 'webhook';
  const signature = kind === 'webhook' ? (input.signature ?? 'standard-webhooks') : null;
  const secret = signature === null ? null : newWebhookSecret(signature);
  const { rows } = await db.query<TriggerRow>(
    `INSERT INTO triggers (id, workspace_id, kind, agent_id, owner_user_id, secret_sealed, filter, daily_limit,
       schedule, task, next_fire_at, timezone, missed, source_agent_id, on_statuses, event_cursor, signature)
     VALUES ($1, $2, $8, $3, $4, $5, $6::jsonb, $7, $9, $10, $11, $12, $13, $14, $15::text[],
       CASE WHEN $14::text IS NULL THEN NULL ELSE now() END, $16) RETURNING *`,
    [
      id,
      input.workspaceId,
      input.agentId,
      input.ownerUserId,
      secret === null ? null : box.seal(secret, id),
      input.filter === null ? null : jsonParam(input.filter),
      input.dailyLimit,
      kind,
      input.cron?.schedule ?? null,
      input.cron?.task ?? input.event?.task ?? null,
      input.cron?.nextFireAt ?? null,
      input.cron?.timezone ?? 'UTC',
      input.cron?.missed ?? 'run_once',
      input.event?.sourceAgentId ?? null,
      input.event?.onStatuses ?? null,
      signature,
    ],
  );
  return { trigger: toTrigger(rows[0]!), secret };
}

export async function listTriggers(db: SqlClient, workspaceId: string): Promise<Trigger[]> {
  const { rows } = await db.query<TriggerRow>(
    'SELECT * FROM triggers WHERE workspace_id = $1 ORDER BY created_at, id',
    [workspaceId],
  );
  return rows.map(toTrigger);
}

/**
 * A webhook trigger and its opened secret, for checking a delivery's signature. An unknown trigger is the
 * same refusal as a bad signature, so the endpoint tells no one which trigger ids exist.
 */
export async function webhookTrigger(
  db: SqlClient,
  box: SecretBox,
  triggerId: string,
): Promise<{ trigger: Trigger; secret: string }> {
  const { rows } = await db.query<TriggerRow>("SELECT * FROM triggers WHERE id = $1 AND kind = 'webhook'", [
    triggerId,
  ]);
  const row = rows[0];
  if (row?.secret_sealed == null || row.signature === null) {
    throw new AgentOsError('auth.invalid', 'The webhook signature does not match');
  }
  return { trigger: toTrigger(row), secret: box.open(row.secret_sealed, row.id) };
}

export function matchesFilter(filter: PayloadFilter | null, payload: unknown): boolean {
  if (filter === null) return true;
  let value: unknown = payload;
  for (const key of filter.path.split('.')) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value !== undefined && canonicalJson(value) === canonicalJson(filter.equals);
}

/** Counts one firing against today's (UTC) limit; false when the limit is already reached. */
export async function reserveFiring(db: SqlClient, trigger: Trigger): Promise<boolean> {
  const { rows } = await db.query<{ count: number }>(
    `INSERT INTO trigger_firings (trigger_id, day, count) VALUES ($1, (now() AT TIME ZONE 'UTC')::date, 1)
     ON CONFLICT (trigger_id, day) DO UPDATE SET count = trigger_firings.count + 1
       WHERE trigger_firings.count < $2
     RETURNING count`,
    [trigger.id, trigger.dailyLimit],
  );
  return rows[0] !== undefined;
}
