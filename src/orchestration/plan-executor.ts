import { getAgent } from '../agents/agent-repo.ts';
import { describeIssues } from '../errors/agent-os-error.ts';
import type { KernelSignals } from '../kernel/run-events.ts';
import { isTerminal, type RunError, type RunStatus } from '../kernel/run-record.ts';
import { createRun } from '../kernel/run-repo.ts';
import { jsonParam, type SqlClient, type Store } from '../store/sql-client.ts';
import type { ToolRegistry } from '../tools/tool-registry.ts';
import { type PlanNode, renderTemplate, renderValue, topologicalOrder } from './plan-definition.ts';
import type { PlanRecord } from './plan-repo.ts';
import {
  cancelRuns,
  PLAN_COLUMNS,
  type PlanError,
  type PlanNodeRow,
  type PlanRow,
  toPlanRecord,
} from './plan-repo.ts';

export interface PlanExecutorDeps {
  store: Store;
  signals: KernelSignals;
  tools: ToolRegistry;
}

const DEFAULT_TOOL_TIMEOUT_MS = 60_000;
/** A running tool node with no outcome this long after its timeout was abandoned by a dead process. */
const TOOL_LEASE_MARGIN_MS = 30_000;
const MAX_PASSES = 20;

/** `plan:<plan>:<node>:<attempt>`: the run (or tool call) of one attempt, so a crash never starts it twice. */
export const nodeAttemptKey = (planId: string, nodeId: string, attempt: number): string =>
  `plan:${planId}:${nodeId}:${attempt}`;

type Outcome = { ok: true; output: unknown } | { ok: false; message: string };

interface RunToStart {
  node: PlanNode;
  attempt: number;
  agent: string;
  task: string;
}

interface ToolToExecute {
  node: PlanNode;
  attempt: number;
  arguments: unknown;
}

interface Pass {
  plan: PlanRecord;
  runsToStart: RunToStart[];
  toolsToExecute: ToolToExecute[];
  runsToCancel: string[];
  changed: boolean;
  wakeAt: number | undefined;
}

const isNodeDone = (status: PlanNodeRow['status']): boolean =>
  status === 'succeeded' || status === 'failed' || status === 'skipped';

const earliest = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

function toolTimeoutMs(deps: PlanExecutorDeps, node: PlanNode): number {
  return node.timeoutMs ?? deps.tools.get(node.tool ?? '')?.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
}

/** The task of an attempt; the fallback agent is told why it gets the task. */
function attemptTask(node: PlanNode, row: PlanNodeRow, outputs: ReadonlyMap<string, unknown>): RunToStart {
  const task = renderTemplate(node.task ?? '', outputs);
  const attempt = row.attempt;
  if (attempt <= node.retry.maxAttempts || node.fallbackAgent === undefined) {
    return { node, attempt, agent: node.agent ?? '', task };
  }
  const why = row.error?.message ?? 'unknown error';
  return {
    node,
    attempt,
    agent: node.fallbackAgent,
    task: `Agent "${node.agent}" failed this task after ${node.retry.maxAttempts} attempt(s) (${why}). Do it instead.\n\n${task}`,
  };
}

/**
 * One pass over one plan, in a transaction holding its row (`FOR UPDATE SKIP LOCKED`: another process
 * advancing it is left alone): record the outcomes of running nodes, retry or fall back on failures, skip
 * nodes whose condition does not hold, start ready nodes, end the plan. Starting is only *marked* here;
 * runs and tool calls happen after commit, keyed by the attempt, so a crash in between is harmless.
 */
function planPass(deps: PlanExecutorDeps, planId: string): Promise<Pass | undefined> {
  return deps.store.transaction(async (tx) => {
    const { rows } = await tx.query<PlanRow>(
      `SELECT ${PLAN_COLUMNS} FROM plans WHERE id = $1 AND status IN ('queued', 'running') FOR UPDATE SKIP LOCKED`,
      [planId],
    );
    if (rows[0] === undefined) return undefined;
    const plan = toPlanRecord(rows[0]);
    const now = (await tx.query<{ now: Date }>('SELECT now() AS now')).rows[0]!.now.getTime();
    const nodeRows = await tx.query<PlanNodeRow>('SELECT * FROM plan_nodes WHERE plan_id = $1', [plan.id]);
    const state = new Map(nodeRows.rows.map((row) => [row.node_id, row]));
    const order = topologicalOrder(plan.definition);
    const pass: Pass = {
      plan,
      runsToStart: [],
      toolsToExecute: [],
      runsToCancel: [],
      changed: false,
      wakeAt: undefined,
    };
    const dirty = new Set<string>();
    const update = (row: PlanNodeRow, changes: Partial<PlanNodeRow>) => {
      Object.assign(row, changes);
      dirty.add(row.node_id);
    };
    const outputs = new Map<string, unknown>();
    for (const row of state.values()) if (row.status === 'succeeded') outputs.set(row.node_id, row.output);

    const settle = (node: PlanNode, row: PlanNodeRow, outcome: Outcome) => {
      if (outcome.ok) {
        update(row, { status: 'succeeded', output: outcome.output, error: null, finished_at: new Date(now) });
        outputs.set(node.id, outcome.output);
        return;
      }
      const error: PlanError = {
        code: 'plan.node_failed',
        message: outcome.message,
        details: { attempt: row.attempt },
      };
      const { maxAttempts, backoffMs } = node.retry;
      if (row.attempt < maxAttempts) {
        const wait = backoffMs * 2 ** (row.attempt - 1);
        update(row, { status: 'pending', error, next_attempt_at: new Date(now + wait) });
      } else if (row.attempt === maxAttempts && node.fallbackAgent !== undefined) {
        update(row, { status: 'pending', error, next_attempt_at: new Date(now) });
      } else {
        update(row, { status: 'failed', error, finished_at: new Date(now) });
      }
    };

    for (const node of order) {
      const row = state.get(node.id);
      if (row === undefined || row.status !== 'running') continue;
      const startedAt = row.started_at?.getTime() ?? now;
      if (row.finished_at !== null) {
        // An outcome written on the node: a tool's result, or an agent run that could not be created.
        settle(
          node,
          row,
          row.error === null ? { ok: true, output: row.output } : { ok: false, message: row.error.message },
        );
      } else if (node.kind === 'tool') {
        const leaseEnds = row.next_attempt_at?.getTime() ?? now;
        if (leaseEnds <= now) {
          // Its process died mid-call: an idempotent tool is called again with the same key.
          update(row, { next_attempt_at: new Date(now + toolTimeoutMs(deps, node) + TOOL_LEASE_MARGIN_MS) });
          pass.toolsToExecute.push({
            node,
            attempt: row.attempt,
            arguments: renderValue(node.arguments ?? {}, outputs),
          });
        } else pass.wakeAt = earliest(pass.wakeAt, leaseEnds);
      } else if (row.run_id === null) {
        pass.runsToStart.push(attemptTask(node, row, outputs));
      } else {
        const run = await tx.query<{
          status: RunStatus;
          output: { text: string } | null;
          error: RunError | null;
        }>('SELECT status, output, error FROM runs WHERE id = $1', [row.run_id]);
        const ran = run.rows[0];
        const deadline = node.timeoutMs === undefined ? undefined : startedAt + node.timeoutMs;
        if (ran === undefined) {
          settle(node, row, { ok: false, message: `run ${row.run_id} no longer exists` });
        } else if (isTerminal(ran.status)) {
          settle(
            node,
            row,
            ran.status === 'succeeded'
              ? { ok: true, output: ran.output?.text ?? '' }
              : {
                  ok: false,
                  message: `run ${row.run_id} ended ${ran.status}${ran.error === null ? '' : `: ${ran.error.message}`}`,
                },
          );
        } else if (deadline !== undefined && deadline <= now) {
          pass.runsToCancel.push(row.run_id);
          settle(node, row, { ok: false, message: `run ${row.run_id} timed out after ${node.timeoutMs} ms` });
        } else pass.wakeAt = earliest(pass.wakeAt, deadline);
      }
    }

    for (const node of order) {
      const row = state.get(node.id);
      if (row === undefined || row.status !== 'pending') continue;
      const dependencies = node.dependsOn.map((id) => state.get(id));
      if (dependencies.some((dependency) => dependency === undefined || !isNodeDone(dependency.status)))
        continue;
      const unmet = dependencies.find((dependency) =>
        dependency!.node_id === node.when?.node
          ? dependency!.status !== node.when.status
          : dependency!.status !== 'succeeded',
      );
      if (unmet !== undefined) {
        const message =
          unmet.node_id === node.when?.node
            ? `skipped: "${unmet.node_id}" ${unmet.status}, the condition needs it ${node.when.status}`
            : `skipped: dependency "${unmet.node_id}" ${unmet.status}`;
        update(row, {
          status: 'skipped',
          error: { code: 'plan.skipped', message },
          finished_at: new Date(now),
        });
        continue;
      }
      const notBefore = row.next_attempt_at?.getTime() ?? now;
      if (notBefore > now) {
        pass.wakeAt = earliest(pass.wakeAt, notBefore);
        continue;
      }
      const started = { status: 'running' as const, attempt: row.attempt + 1, started_at: new Date(now) };
      update(row, { ...started, run_id: null, output: null, finished_at: null, next_attempt_at: null });
      if (node.kind === 'agent') pass.runsToStart.push(attemptTask(node, row, outputs));
      else {
        update(row, { next_attempt_at: new Date(now + toolTimeoutMs(deps, node) + TOOL_LEASE_MARGIN_MS) });
        pass.toolsToExecute.push({
          node,
          attempt: row.attempt,
          arguments: renderValue(node.arguments ?? {}, outputs),
        });
      }
      if (node.timeoutMs !== undefined) pass.wakeAt = earliest(pass.wakeAt, now + node.timeoutMs);
    }

    // A failure some node waits for (`when: {status: 'failed'}`) is part of the plan; any other ends it.
    const handled = new Set(
      plan.definition.nodes.flatMap((node) => (node.when?.status === 'failed' ? [node.when.node] : [])),
    );
    const failed = order.find((node) => state.get(node.id)?.status === 'failed' && !handled.has(node.id));
    let status = plan.status;
    let error: PlanError | null = null;
    if (failed !== undefined) {
      const cause = state.get(failed.id)!.error;
      status = 'failed';
      error = {
        code: 'plan.node_failed',
        message: `node "${failed.id}" failed: ${cause?.message ?? 'unknown error'}`,
        details: { node: failed.id, error: cause },
      };
      const stopped = { code: 'plan.failed', message: `skipped: the plan failed at node "${failed.id}"` };
      for (const row of state.values()) {
        if (row.status === 'running' && row.run_id !== null) pass.runsToCancel.push(row.run_id);
        if (row.status === 'pending' || row.status === 'running') {
          update(row, { status: 'skipped', error: stopped, finished_at: new Date(now) });
        }
      }
      pass.runsToStart = [];
      pass.toolsToExecute = [];
    } else if ([...state.values()].every((row) => isNodeDone(row.status))) {
      status = 'succeeded';
    } else if (dirty.size > 0) {
      status = 'running';
    }

    for (const id of dirty) {
      const row = state.get(id)!;
      await tx.query(
        `UPDATE plan_nodes SET status = $3, attempt = $4, run_id = $5, output = $6::jsonb, error = $7::jsonb,
           started_at = $8, finished_at = $9, next_attempt_at = $10
         WHERE plan_id = $1 AND node_id = $2`,
        [
          plan.id,
          id,
          row.status,
          row.attempt,
          row.run_id,
          row.output === null || row.output === undefined ? null : jsonParam(row.output),
          row.error === null ? null : jsonParam(row.error),
          row.started_at,
          row.finished_at,
          row.next_attempt_at,
        ],
      );
    }
    if (status !== plan.status || dirty.size > 0) {
      const ended = status === 'succeeded' || status === 'failed';
      await tx.query(
        `UPDATE plans SET status = $2, error = $3::jsonb, updated_at = now(),
           finished_at = CASE WHEN $4 THEN now() ELSE finished_at END WHERE id = $1`,
        [plan.id, status, error === null ? null : jsonParam(error), ended],
      );
      pass.plan = { ...plan, status, error };
      pass.changed = true;
    }
    return pass;
  });
}

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

/** Creates (or, after a crash, finds) the run of an agent node's attempt and links it to the node. */
async function startRun(deps: PlanExecutorDeps, plan: PlanRecord, start: RunToStart): Promise<boolean> {
  try {
    const agent = await getAgent(deps.store, plan.workspaceId, start.agent);
    const parentDepth =
      plan.parentRunId === null
        ? undefined
        : (
            await deps.store.query<{ depth: number }>('SELECT depth FROM runs WHERE id = $1', [
              plan.parentRunId,
            ])
          ).rows[0]?.depth;
    const run = await createRun(deps.store, {
      workspaceId: plan.workspaceId,
      agentId: agent.id,
      agentVersion: agent.version,
      userId: plan.userId,
      input: { task: start.task },
      // A planner waiting for its plan holds a worker slot: its nodes go before queued standard work.
      priority: parentDepth === undefined ? 'standard' : 'interactive',
      idempotencyKey: nodeAttemptKey(plan.id, start.node.id, start.attempt),
      parentRunId: plan.parentRunId ?? undefined,
      depth: parentDepth === undefined ? 0 : parentDepth + 1,
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
  const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), deps.signals.stopping]);
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
    if (pass.runsToStart.length > 0) deps.signals.workQueued();
    if (pass.runsToCancel.length > 0) {
      await cancelRuns(deps.store, plan.workspaceId, pass.runsToCancel);
      for (const runId of pass.runsToCancel) deps.signals.cancelRequested(runId);
    }
    await Promise.all(
      pass.toolsToExecute.map(async (call) => {
        const outcome = await executeTool(deps, plan, call);
        // Cut short by this process stopping: the call is re-executed (same key) once its lease ends.
        if (deps.signals.stopping.aborted) return;
        await recordOutcome(deps.store, plan.id, call.node.id, call.attempt, outcome);
      }),
    );
    if (pass.toolsToExecute.length > 0) again = true;
    if (pass.changed) deps.signals.planChanged(plan.id);
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
  const { rows } = await deps.store.query<{ id: string }>(
    `SELECT id FROM plans WHERE status IN ('queued', 'running') ORDER BY updated_at LIMIT 100`,
  );
  const wakeAts = await Promise.all(rows.map((row) => advancePlan(deps, row.id)));
  return wakeAts.reduce<number | undefined>(earliest, undefined);
}

/**
 * Runs `advancePlans` in a worker process: every `pollMs` (plans advanced by other processes' runs), as soon
 * as a run of this process settles or work is queued, and when a retry's backoff or a timeout is due.
 */
export class PlanExecutor {
  readonly #deps: PlanExecutorDeps;
  readonly #pollMs: number;
  readonly #log: (message: string) => void;
  #unsubscribe: Array<() => void> = [];
  #interval: NodeJS.Timeout | undefined;
  #wakeTimer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
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
    this.#unsubscribe = [this.#deps.signals.onAnyRunSettled(wake), this.#deps.signals.onWorkQueued(wake)];
    this.#interval = setInterval(wake, this.#pollMs);
    this.wake();
  }

  /** Advances now, or once more right after the advance under way. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.#advance().finally(() => {
      this.#running = undefined;
    });
  }

  async #advance(): Promise<void> {
    do {
      this.#again = false;
      try {
        const wakeAt = await advancePlans(this.#deps);
        if (wakeAt !== undefined && !this.#stopped) {
          clearTimeout(this.#wakeTimer);
          this.#wakeTimer = setTimeout(() => this.wake(), Math.max(0, wakeAt - Date.now()) + 5);
        }
      } catch (error) {
        this.#log(`plan advance failed: ${(error as Error).message}`);
      }
    } while (this.#again && !this.#stopped);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
    clearInterval(this.#interval);
    clearTimeout(this.#wakeTimer);
    this.#interval = undefined;
    await this.#running;
  }
}
