import type { PlanNotices } from '../../core/kernel/plan-notices.ts';
import type { RunControl } from '../../core/kernel/run-control.ts';
import type { KernelEvents } from '../../core/kernel/run-events.ts';
import { isTerminal, type RunError, type RunStatus } from '../../core/kernel/run-record.ts';
import { jsonParam, type Store } from '../../core/store/sql-client.ts';
import type { ToolRegistry } from '../../core/tools/tool-registry.ts';
import { type PlanNode, renderTemplate, renderValue, topologicalOrder } from './plan-definition.ts';
import {
  PLAN_COLUMNS,
  type PlanError,
  type PlanNodeRow,
  type PlanRecord,
  type PlanRow,
  toPlanRecord,
} from './plan-repo.ts';

/** What advancing plans needs: the store, the controls that start and stop node runs, the events, the tools. */
export interface PlanExecutorDeps {
  store: Store;
  runs: RunControl;
  plans: PlanNotices;
  events: KernelEvents;
  tools: ToolRegistry;
}

const DEFAULT_TOOL_TIMEOUT_MS = 60_000;
/** A running tool node with no outcome this long after its timeout was abandoned by a dead process. */
const TOOL_LEASE_MARGIN_MS = 30_000;

/** `plan:<plan>:<node>:<attempt>`: the run (or tool call) of one attempt, so a crash never starts it twice. */
export const nodeAttemptKey = (planId: string, nodeId: string, attempt: number): string =>
  `plan:${planId}:${nodeId}:${attempt}`;

export type Outcome = { ok: true; output: unknown } | { ok: false; message: string };

export interface RunToStart {
  node: PlanNode;
  attempt: number;
  agent: string;
  task: string;
}

export interface ToolToExecute {
  node: PlanNode;
  attempt: number;
  arguments: unknown;
}

export interface Pass {
  plan: PlanRecord;
  runsToStart: RunToStart[];
  toolsToExecute: ToolToExecute[];
  runsToCancel: string[];
  changed: boolean;
  wakeAt: number | undefined;
}

const isNodeDone = (status: PlanNodeRow['status']): boolean =>
  status === 'succeeded' || status === 'failed' || status === 'skipped';

export const earliest = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

export function toolTimeoutMs(deps: PlanExecutorDeps, node: PlanNode): number {
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
export function planPass(deps: PlanExecutorDeps, planId: string): Promise<Pass | undefined> {
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
