import { getMembershipRole } from '../../core/identity/user-repo.ts';
import type { Kernel } from '../../core/kernel/kernel.ts';
import type { SqlParam } from '../../core/store/sql-client.ts';
import { fireTrigger } from './trigger-firing.ts';
import { type Trigger, type TriggerRow, toTrigger } from './trigger-repo.ts';

/**
 * Event triggers: a run of the source agent ending with one of the trigger's statuses starts a run of the
 * trigger's agent, on behalf of the trigger's owner. Driven by the orchestration ticker from the `runs`
 * table itself (not from in-memory signals), so an event is never lost to a crash: the idempotency key
 * `event:<trigger>:<source run>` makes each event start exactly one run however many processes tick. Each
 * firing checks that the owner still sees both agents (fireTrigger): a refused one is recorded on the
 * trigger and its events pass without a run, even if access comes back later.
 */

/** Runs that commit late can carry an earlier finished_at than ones already seen: look back this far. */
const CURSOR_MARGIN_MS = 60_000;
const BATCH = 50;

interface SourceRow {
  id: string;
  status: string;
  output: { text: string } | null;
  finished_at: Date;
}

/** The event run's task: the trigger's template with {{run.id}}, {{run.status}} and {{run.output}} filled in. */
export function eventTask(template: string, source: SourceRow): string {
  return template.replace(/\{\{\s*run\.(id|status|output)\s*\}\}/g, (_, field: string) =>
    field === 'id' ? source.id : field === 'status' ? source.status : (source.output?.text ?? ''),
  );
}

async function fireEventTrigger(kernel: Kernel, row: TriggerRow): Promise<string[]> {
  const trigger: Trigger = toTrigger(row);
  const since = new Date((row.event_cursor ?? row.created_at).getTime() - CURSOR_MARGIN_MS);
  const readable = await ownerRunsSql(kernel, trigger);
  const { rows: sources } = await kernel.store.query<SourceRow>(
    `SELECT r.id, r.status, r.output, r.finished_at FROM runs r
     WHERE r.workspace_id = $1 AND r.agent_id = $2 AND r.status = ANY($3::text[])
       AND r.finished_at >= $4 AND r.finished_at >= $6
       AND r.finished_at > COALESCE((SELECT event_refused_through FROM triggers WHERE id = $5), '-infinity')
       AND NOT EXISTS (SELECT 1 FROM runs e WHERE e.workspace_id = r.workspace_id
         AND e.idempotency_key = 'event:' || $5 || ':' || r.id)
       AND ${readable.sql}
     ORDER BY r.finished_at, r.id LIMIT ${BATCH}`,
    [
      trigger.workspaceId,
      trigger.sourceAgentId,
      trigger.onStatuses ?? [],
      since,
      trigger.id,
      row.created_at,
      ...readable.params,
    ],
  );
  const started: string[] = [];
  let refused = false;
  for (const source of sources) {
    const template = trigger.task ?? '';
    const firing = await fireTrigger(kernel, trigger, {
      task: eventTask(template, source),
      // Another run's output may carry outside content: the run starts tainted when it includes it.
      untrusted: /\{\{\s*run\.output\s*\}\}/.test(template),
      idempotencyKey: `event:${trigger.id}:${source.id}`,
    });
    if (firing.status === 'limit_reached') break;
    if (firing.status === 'started') started.push(firing.run.id);
    else {
      // Refused for the trigger as a whole (its owner, its agents): these events pass without a run.
      refused = true;
      break;
    }
  }
  const last = sources.at(-1);
  if (last !== undefined && refused) {
    // The source's own finished_at (to the microsecond), not its JavaScript copy (to the millisecond).
    await kernel.store.query(
      `UPDATE triggers t SET event_cursor = GREATEST(COALESCE(t.event_cursor, r.finished_at), r.finished_at),
         event_refused_through = GREATEST(COALESCE(t.event_refused_through, r.finished_at), r.finished_at)
       FROM runs r WHERE t.id = $1 AND r.id = $2`,
      [trigger.id, last.id],
    );
  } else if (last !== undefined && sources.length < BATCH) {
    await kernel.store.query(
      'UPDATE triggers SET event_cursor = GREATEST(COALESCE(event_cursor, $2), $2) WHERE id = $1',
      [trigger.id, last.finished_at],
    );
  }
  return started;
}

/**
 * Whose runs may fire it: the owner's own (every run of the workspace for an admin owner), never another
 * user's run and its output. Whether the owner still sees the agents is fireTrigger's check, which records
 * a refusal instead of silently skipping.
 */
async function ownerRunsSql(kernel: Kernel, trigger: Trigger): Promise<{ sql: string; params: SqlParam[] }> {
  const role = await getMembershipRole(kernel.store, trigger.workspaceId, trigger.ownerUserId);
  return role === 'admin'
    ? { sql: 'true', params: [] }
    : { sql: 'r.user_id = $7', params: [trigger.ownerUserId] };
}

/** Fires every event trigger for the runs that ended since it last looked. Returns the started run ids. */
export async function fireEventTriggers(kernel: Kernel): Promise<string[]> {
  const { rows } = await kernel.store.query<TriggerRow>(
    "SELECT * FROM triggers WHERE kind = 'event' ORDER BY created_at, id",
  );
  const started: string[] = [];
  for (const row of rows) started.push(...(await fireEventTrigger(kernel, row)));
  return started;
}
