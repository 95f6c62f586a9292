import type { KernelPlugin } from '../../core/kernel/kernel-plugin.ts';
import { noteToolDecision, traceRun, traceStep, traceToolCall } from './run-spans.ts';
import { tracedGateway } from './traced-gateway.ts';

/** OpenTelemetry GenAI spans for runs, their turns, model calls and tool calls (no-ops without a tracer). */
export const telemetryPlugin: KernelPlugin = {
  name: 'telemetry',
  modelCall: (next) => tracedGateway(next),
  toolCall: (info, next) =>
    traceToolCall(
      info.runId,
      { turn: info.turn, callIndex: info.callIndex, call: info.call, replayed: info.replayed },
      info.tool,
      next,
    ),
  attempt: ({ store, run }, body) => traceRun(store, run, body),
  turn: traceStep,
  decided: noteToolDecision,
};
