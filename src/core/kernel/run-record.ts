import type { RunInput } from './journal-format.ts';
import type { Priority } from './model-gateway.ts';

export type RunStatus =
  | 'queued'
  | 'running'
  | 'paused'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'budget_exceeded';
export const TERMINAL_STATUSES: readonly RunStatus[] = [
  'succeeded',
  'failed',
  'cancelled',
  'budget_exceeded',
];
export const isTerminal = (status: RunStatus): boolean => TERMINAL_STATUSES.includes(status);

export interface RunUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  modelCalls: number;
  toolCalls: number;
}

/** The agent's online checks of the answer (evals/run-checks.ts); a failure flags the run. */
export interface RunChecks {
  passed: boolean;
  failures: Array<{ criterion: string; kind: string; detail: string }>;
  onFail?: 'flag' | 'retry' | 'escalate';
  /** `retry`: the run started with the failure reasons appended (linked as this run's child). */
  retryRunId?: string;
  retriesExhausted?: boolean;
  /** `escalate`: the escalation a person is asked to resolve (GET /api/evals/escalations). */
  escalationId?: string;
}

export interface RunOutput {
  text: string;
  checks?: RunChecks;
  /** Untrusted content had reached the run when it answered: what it wrote may carry it. */
  tainted?: true;
}

export interface RunError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Why a run waits for a person, and what they are asked to decide. */
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
      /** ask_human: the call's step stays `started` until an answer (or expiry) completes it. */
      reason: 'question';
      turn: number;
      callIndex: number;
      tool: string;
      message: string;
      question: string;
      choices?: string[];
      askedUser?: string;
      askedRole?: string;
      expiresAt: string;
    };

export interface RunRecord {
  id: string;
  workspaceId: string;
  agentId: string;
  agentVersion: number;
  userId: string | null;
  status: RunStatus;
  priority: Priority;
  input: RunInput;
  output: RunOutput | null;
  error: RunError | null;
  pause: RunPause | null;
  usage: RunUsage;
  journalVersion: number;
  attempt: number;
  /** The last attempt that committed a step. */
  progressAttempt: number;
  maxAttempts: number;
  idempotencyKey: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  cancelRequested: boolean;
  /** The conversation this run replies in: its visibility is the conversation's. */
  conversationId: string | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface RunRow {
  id: string;
  workspace_id: string;
  agent_id: string;
  agent_version: number;
  user_id: string | null;
  status: RunStatus;
  priority: Priority;
  input: RunInput;
  output: RunOutput | null;
  error: RunError | null;
  pause: RunPause | null;
  usage: RunUsage;
  journal_version: number;
  attempt: number;
  progress_attempt: number;
  max_attempts: number;
  idempotency_key: string | null;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  cancel_requested: boolean;
  conversation_id: string | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export const RUN_COLUMNS = `id, workspace_id, agent_id, agent_version, user_id, status, priority, input, output, error,
  pause, usage, journal_version, attempt, progress_attempt, max_attempts, idempotency_key, lease_owner, lease_expires_at, cancel_requested,
  conversation_id, created_at, updated_at, started_at, finished_at`;

export function toRunRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    agentId: row.agent_id,
    agentVersion: row.agent_version,
    userId: row.user_id,
    status: row.status,
    priority: row.priority,
    input: row.input,
    output: row.output,
    error: row.error,
    pause: row.pause,
    usage: row.usage,
    journalVersion: row.journal_version,
    attempt: row.attempt,
    progressAttempt: row.progress_attempt,
    maxAttempts: row.max_attempts,
    idempotencyKey: row.idempotency_key,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    cancelRequested: row.cancel_requested,
    conversationId: row.conversation_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
