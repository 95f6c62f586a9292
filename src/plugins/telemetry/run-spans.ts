import { type Context, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ToolCallRecord } from '../../core/kernel/journal-format.ts';
import type { RunRecord, RunUsage } from '../../core/kernel/run-record.ts';
import type { ToolStepOutcome } from '../../core/kernel/tool-step.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import { type ToolEffect, toolEffect } from '../../core/tools/tool.ts';
import * as attr from './span-attributes.ts';
import { activeTracer } from './tracing.ts';

/** The spans of one run attempt in this process: the run, its current step, and that step's tool calls. */
interface RunTrace {
  span: Span;
  turn: number | undefined;
  step: Span | undefined;
  tools: Map<string, Span>;
}

/**
 * Active attempts by run id. The kernel's calls carry the run id, so spans find their parent here instead
 * of through an async context manager; with tracing off the map stays empty and every hook returns at once.
 */
const traces = new Map<string, RunTrace>();

/** Marks the span failed with the error's message; the exception is recorded as a span event. */
export function failSpan(span: Span, error: unknown, type?: string): void {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error) span.recordException(error);
  span.setAttribute(attr.ERROR_TYPE, type ?? (error instanceof Error ? error.name : 'error'));
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

async function describeSettledRun(store: SqlClient, runId: string, span: Span): Promise<void> {
  const { rows } = await store.query<{
    status: string;
    error: { code: string; message: string } | null;
    usage: RunUsage;
    agent_name: string;
  }>(
    `SELECT r.status, r.error, r.usage, a.name AS agent_name
       FROM runs r JOIN agents a ON a.id = r.agent_id WHERE r.id = $1`,
    [runId],
  );
  const row = rows[0];
  if (row === undefined) return;
  span.setAttributes({
    [attr.GEN_AI_AGENT_NAME]: row.agent_name,
    [attr.RUN_STATUS]: row.status,
    [attr.GEN_AI_USAGE_INPUT_TOKENS]: row.usage.inputTokens,
    [attr.GEN_AI_USAGE_OUTPUT_TOKENS]: row.usage.outputTokens,
    [attr.RUN_COST_USD]: row.usage.costUsd,
  });
  if (row.error !== null && (row.status === 'failed' || row.status === 'budget_exceeded')) {
    span.setAttribute(attr.ERROR_TYPE, row.error.code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: row.error.message });
  }
}

/**
 * One attempt of a run as an `agent.run` span (a run resumed in another process gets another span with
 * the same `agent_os.run.id`). Ends with the run's status, usage and agent name as the store has them.
 */
export async function traceRun<T>(store: SqlClient, run: RunRecord, body: () => Promise<T>): Promise<T> {
  const tracer = activeTracer();
  if (tracer === undefined) return body();
  const span = tracer.startSpan(
    'agent.run',
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        [attr.GEN_AI_OPERATION_NAME]: 'invoke_agent',
        [attr.RUN_ID]: run.id,
        [attr.RUN_ATTEMPT]: run.attempt,
        [attr.GEN_AI_AGENT_ID]: run.agentId,
        [attr.AGENT_VERSION]: run.agentVersion,
        [attr.WORKSPACE_ID]: run.workspaceId,
        ...(run.userId === null ? {} : { [attr.USER_ID]: run.userId, [attr.ENDUSER_ID]: run.userId }),
      },
    },
    ROOT_CONTEXT,
  );
  const entry: RunTrace = { span, turn: undefined, step: undefined, tools: new Map() };
  traces.set(run.id, entry);
  try {
    return await body();
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    if (traces.get(run.id) === entry) traces.delete(run.id);
    entry.step?.end();
    try {
      await describeSettledRun(store, run.id, span);
    } catch {
      // The span still ends: a store hiccup must not cost the run its trace.
    }
    span.end();
  }
}

/** True while an attempt of this run is traced in this process. */
export const isTraced = (runId: string): boolean => traces.size > 0 && traces.has(runId);

/** The run moved on to model turn `turn`: the previous step's span ends; the new one starts with its first call. */
export function traceStep(runId: string, turn: number): void {
  if (traces.size === 0) return;
  const entry = traces.get(runId);
  if (entry === undefined || entry.turn === turn) return;
  entry.step?.end();
  entry.step = undefined;
  entry.turn = turn;
}

/** The context a call of this run is made in: its current step (opened now if needed), else the run. */
function parentOf(runId: string): Context | undefined {
  const entry = traces.get(runId);
  const tracer = activeTracer();
  if (entry === undefined || tracer === undefined) return undefined;
  if (entry.step === undefined && entry.turn !== undefined) {
    entry.step = tracer.startSpan(
      'agent.step',
      { kind: SpanKind.INTERNAL, attributes: { [attr.RUN_ID]: runId, [attr.STEP_TURN]: entry.turn } },
      trace.setSpan(ROOT_CONTEXT, entry.span),
    );
  }
  return trace.setSpan(ROOT_CONTEXT, entry.step ?? entry.span);
}

/** A `chat <model>` span for a model call of a traced run (see traced-gateway.ts). */
export function startChatSpan(request: {
  runId: string;
  provider: string;
  model: string;
  maxOutputTokens?: number | undefined;
}): Span | undefined {
  if (traces.size === 0) return undefined;
  const parent = parentOf(request.runId);
  if (parent === undefined) return undefined;
  return activeTracer()?.startSpan(
    `chat ${request.model}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [attr.GEN_AI_OPERATION_NAME]: 'chat',
        [attr.GEN_AI_PROVIDER_NAME]: request.provider,
        [attr.GEN_AI_SYSTEM]: request.provider,
        [attr.GEN_AI_REQUEST_MODEL]: request.model,
        [attr.RUN_ID]: request.runId,
        ...(request.maxOutputTokens === undefined
          ? {}
          : { [attr.GEN_AI_REQUEST_MAX_TOKENS]: request.maxOutputTokens }),
      },
    },
    parent,
  );
}

const toolKey = (turn: number, callIndex: number) => `${turn}:${callIndex}`;

/**
 * An `execute_tool <name>` span around one tool step that is not a replay. Error results (rejected
 * arguments, denials, failures, timeouts) mark it failed; a pause is recorded as an attribute.
 */
export async function traceToolCall(
  runId: string,
  step: { turn: number; callIndex: number; call: ToolCallRecord; replayed: boolean },
  tool: { effect?: ToolEffect | undefined; idempotent: boolean } | undefined,
  body: () => Promise<ToolStepOutcome>,
): Promise<ToolStepOutcome> {
  if (traces.size === 0 || step.replayed) return body();
  const parent = parentOf(runId);
  const tracer = activeTracer();
  const entry = traces.get(runId);
  if (parent === undefined || tracer === undefined || entry === undefined) return body();
  const span = tracer.startSpan(
    `execute_tool ${step.call.name}`,
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        [attr.GEN_AI_OPERATION_NAME]: 'execute_tool',
        [attr.GEN_AI_TOOL_NAME]: step.call.name,
        [attr.GEN_AI_TOOL_CALL_ID]: step.call.id,
        [attr.GEN_AI_TOOL_TYPE]: 'function',
        [attr.RUN_ID]: runId,
        ...(tool === undefined
          ? {}
          : { [attr.TOOL_EFFECT]: toolEffect(tool), [attr.TOOL_IDEMPOTENT]: tool.idempotent }),
      },
    },
    parent,
  );
  const key = toolKey(step.turn, step.callIndex);
  entry.tools.set(key, span);
  try {
    const outcome = await body();
    if (outcome.kind === 'pause') span.setAttribute(attr.TOOL_PAUSED, outcome.pause.reason);
    else {
      span.setAttribute(attr.TOOL_VIA, outcome.result.via);
      if (outcome.result.isError) {
        span.setAttribute(attr.ERROR_TYPE, outcome.result.via);
        // The result's text is content (it goes back to the model): only its kind is recorded.
        span.setStatus({ code: SpanStatusCode.ERROR, message: `tool call ${outcome.result.via}` });
      }
    }
    return outcome;
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    entry.tools.delete(key);
    span.end();
  }
}

/** The policy gate's verdict on a traced tool call. */
export function noteToolDecision(
  runId: string,
  turn: number,
  callIndex: number,
  decision: { effect: string; ruleId: string },
): void {
  if (traces.size === 0) return;
  traces
    .get(runId)
    ?.tools.get(toolKey(turn, callIndex))
    ?.setAttributes({ [attr.POLICY_DECISION]: decision.effect, [attr.POLICY_RULE_ID]: decision.ruleId });
}
