import type { z } from 'zod';

/** What every tool call receives besides its arguments. */
export interface ToolCallContext {
  runId: string;
  workspaceId: string;
  agentId: string;
  /** The user the run acts on behalf of (null for system runs). */
  userId: string | null;
  /** `<runId>:<turn>:<callIndex>` — the same on every attempt of the same logical call. */
  idempotencyKey: string;
  /** Aborted on timeout, cancellation, or when this worker loses the run. */
  signal: AbortSignal;
}

/** A tool's own answer to "did the call with this key happen before the crash?". */
export type ReconcileResult = { executed: true; output: unknown } | { executed: false };

/** How much harm a wrong call can do; policies decide per level (default `medium`). */
export type ToolStakes = 'low' | 'medium' | 'high';
/** What a call does to the world (default `write`). */
export type ToolEffect = 'read' | 'write' | 'external_send' | 'destructive';

export const TOOL_STAKES: readonly ToolStakes[] = ['low', 'medium', 'high'];
export const TOOL_EFFECTS: readonly ToolEffect[] = ['read', 'write', 'external_send', 'destructive'];

/** Output whose JSON is larger than this is stored as an artefact; the model gets a summary and a handle. */
export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024;

/** What a tool that waits for a person asks (ask_human); the answer is recorded as the call's result. */
export interface PersonQuestion {
  question: string;
  choices?: string[];
  askedUser?: string;
  askedRole?: string;
  /** ISO time after which the call ends with "no answer before <time>". */
  expiresAt: string;
}

export interface ToolDefinition<Schema extends z.ZodType = z.ZodType> {
  /** Letters, digits, `_`, `-`, `.`; unique in a registry. */
  name: string;
  description: string;
  /** Validates the model's arguments. */
  inputSchema: Schema;
  /** Sent to the model verbatim instead of the schema's own JSON Schema (tools from MCP servers). */
  inputJsonSchema?: Record<string, unknown>;
  /** When set, an output that does not match it becomes an error result. */
  outputSchema?: z.ZodType;
  /**
   * True when running the call twice with the same idempotency key has the effect of running it once.
   * A non-idempotent call interrupted by a crash is never re-run blindly: it is reconciled or paused.
   */
  idempotent: boolean;
  stakes?: ToolStakes;
  effect?: ToolEffect;
  /**
   * Top-level argument names that name where data goes (a URL, host, email address or account). In a tainted
   * run such an argument needs a person's approval unless it stays inside the egress allowlist
   * (`policy/egress-destinations.ts`). Properties with a destination `format` (`uri`, `email`, …) count anyway.
   */
  destinations?: readonly string[];
  /** The output is the system's own data, not content from outside: it does not taint the run. */
  trustedOutput?: boolean;
  /**
   * The label of one successful call's output when it depends on the call (a database an admin marked
   * trusted): `trusted` or `untrusted`, or undefined to leave it to `trustedOutput`. Our code's decision over
   * an output our code built — never a value read from the content.
   */
  labelOutput?(output: unknown): 'trusted' | 'untrusted' | undefined;
  /**
   * Paths into an untrusted output whose values are the system's own data (a search result's `[].name` and
   * `[].price`, beside reviews strangers wrote): argument values found there count as coming from a trusted
   * tool (`tools/trusted-fields.ts`). The output as a whole still taints the run.
   */
  trustedFields?: readonly string[];
  /**
   * Top-level argument names whose values decide what a consequential call does (recipient, amount, path):
   * in a tainted run the call goes ahead unattended only when each of their values comes from a trusted
   * source (`tools/value-provenance.ts`). Absent: every argument counts.
   */
  securityArguments?: readonly string[];
  /** Top-level argument names whose values are secrets: shown masked wherever the call is shown (approvals). */
  secretArguments?: readonly string[];
  timeoutMs?: number;
  /** Overrides DEFAULT_MAX_OUTPUT_BYTES. */
  maxOutputBytes?: number;
  execute(input: z.output<Schema>, context: ToolCallContext): Promise<unknown>;
  reconcile?(context: ToolCallContext): Promise<ReconcileResult>;
  /** A successful call ends the run (control passed elsewhere, e.g. `hand_off`); its output is the answer. */
  endsRun?: boolean;
  /** Set for a tool that waits for a person: the run pauses with this question instead of executing. */
  waitForPerson?(input: z.output<Schema>, context: ToolCallContext): PersonQuestion;
}

/** Declares a tool with its argument type inferred from the schema. */
export function defineTool<Schema extends z.ZodType>(definition: ToolDefinition<Schema>): ToolDefinition {
  return definition as unknown as ToolDefinition;
}

export const toolStakes = (tool: { stakes?: ToolStakes | undefined }): ToolStakes => tool.stakes ?? 'medium';
export const toolEffect = (tool: { effect?: ToolEffect | undefined }): ToolEffect => tool.effect ?? 'write';
