// The OpenAI Agents SDK for JS: Agent + tool() + run(), pointed at the simulator as its README says.
// Retries stay the SDK's default: the openai client's own (2), no runner-managed retry policy.
import { Agent, run, setDefaultOpenAIClient, setOpenAIAPI, setTracingDisabled, tool } from '@openai/agents';
import OpenAI from 'openai';
import { z } from 'zod';
import {
  lookup,
  type RunAgentsOptions,
  type RunAgentsResult,
  runEach,
  simInstructions,
  TOOL_DESCRIPTION,
  TOOL_NAME,
  userTask,
} from '../workload.ts';

interface AgentContext {
  index: number;
}

export async function runAgents(options: RunAgentsOptions): Promise<RunAgentsResult> {
  setDefaultOpenAIClient(new OpenAI({ baseURL: options.baseURL, apiKey: 'sim' }));
  setOpenAIAPI('chat_completions');
  setTracingDisabled(true);

  const lookupTool = tool({
    name: TOOL_NAME,
    description: TOOL_DESCRIPTION,
    parameters: z.object({ query: z.string() }),
    execute: async ({ query }, runContext) => {
      const context = runContext?.context as AgentContext | undefined;
      if (context !== undefined) options.onToolCall?.(context.index);
      return lookup(query, options.toolMs);
    },
  });
  const agent = new Agent<AgentContext>({
    name: 'researcher',
    instructions: simInstructions(options.steps),
    model: 'sim-1',
    tools: [lookupTool],
  });

  return runEach(options, async (i) => {
    const result = await run(agent, userTask(i), { context: { index: i } });
    return typeof result.finalOutput === 'string' && result.finalOutput.length > 0;
  });
}
