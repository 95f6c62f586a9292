import { z } from 'zod';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import { canonicalToolName } from '../../core/tools/tool-name.ts';

const NODE_ID = /^[a-z][a-z0-9_-]{0,62}$/;
const nodeId = z
  .string()
  .regex(NODE_ID, 'a lowercase letter, then up to 62 lowercase letters, digits, "_" or "-"');

export const DEFAULT_RETRY = { maxAttempts: 1, backoffMs: 1_000 };

export const planNodeSchema = z.strictObject({
  id: nodeId.describe('Unique in the plan; other nodes name it in dependsOn and {{nodes.<id>.output}}'),
  kind: z
    .enum(['agent', 'tool'])
    .describe('agent: a run of an agent on a task; tool: one idempotent tool call'),
  agent: z.string().min(1).max(200).optional().describe('agent nodes: the agent (name or id)'),
  task: z
    .string()
    .min(1)
    .max(200_000)
    .optional()
    .describe('agent nodes: the task; {{nodes.<id>.output}} is replaced by that dependency’s output'),
  tool: z
    .string()
    .min(1)
    .max(64)
    .overwrite(canonicalToolName)
    .optional()
    .describe('tool nodes: the tool name'),
  arguments: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('tool nodes: the arguments; {{nodes.<id>.output}} in string values is replaced'),
  dependsOn: z.array(nodeId).max(50).default([]).describe('nodes that must end before this one starts'),
  when: z
    .strictObject({ node: nodeId, status: z.enum(['succeeded', 'failed']) })
    .optional()
    .describe('run only if this dependency ended so; otherwise the node is skipped'),
  retry: z
    .strictObject({
      maxAttempts: z.number().int().min(1).max(5).default(DEFAULT_RETRY.maxAttempts),
      backoffMs: z.number().int().min(0).max(3_600_000).default(DEFAULT_RETRY.backoffMs),
    })
    .default(DEFAULT_RETRY)
    .describe('attempts before giving up; the wait doubles after each failure'),
  timeoutMs: z.number().int().min(100).max(86_400_000).optional().describe('per attempt'),
  fallbackAgent: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('agent nodes: the agent that gets the task when every attempt failed'),
});

export const planDefinitionSchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  nodes: z.array(planNodeSchema).min(1).max(50),
});

export type PlanNode = z.output<typeof planNodeSchema>;
export type PlanDefinition = z.output<typeof planDefinitionSchema>;

/** One problem with a plan: where (`nodes.2.dependsOn.0`) and what, in words. */
export interface PlanIssue {
  path: string;
  message: string;
}

const REFERENCE = /\{\{\s*nodes\.([a-z][a-z0-9_-]{0,62})\.output\s*\}\}/g;

/** The node ids a text refers to with `{{nodes.<id>.output}}`. */
export function referencedNodes(text: string): string[] {
  return [...text.matchAll(REFERENCE)].map((match) => match[1] ?? '');
}

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringsIn);
  return [];
}

/** Replaces `{{nodes.<id>.output}}` with that node's output (text as is, anything else as JSON). */
export function renderTemplate(text: string, outputs: ReadonlyMap<string, unknown>): string {
  return text.replace(REFERENCE, (_, id: string) => {
    const output = outputs.get(id);
    return typeof output === 'string' ? output : JSON.stringify(output ?? null);
  });
}

/** renderTemplate over every string inside a JSON value (tool arguments). */
export function renderValue(value: unknown, outputs: ReadonlyMap<string, unknown>): unknown {
  if (typeof value === 'string') return renderTemplate(value, outputs);
  if (Array.isArray(value)) return value.map((item) => renderValue(item, outputs));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderValue(item, outputs)]));
  }
  return value;
}

/** A cycle among the nodes as `a → b → a`, or undefined. */
function findCycle(nodes: readonly PlanNode[]): string[] | undefined {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const dependency of byId.get(id)?.dependsOn ?? []) {
      if (!byId.has(dependency)) continue;
      const cycle = visit(dependency);
      if (cycle !== undefined) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const node of nodes) {
    const cycle = visit(node.id);
    // Found by walking dependencies, so reverse it to read in execution order.
    if (cycle !== undefined) return cycle.reverse();
  }
  return undefined;
}

/** The checks a schema cannot express: ids, dependencies, cycles, what each kind of node needs. */
export function planIssues(definition: PlanDefinition): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const ids = new Set<string>();
  for (const [i, node] of definition.nodes.entries()) {
    if (ids.has(node.id)) issues.push({ path: `nodes.${i}.id`, message: `duplicate node id "${node.id}"` });
    ids.add(node.id);
  }
  for (const [i, node] of definition.nodes.entries()) {
    const at = `nodes.${i}`;
    const dependencies = new Set(node.dependsOn);
    for (const [j, dependency] of node.dependsOn.entries()) {
      if (dependency === node.id) {
        issues.push({ path: `${at}.dependsOn.${j}`, message: `node "${node.id}" depends on itself` });
      } else if (!ids.has(dependency)) {
        issues.push({ path: `${at}.dependsOn.${j}`, message: `unknown node "${dependency}"` });
      }
    }
    if (node.when !== undefined && !dependencies.has(node.when.node)) {
      issues.push({
        path: `${at}.when.node`,
        message: `"${node.when.node}" must be one of the node's dependsOn`,
      });
    }
    if (node.kind === 'agent') {
      if (node.agent === undefined)
        issues.push({ path: `${at}.agent`, message: 'an agent node needs an agent' });
      if (node.task === undefined) issues.push({ path: `${at}.task`, message: 'an agent node needs a task' });
      if (node.tool !== undefined || node.arguments !== undefined) {
        issues.push({ path: `${at}.tool`, message: 'tool and arguments are for tool nodes' });
      }
    } else {
      if (node.tool === undefined) issues.push({ path: `${at}.tool`, message: 'a tool node needs a tool' });
      if (node.agent !== undefined || node.task !== undefined) {
        issues.push({ path: `${at}.agent`, message: 'agent and task are for agent nodes' });
      }
      if (node.fallbackAgent !== undefined) {
        issues.push({ path: `${at}.fallbackAgent`, message: 'a fallback agent is only for agent nodes' });
      }
    }
    const texts = node.kind === 'agent' ? [node.task ?? ''] : stringsIn(node.arguments);
    for (const referenced of texts.flatMap(referencedNodes)) {
      if (!dependencies.has(referenced)) {
        issues.push({
          path: node.kind === 'agent' ? `${at}.task` : `${at}.arguments`,
          message: `{{nodes.${referenced}.output}} needs "${referenced}" in dependsOn`,
        });
      }
    }
  }
  const cycle = findCycle(definition.nodes);
  if (cycle !== undefined) {
    const index = definition.nodes.findIndex((node) => node.id === cycle[0]);
    issues.push({ path: `nodes.${index}.dependsOn`, message: `dependency cycle: ${cycle.join(' → ')}` });
  }
  return issues;
}

/** Throws a `request.invalid` listing every issue with its path. */
export function invalidPlan(issues: readonly PlanIssue[]): AgentOsError {
  const lines = issues.map((issue) =>
    issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`,
  );
  return new AgentOsError('request.invalid', `Invalid plan: ${lines.join('; ')}`, { issues: [...issues] });
}

/** Parses and checks a plan from anywhere (a workflow file, a request body); throws every issue at once. */
export function parsePlan(value: unknown): PlanDefinition {
  const parsed = planDefinitionSchema.safeParse(value);
  if (!parsed.success) {
    throw invalidPlan(
      parsed.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      })),
    );
  }
  const issues = planIssues(parsed.data);
  if (issues.length > 0) throw invalidPlan(issues);
  return parsed.data;
}

/** The nodes in an order where every node comes after its dependencies (the plan has no cycle). */
export function topologicalOrder(definition: PlanDefinition): PlanNode[] {
  const byId = new Map(definition.nodes.map((node) => [node.id, node]));
  const ordered: PlanNode[] = [];
  const seen = new Set<string>();
  const visit = (node: PlanNode): void => {
    if (seen.has(node.id)) return;
    seen.add(node.id);
    for (const dependency of node.dependsOn) {
      const before = byId.get(dependency);
      if (before !== undefined) visit(before);
    }
    ordered.push(node);
  };
  for (const node of definition.nodes) visit(node);
  return ordered;
}
