import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3FunctionTool,
} from '@ai-sdk/provider';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { ModelResult, ToolCallRecord } from '../../core/kernel/journal-format.ts';
import { toModelPrompt } from '../../core/kernel/messages.ts';
import type { ModelCallRequest } from '../../core/kernel/model-gateway.ts';
import { canonicalToolName } from '../../core/tools/tool-name.ts';

/*
 * One attempt of a model call against the provider, in the AI SDK's v3 language-model interface: what the
 * scheduler does once it has admitted a call (the kernel only knows the ModelGateway interface).
 */

/** The provider's model as the AI SDK's v3 language-model interface, which the kernel streams from. */
export function asV3(model: unknown, name: string): LanguageModelV3 {
  const candidate = model as Partial<LanguageModelV3>;
  if (candidate.specificationVersion !== 'v3' || typeof candidate.doStream !== 'function') {
    throw new AgentOsError(
      'model.unknown_provider',
      `Model "${name}" does not implement the AI SDK v3 model interface`,
    );
  }
  return model as LanguageModelV3;
}

/** One streamed call: collects text, tool calls and usage from the provider's stream parts. */
export async function streamModelOnce(
  model: LanguageModelV3,
  options: LanguageModelV3CallOptions,
  onTextDelta: ((delta: string) => void) | undefined,
): Promise<ModelResult> {
  const { stream } = await model.doStream(options);
  let text = '';
  const toolCalls: ToolCallRecord[] = [];
  let finishReason = 'unknown';
  let inputTokens = 0;
  let outputTokens = 0;
  for await (const part of stream) {
    switch (part.type) {
      case 'text-delta':
        text += part.delta;
        onTextDelta?.(part.delta);
        break;
      case 'tool-call':
        toolCalls.push({
          id: part.toolCallId,
          name: part.toolName,
          argumentsText: part.input,
        });
        break;
      case 'finish':
        finishReason = part.finishReason.unified;
        inputTokens = part.usage.inputTokens.total ?? 0;
        outputTokens = part.usage.outputTokens.total ?? 0;
        break;
      case 'error':
        throw part.error;
      default:
        break;
    }
  }
  return { v: 1, text, toolCalls, finishReason, inputTokens, outputTokens };
}

/**
 * The provider call for a request. Tool names go out as they are: every tool name is a valid function name
 * (`core/tools/tool-name.ts`), so the model calls a tool by the name the journal, approvals and policy use.
 */
export function toCallOptions(request: ModelCallRequest, signal: AbortSignal): LanguageModelV3CallOptions {
  const tools: LanguageModelV3FunctionTool[] = request.tools.map((tool) => ({
    type: 'function',
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema,
  }));
  return {
    // A conversation journaled before the rule may hold `<server>.<tool>` calls, which providers refuse.
    prompt: toModelPrompt(request.messages, canonicalToolName),
    abortSignal: signal,
    ...(tools.length > 0 ? { tools, toolChoice: { type: 'auto' as const } } : {}),
    ...(request.maxOutputTokens === undefined ? {} : { maxOutputTokens: request.maxOutputTokens }),
  };
}
