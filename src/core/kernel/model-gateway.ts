import type { ModelResult } from './journal-format.ts';
import type { ChatMessage } from './messages.ts';

export type Priority = 'interactive' | 'standard' | 'background';

export interface ModelToolSpec {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface ModelCallRequest {
  /** `<provider>:<model>` */
  model: string;
  messages: readonly ChatMessage[];
  tools: readonly ModelToolSpec[];
  maxOutputTokens?: number | undefined;
  priority: Priority;
  workspaceId: string;
  agentId: string;
  runId: string;
}

export interface ModelCallHooks {
  signal: AbortSignal;
  onTextDelta?: (delta: string) => void;
  /** A retry restarts the answer: text streamed so far is void. */
  onRetry?: (info: { attempt: number; reason: string; delayMs: number }) => void;
}

/** Every model call of every run goes through a gateway; the LLM scheduler is one. */
export interface ModelGateway {
  call(request: ModelCallRequest, hooks: ModelCallHooks): Promise<ModelResult>;
}
