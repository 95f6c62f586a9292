import { getAgent } from '../../core/agents/agent-repo.ts';
import { memberSeesAgent } from '../../core/agents/agent-visibility.ts';
import { describeIssues } from '../../core/errors/agent-os-error.ts';
import { createRun } from '../../core/kernel/run-repo.ts';
import { jsonParam, type SqlClient, type Store } from '../../core/store/sql-client.ts';
import type { BackgroundService } from '../../core/time/periodic-task.ts';
import {
  earliest,
  nodeAttemptKey,
  type Outcome,
  type PlanExecutorDeps,
  planPass,
  type RunToStart,
  type ToolToExecute,
  toolTimeoutMs,
} from './plan-pass.ts';
import { cancelRuns, type PlanRecord } from './plan-repo.ts';

export { nodeAttemptKey, type PlanExecutorDeps } from './plan-pass.ts';

const MAX_PASSES = 20;
const ACTIVE_PLANS = `SELECT id FROM plans WHERE status IN ('queued', 'running') ORDER BY updated_at LIMIT 100`;

/** Writes the outcome of a node's attempt on the node; the next pass retries, falls back or moves on. */
async function recordOutcome(
  store: Store,
  planId: string,
  nodeId: string,
  attempt: number,
  outcome: Outcome,
): Promise<void> {
  await store.transaction(async (tx: SqlClient) => {
    await tx.query('SELECT id FROM plans WHERE id = $1 FOR UPDATE', [planId]);
    await tx.query(
      `UPDATE plan_nodes SET output = $4::jsonb, error = $5::jsonb, finished_at = now()
       WHERE plan_id = $1 AND node_id = $2 AND attempt = $3 AND status = 'running' AND finished_at IS NULL`,
      [
        planId,
        nodeId,
        attempt,
        outcome.ok ? jsonParam(outcome.output ?? null) : null,
        outcome.ok ? null : jsonParam({ code: 'plan.node_failed', message: outcome.message }),
      ],
    );
  });
}

/**
 * Creates (or, after a crash, finds) the run of an agent node's attempt and links it to the node. The plan's
 * user must still see the node's agent (checked at each start, as at submission): if not, the attempt fails
 * with that reason and the node retries, falls back or fails like any other.
 */
async function startRun(deps: PlanExecutorDeps, plan: PlanRecord, start: RunToStart): Promise<boolean> {
  try {
    const agent = await getAgent(deps.store, plan.workspaceId, start.agent);
    if (!(await memberSeesAgent(deps.store, agent, plan.userId))) {
      const message = `the plan's user may no longer see agent "${start.agent}"`;
      await recordOutcome(deps.store, plan.id, start.node.id, start.attempt, { ok: false, message });
      return false;
    }
    const planner =
      plan.parentRunId === null
        ? undefined
        : (
            await deps.store.query<{ depth: number; untrusted: boolean | null }>(
              "SELECT depth, (input->>'untrusted')::boolean AS untrusted FROM runs WHERE id = $1",
              [plan.parentRunId],
            )
          ).rows[0];
    const run = await createRun(deps.store, {
      workspaceId: plan.workspaceId,
      agentId: agent.id,
      agentVersion: agent.version,
      userId: plan.userId,
      // A plan written by a run fed outside content carries that content into every step.
      input: { task: start.task, ...(planner?.untrusted === true ? { untrusted: true } : {}) },
      // A planner waiting for its plan holds a worker slot: its nodes go before queued standard work.
      priority: planner === undefined ? 'standard' : 'interactive',
      idempotencyKey: nodeAttemptKey(plan.id, start.node.id, start.attempt),
      parentRunId: plan.parentRunId ?? undefined,
      depth: planner === undefined ? 0 : planner.depth + 1,
    });
    await deps.store.query(
      `UPDATE plan_nodes SET run_id = $4 WHERE plan_id = $1 AND node_id = $2 AND attempt = $3
         AND status = 'running' AND run_id IS NULL`,
      [plan.id, start.node.id, start.attempt, run.id],
    );
    return true;
  } catch (error) {
    const message = `could not start agent "${start.agent}": ${(error as Error).message}`;
    await recordOutcome(deps.store, plan.id, start.node.id, start.attempt, { ok: false, message });
    return false;
  }
}

/** Calls a tool node's (idempotent) tool with the attempt's key and its timeout. */
async function executeTool(deps: PlanExecutorDeps, plan: PlanRecord, call: ToolToExecute): Promise<Outcome> {
  const name = call.node.tool ?? '';
  const tool = (await deps.tools.forRun(plan.workspaceId, [name])).get(name);
  if (tool === undefined) return { ok: false, message: `no tool "${name}"` };
  const parsed = tool.inputSchema.safeParse(call.arguments);
  if (!parsed.success) {
    return { ok: false, message: `invalid arguments for "${name}": ${describeIssues(parsed.error.issues)}` };
  }
  const timeoutMs = toolTimeoutMs(deps, call.node);
  const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), deps.events.stopping]);
  const planner =
    plan.parentRunId === null
      ? undefined
      : (
          await deps.store.query<{ agent_id: string }>('SELECT agent_id FROM runs WHERE id = $1', [
            plan.parentRunId,
          ])
        ).rows[0];
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Error(`timed out after ${timeoutMs} ms`));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const output = await Promise.race([
      tool.execute(parsed.data, {
        // A tool node belongs to the plan: the planner's run when there is one, else the plan itself.
        runId: plan.parentRunId ?? plan.id,
        workspaceId: plan.workspaceId,
        agentId: planner?.agent_id ?? '',
        userId: plan.userId,
        idempotencyKey: nodeAttemptKey(plan.id, call.node.id, call.attempt),
        signal,
      }),
      aborted,
    ]);
    return { ok: true, output: output ?? null };
  } catch (error) {
    return { ok: false, message: `tool "${name}" failed: ${(error as Error).message}` };
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

/** Advances one plan until a pass changes nothing more; returns when it next needs looking at. */
export async function advancePlan(deps: PlanExecutorDeps, planId: string): Promise<number | undefined> {
  let wakeAt: number | undefined;
  for (let i = 0; i < MAX_PASSES; i += 1) {
    const pass = await planPass(deps, planId);
    if (pass === undefined) return undefined;
    wakeAt = pass.wakeAt;
    const { plan } = pass;
    let again = false;
    for (const start of pass.runsToStart) {
      if (!(await startRun(deps, plan, start))) again = true;
    }
    if (pass.runsToStart.length > 0) deps.runs.queued();
    if (pass.runsToCancel.length > 0) {
      await cancelRuns(deps.store, plan.workspaceId, pass.runsToCancel);
      deps.runs.cancelled(pass.runsToCancel);
    }
    await Promise.all(
      pass.toolsToExecute.map(async (call) => {
        const outcome = await executeTool(deps, plan, call);
        // Cut short by this process stopping: the call is re-executed (same key) once its lease ends.
        if (deps.events.stopping.aborted) return;
        await recordOutcome(deps.store, plan.id, call.node.id, call.attempt, outcome);
      }),
    );
    if (pass.toolsToExecute.length > 0) again = true;
    if (pass.changed) deps.plans.changed(plan.id);
    if (!again && !pass.changed) break;
  }
  return wakeAt;
}

/**
 * Advances every unfinished plan. Safe to run in several processes at once: each plan is advanced by whoever
 * holds its row, and every run or tool call a node starts is keyed by `plan:<plan>:<node>:<attempt>`.
 * Returns the time (ms since the epoch) at which a waiting node (backoff, timeout) needs looking at.
 */
export async function advancePlans(deps: PlanExecutorDeps): Promise<number | undefined> {
  const { rows } = await deps.store.query<{ id: string }>(ACTIVE_PLANS);
  const wakeAts = await Promise.all(rows.map((row) => advancePlan(deps, row.id)));
  return wakeAts.reduce<number | undefined>(earliest, undefined);
}

/**
 * Runs the plans of the store from a worker process: every `pollMs` (plans moved on by other processes' runs),
 * as soon as a run of this process settles or work is queued, and when a retry's backoff or a timeout is due.
 * Each plan advances on its own, so a slow tool step of one plan never holds up the others.
 */
export class PlanExecutor implements BackgroundService {
  readonly name = 'plan executor';
  readonly #deps: PlanExecutorDeps;
  readonly #pollMs: number;
  readonly #log: (message: string) => void;
  readonly #inFlight = new Map<string, Promise<void>>();
  /** Plans woken while their advance was under way: advanced once more when it ends. */
  readonly #again = new Set<string>();
  #unsubscribe: Array<() => void> = [];
  #interval: NodeJS.Timeout | undefined;
  #wakeTimer: NodeJS.Timeout | undefined;
  #wakeAt: number | undefined;
  #listing: Promise<void> | undefined;
  #listAgain = false;
  #stopped = false;

  constructor(deps: PlanExecutorDeps, options: { pollMs?: number; log?: (message: string) => void } = {}) {
    this.#deps = deps;
    this.#pollMs = options.pollMs ?? 1_000;
    this.#log = options.log ?? (() => {});
  }

  start(): void {
    if (this.#interval !== undefined) return;
    this.#stopped = false;
    const wake = () => this.wake();
    this.#unsubscribe = [this.#deps.events.onAnyRunSettled(wake), this.#deps.events.onWorkQueued(wake)];
    this.#interval = setInterval(wake, this.#pollMs);
    this.wake();
  }

  /** Looks for unfinished plans now (or once more right after the look under way) and advances each. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#listing !== undefined) {
      this.#listAgain = true;
      return;
    }
    this.#listing = this.#list().finally(() => {
      this.#listing = undefined;
    });
  }

  async #list(): Promise<void> {
    do {
      this.#listAgain = false;
      try {
        const { rows } = await this.#deps.store.query<{ id: string }>(ACTIVE_PLANS);
        for (const { id } of rows) this.#advance(id);
      } catch (error) {
        this.#log(`plan advance failed: ${(error as Error).message}`);
      }
    } while (this.#listAgain && !this.#stopped);
  }

  #advance(planId: string): void {
    if (this.#stopped) return;
    if (this.#inFlight.has(planId)) {
      this.#again.add(planId);
      return;
    }
    const advancing = advancePlan(this.#deps, planId)
      .then((wakeAt) => this.#wakeLater(wakeAt))
      .catch((error: unknown) => this.#log(`plan ${planId} advance failed: ${(error as Error).message}`))
      .finally(() => {
        this.#inFlight.delete(planId);
        if (this.#again.delete(planId)) this.#advance(planId);
      });
    this.#inFlight.set(planId, advancing);
  }

  #wakeLater(at: number | undefined): void {
    if (at === undefined || this.#stopped) return;
    if (this.#wakeAt !== undefined && this.#wakeAt <= at) return;
    clearTimeout(this.#wakeTimer);
    this.#wakeAt = at;
    this.#wakeTimer = setTimeout(
      () => {
        this.#wakeAt = undefined;
        this.wake();
      },
      Math.max(0, at - Date.now()) + 5,
    );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
    clearInterval(this.#interval);
    clearTimeout(this.#wakeTimer);
    this.#interval = undefined;
    await this.#listing;
    await Promise.all(this.#inFlight.values());
  }
}
