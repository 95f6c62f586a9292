// The naive baseline: Promise.all over AI SDK generateText loops, each with one tool (default retries: 2).
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, stepCountIs, tool } from 'ai';
import { z } from 'zod';
import {
  lookup,
  type RunAgentsOptions,
  type RunAgentsResult,
  runEach,
  simInstructions,
  TOOL_DESCRIPTION,
  userTask,
} from '../workload.ts';

export async function runAgents(options: RunAgentsOptions): Promise<RunAgentsResult> {
  const provider = createOpenAICompatible({ name: 'sim', baseURL: options.baseURL, apiKey: 'sim' });
  const model = provider.chatModel('sim-1');
  return runEach(options, async (i) => {
    const result = await generateText({
      model,
      system: simInstructions(options.steps),
      prompt: userTask(i),
      tools: {
        lookup: tool({
          description: TOOL_DESCRIPTION,
          inputSchema: z.object({ query: z.string() }),
          execute: async ({ query }) => {
            options.onToolCall?.(i);
            return lookup(query, options.toolMs);
          },
        }),
      },
      stopWhen: stepCountIs(options.steps + 1),
    });
    return result.finishReason === 'stop' && result.text.length > 0;
  });
}
