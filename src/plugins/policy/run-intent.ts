import { z } from 'zod';
import type { ContextSnapshot } from '../../core/kernel/context-builder.ts';
import type { ChatMessage } from '../../core/kernel/messages.ts';
import type { StepKind } from '../../core/kernel/step-kinds.ts';
import { type ToolDefinition, toolEffect, toolStakes } from '../../core/tools/tool.ts';
import { canonicalToolName } from '../../core/tools/tool-name.ts';
import { occursIn } from '../../core/tools/value-provenance.ts';
import { jsonSchemaOf, schemaPropertyNames } from './egress-destinations.ts';

/**
 * The run's intent (Progent-style): the consequential actions the person's task asks for, with the argument
 * values it states, read by a model from the task alone before the run reads anything else — so no injected
 * text can shape it. The model only proposes: an action survives when its tool is one of the run's
 * consequential tools, and an argument value when the task's own text contains it (`groundIntent`). A
 * call inside the intent needs no approval (`intent-verdict.ts`); a tainted run's call that names another
 * value than the task did asks.
 */

/** call_index (at turn 0) of the intent's model call; the context step that records the intent follows it. */
export const INTENT_CALL_INDEX = -5;
export const INTENT_STEP_KINDS: readonly StepKind[] = [
  { name: 'policy.intent', callIndex: INTENT_CALL_INDEX },
];
export const INTENT_EVENT = 'policy.intent';

/** The first line of the intent prompt (a scripted model recognises the call by it). */
export const INTENT_PROMPT_HEAD = 'List the consequential actions this task asks for.';

const CONSEQUENTIAL = new Set(['write', 'external_send', 'destructive']);
const MAX_ACTIONS = 50;

const argumentValue = z.union([
  z.string().max(2_000),
  z.number(),
  z.boolean(),
  z.array(z.union([z.string().max(2_000), z.number()])).max(50),
]);
const proposalSchema = z.object({
  actions: z
    .array(
      z.object({
        tool: z.string().min(1).max(200),
        arguments: z.record(z.string().max(200), argumentValue).default({}),
      }),
    )
    .max(MAX_ACTIONS),
});

export type ConstraintValue = string | number | Array<string | number>;
export interface IntentAction {
  tool: string;
  /** The values the task states for these arguments; others are unconstrained. */
  arguments: Record<string, ConstraintValue>;
}

export const runIntentSchema = z.object({
  v: z.literal(1),
  actions: z.array(
    z.object({
      /** Journaled intents from before the naming rule say `<server>.<tool>`. */
      tool: z.string().overwrite(canonicalToolName),
      arguments: z.record(
        z.string(),
        z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))]),
      ),
    }),
  ),
  /** What the model proposed that did not survive grounding, and why (shown in the trace). */
  dropped: z.array(z.string()),
  /** Why there is no intent (the model call failed, its answer was not the JSON asked for). */
  problem: z.string().optional(),
});
export type RunIntent = z.infer<typeof runIntentSchema>;

/** The tools an intent may name: those whose calls the gate holds (consequential or high stakes). */
export const intentTools = (tools: readonly ToolDefinition[]): ToolDefinition[] =>
  tools.filter((tool) => CONSEQUENTIAL.has(toolEffect(tool)) || toolStakes(tool) === 'high');

const argumentNames = (tool: ToolDefinition): string[] =>
  schemaPropertyNames(tool.inputJsonSchema ?? jsonSchemaOf(tool.inputSchema));

/** The prompt: the tools with their arguments, then the task. Nothing else of the run is in it. */
export function intentPrompt(task: string, tools: readonly ToolDefinition[]): ChatMessage[] {
  const listed = tools
    .map((tool) => `- ${tool.name}(${argumentNames(tool).join(', ')}): ${tool.description}`)
    .join('\n');
  return [
    {
      role: 'system',
      content:
        `${INTENT_PROMPT_HEAD}\n` +
        'An AI agent will carry out the task below. Before it reads anything, name the actions from this list ' +
        'that the task asks the agent to take, and for each the argument values the task states word for word. ' +
        'Leave out any value the task does not state (one the agent must look up or read somewhere). ' +
        'Answer with JSON only: {"actions":[{"tool":"<name>","arguments":{"<argument>":<value>}}]}; ' +
        '{"actions":[]} when the task asks for none of them.\n\n' +
        `Actions:\n${listed}`,
    },
    { role: 'user', content: task },
  ];
}

/** The JSON object in a model's answer (it may be fenced or have words around it). */
function proposal(text: string): z.infer<typeof proposalSchema> | string {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start === -1 || end < start) return 'the answer held no JSON object';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(start, end + 1));
  } catch {
    return 'the answer was not valid JSON';
  }
  const checked = proposalSchema.safeParse(parsed);
  return checked.success
    ? checked.data
    : `the answer did not have the asked-for shape (${checked.error.issues[0]?.message ?? 'invalid'})`;
}

const show = (value: unknown) => JSON.stringify(value);

/**
 * Keeps what the task itself supports: actions on the offered tools, argument values the task's text
 * contains (every item of a list). A boolean carries no value of its own to check, so it stays unconstrained.
 */
export function groundIntent(text: string, task: string, tools: readonly ToolDefinition[]): RunIntent {
  const proposed = proposal(text);
  if (typeof proposed === 'string') return { v: 1, actions: [], dropped: [], problem: proposed };
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const actions: IntentAction[] = [];
  const dropped: string[] = [];
  for (const action of proposed.actions) {
    const tool = byName.get(action.tool);
    if (tool === undefined) {
      dropped.push(`${show(action.tool)} is not a consequential tool of this run`);
      continue;
    }
    const known = new Set(argumentNames(tool));
    const kept: Record<string, ConstraintValue> = {};
    for (const [name, value] of Object.entries(action.arguments)) {
      if (!known.has(name)) dropped.push(`${tool.name}: it has no argument ${show(name)}`);
      else if (typeof value === 'boolean') continue;
      else if ((Array.isArray(value) ? value : [value]).every((item) => occursIn(String(item), task)))
        kept[name] = value;
      else dropped.push(`${tool.name}: the task does not state ${name} ${show(value)}`);
    }
    actions.push({ tool: tool.name, arguments: kept });
  }
  return { v: 1, actions, dropped };
}

/** The intent a run's starting context holds, if any. */
export function intentOf(snapshot: ContextSnapshot | undefined): RunIntent | undefined {
  const parsed = runIntentSchema.safeParse(snapshot?.intent);
  return parsed.success && parsed.data.problem === undefined ? parsed.data : undefined;
}
