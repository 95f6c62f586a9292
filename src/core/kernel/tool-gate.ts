import type { ToolDefinition, ToolStakes } from '../tools/tool.ts';
import type { ContentSource } from '../tools/value-provenance.ts';
import type { ContextSnapshot } from './context-builder.ts';
import type { RunScope } from './kernel-plugin.ts';

export type GateEffect = 'allow' | 'ask' | 'deny';

/** What the gate decided about one tool call: recorded with the step, as an event and in the audit log. */
export interface GateDecision {
  effect: GateEffect;
  /**
   * `stakes.high`, `args.destination_outside_allowlist`, `flow.tainted_consequential`,
   * `flow.egress_destination`, `approval.granted`, …
   */
  ruleId: string;
  reason: string;
  stakes: ToolStakes;
  argumentsHash: string;
  /** For `ask`: the pending approval the run waits for. */
  approvalId?: string;
  /** For `deny`: what the model is told. */
  message?: string;
}

/** One call as the kernel asks about it. */
export interface GateQuestion {
  workspaceId: string;
  runId: string;
  userId: string | null;
  turn: number;
  callIndex: number;
  tool: ToolDefinition;
  argumentsText: string;
  /** The validated arguments. */
  input: unknown;
  /** Untrusted content is in the run's context: the call's arguments may be attacker-influenced. */
  tainted: boolean;
  /** Where that untrusted content came from (`"http_fetch"`, the task, …), for the approval's reason. */
  taintedBy: readonly string[];
  /** What the run's principals wrote (the task when it is not outside content, the agent's instructions). */
  trustedInput: readonly string[];
  /** Every text the call was planned from, with its origin and label: argument values are attributed to them. */
  sources: readonly ContentSource[];
  /** The run's journaled starting context (the sections plugins gathered or derived, e.g. the policy's intent). */
  snapshot: ContextSnapshot;
}

/** The gate for one run attempt: its rules are read once, when the attempt starts. */
export interface RunToolGate {
  /** The version of the rules, recorded with every decision. */
  version: string;
  decide(question: GateQuestion): Promise<GateDecision>;
}

/** Every tool call passes one gate, which a plugin provides (policy/). */
export interface ToolGate {
  open(scope: RunScope): Promise<RunToolGate>;
}

/** Without a gate plugin nothing runs: a kernel is never wide open by omission. */
export const CLOSED_GATE: ToolGate = {
  open: async () => ({
    version: 'none',
    decide: async (question) => ({
      effect: 'deny',
      ruleId: 'gate.missing',
      reason: 'no tool gate is installed',
      stakes: 'high',
      argumentsHash: '',
      message: `"${question.tool.name}" cannot run: this kernel has no tool gate`,
    }),
  }),
};
