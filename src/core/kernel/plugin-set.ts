import type { AgentDefinition } from '../agents/agent-definition.ts';
import type { AgentRecord } from '../agents/agent-repo.ts';
import { AgentOsError } from '../errors/agent-os-error.ts';
import type { Store } from '../store/sql-client.ts';
import type { BackgroundService } from '../time/periodic-task.ts';
import type { ToolDefinition } from '../tools/tool.ts';
import { StepKindRegistry } from './journal-check.ts';
import type {
  AnswerHook,
  BackgroundContext,
  ContextContributor,
  KernelParts,
  KernelPlugin,
  RunScope,
  ToolCallInfo,
} from './kernel-plugin.ts';
import type { ModelGateway } from './model-gateway.ts';
import { KERNEL_EVENT_TYPES } from './run-events.ts';
import type { RunError } from './run-record.ts';
import { KERNEL_STEP_KINDS } from './step-kinds.ts';
import { CLOSED_GATE, type GateDecision, type ToolGate } from './tool-gate.ts';
import type { ToolStepOutcome } from './tool-step.ts';

/** The kernel's event kinds and the plugins', refusing a kind declared twice or shaped like no event kind. */
function eventKindsOf(plugins: readonly KernelPlugin[]): ReadonlySet<string> {
  const owner = new Map<string, string>(KERNEL_EVENT_TYPES.map((type) => [type, 'the kernel']));
  for (const plugin of plugins)
    for (const type of plugin.eventKinds ?? []) {
      if (!/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/.test(type))
        throw new AgentOsError(
          'config.invalid',
          `Event kind "${type}" of plugin ${plugin.name} is not a dotted lower-case name`,
        );
      const before = owner.get(type);
      if (before !== undefined)
        throw new AgentOsError(
          'config.invalid',
          `Event kind "${type}" is declared by ${before} and by plugin ${plugin.name}`,
        );
      owner.set(type, `plugin ${plugin.name}`);
    }
  return new Set(owner.keys());
}

/**
 * The plugins of one kernel, checked once (step kinds do not overlap, at most one tool gate) and
 * composed: hooks run in list order, middleware nests with the first plugin outermost.
 */
export class PluginSet {
  readonly contributors: readonly ContextContributor[];
  readonly answerHooks: readonly AnswerHook[];
  readonly gate: ToolGate;
  /** The kernel's step kinds and every plugin's: what a stored journal is checked against before a replay. */
  readonly stepKinds: StepKindRegistry;
  /** Every run event kind a step may write: the kernel's and those the plugins declared. */
  readonly eventKinds: ReadonlySet<string>;

  constructor(readonly plugins: readonly KernelPlugin[]) {
    this.stepKinds = new StepKindRegistry([
      ...KERNEL_STEP_KINDS,
      ...plugins.flatMap((p) => p.stepKinds ?? []),
    ]);
    this.eventKinds = eventKindsOf(plugins);
    const gates = plugins.filter((p) => p.toolGate !== undefined);
    if (gates.length > 1)
      throw new AgentOsError(
        'config.invalid',
        `Only one plugin may gate tool calls; ${gates.map((p) => p.name).join(' and ')} both do`,
      );
    this.gate = gates[0]?.toolGate ?? CLOSED_GATE;
    this.contributors = plugins.flatMap((p) => (p.context === undefined ? [] : [p.context]));
    this.answerHooks = plugins.flatMap((p) => (p.answer === undefined ? [] : [p.answer]));
  }

  /** Every plugin's background work for a worker process, in plugin order (not yet started). */
  background(context: BackgroundContext): BackgroundService[] {
    return this.plugins.flatMap((p) => p.background?.(context) ?? []);
  }

  tools(parts: KernelParts): ToolDefinition[] {
    return this.plugins.flatMap((p) => p.tools?.(parts) ?? []);
  }

  async admit(store: Store, agent: AgentRecord, userId: string | null): Promise<void> {
    for (const plugin of this.plugins) await plugin.admit?.(store, agent, userId);
  }

  /** The run's effective definition, each plugin's hook applied to the previous one's result. */
  async definition(
    scope: RunScope & { agent: AgentRecord },
  ): Promise<{ definition: AgentDefinition } | { error: RunError }> {
    let def = scope.agent.definition;
    for (const plugin of this.plugins) {
      if (plugin.definition === undefined) continue;
      const next = await plugin.definition(scope, def);
      if ('error' in next) return next;
      def = next;
    }
    return { definition: def };
  }

  /** The gateway runs call through: every plugin's model-call middleware around `base`. */
  wrapGateway(base: ModelGateway, parts: KernelParts): ModelGateway {
    return this.plugins.reduceRight(
      (next, plugin) => (plugin.modelCall === undefined ? next : plugin.modelCall(next, parts)),
      base,
    );
  }

  toolStep(info: ToolCallInfo, body: () => Promise<ToolStepOutcome>): Promise<ToolStepOutcome> {
    const run = this.plugins.reduceRight<() => Promise<ToolStepOutcome>>(
      (next, plugin) => (plugin.toolCall === undefined ? next : () => plugin.toolCall!(info, next)),
      body,
    );
    return run();
  }

  attempt<T>(scope: RunScope, body: () => Promise<T>): Promise<T> {
    const run = this.plugins.reduceRight<() => Promise<T>>(
      (next, plugin) => (plugin.attempt === undefined ? next : () => plugin.attempt!(scope, next)),
      body,
    );
    return run();
  }

  turn(runId: string, turn: number): void {
    for (const plugin of this.plugins) plugin.turn?.(runId, turn);
  }

  decided(runId: string, turn: number, callIndex: number, decision: GateDecision): void {
    for (const plugin of this.plugins) plugin.decided?.(runId, turn, callIndex, decision);
  }
}
