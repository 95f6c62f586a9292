import { describeIssues } from '../errors/agent-os-error.ts';
import type { SqlClient } from '../store/sql-client.ts';
import { toStorable } from '../store/storable-text.ts';
import { outputLabel } from '../tools/information-flow.ts';
import type { ToolCallContext, ToolDefinition } from '../tools/tool.ts';
import { canonicalToolName } from '../tools/tool-name.ts';
import { finishToolOutput } from '../tools/tool-output.ts';
import type { ToolRegistry } from '../tools/tool-registry.ts';
import type { ContentSource } from '../tools/value-provenance.ts';
import type { ContextSnapshot } from './context-builder.ts';
import { readToolResult, type ToolCallRecord, type ToolResult } from './journal-format.ts';
import type { PluginSet } from './plugin-set.ts';
import {
  hashInputs,
  idempotencyKey,
  type JournalStep,
  type PolicyNote,
  policyNote,
  type RunJournal,
} from './run-journal.ts';
import type { RunPause } from './run-record.ts';
import type { RunToolGate } from './tool-gate.ts';

export type ToolStepOutcome =
  | { kind: 'result'; result: ToolResult; invalid: boolean }
  | { kind: 'pause'; pause: RunPause; note?: PolicyNote };

export interface ToolStepContext {
  journal: RunJournal;
  /** Where outputs over a tool's size cap are stored as artefacts. */
  store: SqlClient;
  tools: ToolRegistry;
  /** Tool names this agent is granted. */
  granted: ReadonlySet<string>;
  workspaceId: string;
  agentId: string;
  userId: string | null;
  defaultTimeoutMs: number;
  /** Aborted when the run must stop (cancel, lease lost, shutdown). */
  signal: AbortSignal;
  /** The tool gate of this attempt (its rules read once, when the attempt started). */
  gate: RunToolGate;
  /** Tool-call middleware and decision observers. */
  plugins: PluginSet;
  /** Untrusted content is in the context this turn's calls were planned in. */
  tainted: boolean;
  /** Where it came from (tool names, the task, the starting context). */
  taintedBy: readonly string[];
  /** The run's trusted texts: the agent's instructions, the task unless it is outside content. */
  trustedInput: readonly string[];
  /** Every text the turn was planned from, with its origin: what argument values are attributed to. */
  sources: readonly ContentSource[];
  snapshot: ContextSnapshot;
}

const rejected = (message: string): ToolResult => ({ v: 1, output: message, isError: true, via: 'rejected' });

/** Parses and validates the model's arguments; a problem becomes an error result the model can correct. */
function checkArguments(
  tool: ToolDefinition,
  call: ToolCallRecord,
): { ok: true; input: unknown } | { ok: false; result: ToolResult } {
  let raw: unknown;
  try {
    raw = call.argumentsText.trim() === '' ? {} : JSON.parse(call.argumentsText);
  } catch (error) {
    return {
      ok: false,
      result: rejected(
        `The arguments for "${call.name}" are not valid JSON (${(error as Error).message}). Send a JSON object.`,
      ),
    };
  }
  const parsed = tool.inputSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      result: rejected(
        `The arguments for "${call.name}" do not match its schema: ${describeIssues(parsed.error.issues)}`,
      ),
    };
  }
  return { ok: true, input: parsed.data };
}

/**
 * The policy gate: go ahead (with the decision to record alongside the step), or stop — a pause for
 * approval or the denial the model gets.
 */
async function gate(
  ctx: ToolStepContext,
  turn: number,
  callIndex: number,
  call: ToolCallRecord,
  tool: ToolDefinition,
  input: unknown,
  inputsHash: string,
): Promise<{ go: PolicyNote } | { stop: ToolStepOutcome }> {
  const { journal } = ctx;
  const decision = await ctx.gate.decide({
    workspaceId: ctx.workspaceId,
    runId: journal.lease.runId,
    userId: ctx.userId,
    turn,
    callIndex,
    tool,
    argumentsText: call.argumentsText,
    input,
    tainted: ctx.tainted,
    taintedBy: ctx.taintedBy,
    trustedInput: ctx.trustedInput,
    sources: ctx.sources,
    snapshot: ctx.snapshot,
  });
  ctx.plugins.decided(journal.lease.runId, turn, callIndex, decision);
  const note = policyNote(
    { turn, callIndex, tool: tool.name, tainted: ctx.tainted },
    decision,
    ctx.gate.version,
  );
  if (decision.effect === 'allow') return { go: note };
  if (decision.effect === 'ask') {
    const message = `"${tool.name}" needs a person's approval (${decision.ruleId}: ${decision.reason})`;
    const pause: RunPause = {
      reason: 'approval_required',
      turn,
      callIndex,
      tool: tool.name,
      message,
      approvalId: decision.approvalId ?? '',
      ruleId: decision.ruleId,
    };
    return { stop: { kind: 'pause', pause, note } };
  }
  const result: ToolResult = {
    v: 1,
    output: decision.message ?? `Blocked by policy (${decision.ruleId})`,
    isError: true,
    via: decision.ruleId.startsWith('approval.') ? 'decision' : 'rejected',
    label: 'trusted',
  };
  await journal.completeToolStep(turn, callIndex, call, inputsHash, result, true, note);
  return { stop: { kind: 'result', result, invalid: false } };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs the tool with its timeout; the run's own abort propagates as a throw, never as a result. */
async function execute(
  tool: ToolDefinition,
  input: unknown,
  context: ToolCallContext,
  runSignal: AbortSignal,
  timeoutMs: number,
): Promise<ToolResult> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([runSignal, timeout]);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const output = await Promise.race([tool.execute(input, { ...context, signal }), aborted]);
    return { v: 1, output: output === undefined ? null : output, isError: false, via: 'executed' };
  } catch (error) {
    if (runSignal.aborted) throw runSignal.reason;
    if (timeout.aborted)
      return {
        v: 1,
        output: `Tool "${tool.name}" timed out after ${timeoutMs} ms`,
        isError: true,
        via: 'executed',
      };
    return {
      v: 1,
      output: `Tool "${tool.name}" failed: ${errorMessage(error)}`,
      isError: true,
      via: 'executed',
    };
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

/**
 * One tool call of one turn, exactly once in effect:
 * replayed from the journal when completed; re-run when idempotent; reconciled or paused otherwise.
 */
export function runToolStep(
  ctx: ToolStepContext,
  turn: number,
  callIndex: number,
  call: ToolCallRecord,
  previous: JournalStep | undefined,
): Promise<ToolStepOutcome> {
  const replayed = previous?.status === 'completed';
  return ctx.plugins.toolStep(
    {
      runId: ctx.journal.lease.runId,
      turn,
      callIndex,
      call,
      tool: ctx.tools.get(canonicalToolName(call.name)),
      replayed,
    },
    () => runToolStepOnce(ctx, turn, callIndex, call, previous),
  );
}

async function runToolStepOnce(
  ctx: ToolStepContext,
  turn: number,
  callIndex: number,
  call: ToolCallRecord,
  previous: JournalStep | undefined,
): Promise<ToolStepOutcome> {
  const { journal } = ctx;
  if (previous?.status === 'completed')
    return { kind: 'result', result: readToolResult(previous.result), invalid: false };
  journal.noteStepStart(turn, callIndex);

  const inputsHash = hashInputs({ name: call.name, arguments: call.argumentsText });
  // A journal written before the naming rule may say `<server>.<tool>`; the call is the same tool.
  const name = canonicalToolName(call.name);
  const tool = ctx.granted.has(name) ? ctx.tools.get(name) : undefined;
  if (tool === undefined) {
    const available = [...ctx.granted].filter((name) => ctx.tools.has(name));
    const result = rejected(
      `There is no tool "${call.name}". Available tools: ${available.join(', ') || 'none'}.`,
    );
    await journal.completeToolStep(turn, callIndex, call, inputsHash, result);
    return { kind: 'result', result, invalid: true };
  }
  const checked = checkArguments(tool, call);
  if (!checked.ok) {
    await journal.completeToolStep(turn, callIndex, call, inputsHash, checked.result);
    return { kind: 'result', result: checked.result, invalid: true };
  }

  const context: ToolCallContext = {
    runId: journal.lease.runId,
    workspaceId: ctx.workspaceId,
    agentId: ctx.agentId,
    userId: ctx.userId,
    idempotencyKey: idempotencyKey(journal.lease.runId, turn, callIndex),
    signal: ctx.signal,
  };
  if (tool.waitForPerson !== undefined) {
    // A question is never executed: the run pauses until an answer (or its expiry) completes the step.
    const gated =
      previous === undefined
        ? await gate(ctx, turn, callIndex, call, tool, checked.input, inputsHash)
        : undefined;
    if (gated !== undefined && 'stop' in gated) return gated.stop;
    const asked = tool.waitForPerson(checked.input, context);
    const pause: RunPause = {
      reason: 'question',
      turn,
      callIndex,
      tool: tool.name,
      message: `Waiting for an answer: ${asked.question}`,
      ...asked,
    };
    return { kind: 'pause', pause, ...(gated === undefined ? {} : { note: gated.go }) };
  }
  if (previous !== undefined && !tool.idempotent) {
    // It was started by an attempt that died: it may or may not have happened.
    if (tool.reconcile === undefined) {
      return {
        kind: 'pause',
        pause: {
          reason: 'tool_outcome_unknown',
          turn,
          callIndex,
          tool: tool.name,
          message: `"${tool.name}" may have run before a crash and is not idempotent; decide: retry, assume_done or fail`,
        },
      };
    }
    const reconciled = await tool.reconcile(context);
    if (reconciled.executed) {
      const result: ToolResult = {
        v: 1,
        output: toStorable(reconciled.output ?? null),
        isError: false,
        via: 'reconciled',
        label: outputLabel(tool),
      };
      await journal.completeToolStep(turn, callIndex, call, inputsHash, result);
      return { kind: 'result', result, invalid: false };
    }
  }

  // A call started by an earlier attempt has passed the gate already.
  let note: PolicyNote | undefined;
  if (previous === undefined) {
    const gated = await gate(ctx, turn, callIndex, call, tool, checked.input, inputsHash);
    if ('stop' in gated) return gated.stop;
    note = gated.go;
  }
  // Only a call that must not run twice needs a write-ahead record: an idempotent one is simply re-run.
  if (!tool.idempotent) {
    await journal.beginToolStep(turn, callIndex, call, inputsHash, note);
    note = undefined;
  }
  let result = await execute(
    tool,
    checked.input,
    context,
    ctx.signal,
    tool.timeoutMs ?? ctx.defaultTimeoutMs,
  );
  result = { ...result, label: outputLabel(tool, result) };
  if (!result.isError) {
    const place = {
      store: ctx.store,
      workspaceId: ctx.workspaceId,
      runId: context.runId,
      idempotencyKey: context.idempotencyKey,
    };
    const finished = await finishToolOutput(tool, result.output, place);
    result = finished.ok
      ? { ...result, output: finished.output }
      : { ...result, output: finished.message, isError: true };
  }
  // Outside text (a page, a file, an MCP result) may hold NULs or lone surrogates: the model sees what a replay reads.
  result = toStorable(result);
  await journal.completeToolStep(turn, callIndex, call, inputsHash, result, tool.idempotent, note);
  return { kind: 'result', result, invalid: false };
}
