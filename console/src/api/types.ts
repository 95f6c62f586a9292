/** The JSON shapes of the public API the console reads (dates arrive as ISO strings). */

export interface SessionUser {
  id: string;
  email?: string;
  name?: string;
}

export interface Session {
  csrfToken: string;
  user: SessionUser & Record<string, unknown>;
  workspace: { id: string; name?: string } & Record<string, unknown>;
  expiresAt: string;
}

export interface Whoami {
  userId: string;
  workspaceId: string;
  role: 'admin' | 'builder' | 'user' | string;
  workspace?: { id: string; name?: string };
}

export interface AgentLimits {
  maxSteps: number;
  maxTokens?: number;
  maxCostUsd?: number;
  timeoutMs?: number;
  toolTimeoutMs: number;
  maxInvalidToolCalls: number;
}

export interface AgentDefinition {
  name: string;
  description: string;
  instructions: string;
  model: string;
  tools: string[];
  space?: string;
  limits: AgentLimits;
  memory: { recall: number; contextTokens?: number; extract: boolean };
  [key: string]: unknown;
}

export interface Agent {
  id: string;
  name: string;
  version: number;
  definition: AgentDefinition;
  createdAt: string;
  updatedAt: string;
}

export type RunStatus =
  | 'queued'
  | 'running'
  | 'paused'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'budget_exceeded';

export interface RunUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  modelCalls: number;
  toolCalls: number;
}

export type RunPause =
  | { reason: 'tool_outcome_unknown'; turn: number; callIndex: number; tool: string; message: string }
  | {
      reason: 'approval_required';
      turn: number;
      callIndex: number;
      tool: string;
      message: string;
      approvalId: string;
      ruleId: string;
    }
  | {
      reason: 'question';
      turn: number;
      callIndex: number;
      tool: string;
      message: string;
      question: string;
      choices?: string[];
      expiresAt: string;
    };

export interface Run {
  id: string;
  agentId: string;
  agentVersion: number;
  userId: string | null;
  status: RunStatus;
  priority: string;
  input: { task?: string } & Record<string, unknown>;
  output: { text: string } | null;
  error: { code: string; message: string } | null;
  pause: RunPause | null;
  usage: RunUsage;
  attempt: number;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface RunStep {
  turn: number;
  callIndex: number;
  kind: 'model' | 'tool' | 'pause' | 'context' | 'compaction' | 'extraction';
  status: 'started' | 'completed' | 'failed' | 'unknown';
  attempt: number;
  name: string | null;
  input: unknown;
  result: unknown;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  startedAt: string;
  finishedAt: string | null;
}

export interface RunTreeNode {
  id: string;
  agentId: string;
  status: RunStatus;
  depth: number;
  parentRunId: string | null;
  createdAt: string;
  children: RunTreeNode[];
}

export interface Approval {
  id: string;
  runId: string;
  turn: number;
  callIndex: number;
  tool: string;
  argumentsHash: string;
  policyVersion: string;
  userId: string | null;
  ruleId: string;
  reason: string;
  status: 'pending' | 'approved' | 'denied' | 'expired';
  requestedAt: string;
  expiresAt: string;
  decidedBy: string | null;
  decidedByName: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
}

export interface AuditEntry {
  seq: number;
  at: string;
  workspaceId: string | null;
  actor: Record<string, unknown>;
  action: string;
  resource: Record<string, unknown>;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface Memory {
  id: string;
  kind: string;
  content: string;
  subjects: string[];
  context: string;
  scope: string;
  trust: string;
  validFrom: string;
  validTo: string | null;
  occurredAt: string | null;
  scopeId: string;
  provenance: Record<string, unknown>;
  confidence: number;
  importance: number;
  createdAt: string;
  updatedAt: string;
  supersededBy?: string | null;
  score?: number;
  [key: string]: unknown;
}

export interface Space {
  id: string;
  name: string;
  visibility: 'open' | 'restricted';
  [key: string]: unknown;
}

export interface Member {
  id: string;
  email: string;
  name: string;
  role?: string;
  [key: string]: unknown;
}

export interface Group {
  id: string;
  name: string;
  members: string[];
}
