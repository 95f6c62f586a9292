import { parseModelName } from '../../core/config/model-name.ts';
import type { ModelGateway } from '../../core/kernel/model-gateway.ts';
import { failSpan, isTraced, startChatSpan } from './run-spans.ts';
import * as attr from './span-attributes.ts';

/**
 * A gateway whose calls for traced runs are `chat <model>` spans (GenAI semantic conventions): model,
 * provider, max tokens, token usage, finish reason, retries as events. Prompts and answers are not recorded.
 */
export function tracedGateway(inner: ModelGateway): ModelGateway {
  return {
    call: async (request, hooks) => {
      if (!isTraced(request.runId)) return inner.call(request, hooks);
      const { provider, model } = parseModelName(request.model);
      const span = startChatSpan({
        runId: request.runId,
        provider,
        model,
        maxOutputTokens: request.maxOutputTokens,
      });
      if (span === undefined) return inner.call(request, hooks);
      const { onRetry } = hooks;
      try {
        const result = await inner.call(request, {
          ...hooks,
          onRetry: (retry) => {
            span.addEvent('gen_ai.retry', {
              'agent_os.retry.attempt': retry.attempt,
              'agent_os.retry.delay_ms': retry.delayMs,
            });
            onRetry?.(retry);
          },
        });
        span.setAttributes({
          [attr.GEN_AI_USAGE_INPUT_TOKENS]: result.inputTokens,
          [attr.GEN_AI_USAGE_OUTPUT_TOKENS]: result.outputTokens,
          [attr.GEN_AI_RESPONSE_FINISH_REASONS]: [result.finishReason],
          [attr.MODEL_TOOL_CALLS]: result.toolCalls.length,
        });
        return result;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        failSpan(span, error, typeof code === 'string' ? code : undefined);
        throw error;
      } finally {
        span.end();
      }
    },
  };
}
