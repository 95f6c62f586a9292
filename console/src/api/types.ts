/** The JSON shapes of the public API the console reads (dates arrive as ISO strings). */

import type { ApiSchemas } from '../../../src/surfaces/client/agent-os-client.ts';

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

/** Agents and runs as the OpenAPI document declares them (generated: `npm run gen:client`). */
export type Agent = ApiSchemas['Agent'];
export type AgentDefinition = Agent['definition'];
export type AgentLimits = AgentDefinition['limits'];
export type Run = ApiSchemas['Run'];
export type RunStatus = Run['status'];
export type RunUsage = Run['usage'];
export type RunPause = NonNullable<Run['pause']>;

/** Conversations as the OpenAPI document declares them: threads, their messages, replies and files. */
export type Conversation = ApiSchemas['Conversation'];
export type ConversationMessage = ApiSchemas['ConversationMessage'];
export type PlannedReply = ConversationMessage['replies'][number];
export type ConversationReply = ApiSchemas['ConversationReply'];
export type ConversationFile = ApiSchemas['ConversationFile'];
export type MessageAttachment = ApiSchemas['MessageAttachment'];

export interface RunStep {
  turn: number;
  callIndex: number;
  /** A registered journal step kind: model, tool, context, compaction, or a plugin's (conversation.summary, extraction, check). */
  kind: string;
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
  /** finishedAt less startedAt; null while the step runs. */
  durationMs: number | null;
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
  /** The call's arguments (secret ones masked); null on approvals stored before they were kept. */
  arguments: unknown;
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
  actor: { type: 'user' | 'agent' | 'system'; id: string; onBehalfOf?: string; keyId?: string };
  action: string;
  resource: { type: string; id: string | null };
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** `GET /api/audit`: newest first; `next` is the `before` of the older page; `names` keyed `<type>:<id>`. */
export interface AuditPage {
  entries: AuditEntry[];
  next: number | null;
  hasMore: boolean;
  names: Record<string, string>;
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
