// LangGraph.js: a ReAct graph (model node ⇄ ToolNode) with the in-memory checkpointer, as its docs build it.
// ChatOpenAI keeps its defaults (no streaming: with invoke that would fetch tiktoken data from the internet).
import { AIMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { END, MemorySaver, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { ToolNode, toolsCondition } from '@langchain/langgraph/prebuilt';
import { ChatOpenAI } from '@langchain/openai';
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

export async function runAgents(options: RunAgentsOptions): Promise<RunAgentsResult> {
  const lookupTool = tool(
    async ({ query }: { query: string }, config) => {
      const index = (config.configurable as { agentIndex?: number } | undefined)?.agentIndex;
      if (index !== undefined) options.onToolCall?.(index);
      return lookup(query, options.toolMs);
    },
    { name: TOOL_NAME, description: TOOL_DESCRIPTION, schema: z.object({ query: z.string() }) },
  );
  const model = new ChatOpenAI({
    model: 'sim-1',
    apiKey: 'sim',
    configuration: { baseURL: options.baseURL },
  }).bindTools([lookupTool]);
  const system = new SystemMessage(simInstructions(options.steps));

  const graph = new StateGraph(MessagesAnnotation)
    .addNode('agent', async (state: typeof MessagesAnnotation.State) => ({
      messages: [await model.invoke([system, ...state.messages])],
    }))
    .addNode('tools', new ToolNode([lookupTool]))
    .addEdge(START, 'agent')
    .addConditionalEdges('agent', toolsCondition, ['tools', END])
    .addEdge('tools', 'agent')
    .compile({ checkpointer: new MemorySaver() });

  return runEach(options, async (i) => {
    const final = await graph.invoke(
      { messages: [new HumanMessage(userTask(i))] },
      { configurable: { thread_id: `agent-${i}`, agentIndex: i } },
    );
    const last = final.messages.at(-1);
    return last instanceof AIMessage && (last.tool_calls?.length ?? 0) === 0 && last.text.length > 0;
  });
}
