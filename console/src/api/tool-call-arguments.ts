import { get } from './client.ts';
import type { RunStep } from './types.ts';

/**
 * The exact arguments of a run's tool call, as the model wrote them: read from the model step of that turn
 * in the run's journal (`GET /api/runs/:id/steps`), for approvals stored before they kept their arguments.
 */
export async function toolCallArguments(
  runId: string,
  turn: number,
  callIndex: number,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const { steps } = await get<{ steps: RunStep[] }>(`/api/runs/${encodeURIComponent(runId)}/steps`, signal);
  const tool = steps.find((s) => s.kind === 'tool' && s.turn === turn && s.callIndex === callIndex);
  const fromTool = (tool?.input as { arguments?: unknown } | null | undefined)?.arguments;
  if (typeof fromTool === 'string') return fromTool;
  const model = steps.find((s) => s.kind === 'model' && s.turn === turn);
  const calls = (
    model?.result as { toolCalls?: Array<{ argumentsText?: string; arguments?: unknown }> } | null
  )?.toolCalls;
  const call = calls?.[callIndex];
  if (call === undefined) return undefined;
  return (
    call.argumentsText ??
    (typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments))
  );
}
