import type {
  AgentCard,
  CancelTaskRequest,
  GetTaskRequest,
  ListTaskPushNotificationConfigsResponse,
  ListTasksResponse,
  Message,
  SendMessageRequest,
  StreamResponse,
  SubscribeToTaskRequest,
  Task,
  TaskPushNotificationConfig,
} from '@a2a-js/sdk';
import {
  A2AError,
  ContentTypeNotSupportedError,
  PushNotificationNotSupportedError,
  RequestMalformedError,
  TaskNotCancelableError,
  TaskNotFoundError,
  UnsupportedOperationError,
} from '@a2a-js/sdk/errors';
import type { A2ARequestHandler } from '@a2a-js/sdk/server';
import { getAgent } from '../../core/agents/agent-repo.ts';
import { assertUserSeesAgent, listVisibleAgents } from '../../core/agents/agent-visibility.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { Principal } from '../../core/identity/api-keys.ts';
import type { Kernel } from '../../core/kernel/kernel.ts';
import type { RunRecord } from '../../core/kernel/run-record.ts';
import { getRun } from '../../core/kernel/run-repo.ts';
import { answerPausedRun } from '../../plugins/orchestration/question-answers.ts';
import type { RequestAuthorizer } from '../../plugins/policy/request-authorizer.ts';
import { runResources } from '../../plugins/policy/run-access.ts';
import { agentCard, agentSkill, workspaceCard } from './agent-cards.ts';
import { postToContext } from './context-conversation.ts';
import { followTask } from './follow-task.ts';
import { contextOf, endsStream, runToTask, taskState } from './run-task.ts';

export interface A2ACaller {
  principal: Principal;
  authorizer: RequestAuthorizer;
  /** Aborted when the HTTP request goes away. */
  signal: AbortSignal;
}

export interface A2AEndpoint {
  origin: string;
  version: string;
  /** Set on a per-agent endpoint: every task runs, and must belong to, this agent. */
  agent?: string;
  /** How long a blocking `SendMessage` waits for the run to end or pause. */
  blockingTimeoutMs: number;
}

/**
 * The A2A operations mapped onto runs, for one authenticated caller. The SDK's JSON-RPC transport
 * (`JsonRpcTransportHandler`) parses requests and serialises results and errors around it.
 */
export class RunRequestHandler implements A2ARequestHandler {
  readonly #kernel: Kernel;
  readonly #caller: A2ACaller;
  readonly #endpoint: A2AEndpoint;
  readonly #log: (message: string) => void;

  constructor(kernel: Kernel, caller: A2ACaller, endpoint: A2AEndpoint, log: (message: string) => void) {
    this.#kernel = kernel;
    this.#caller = caller;
    this.#endpoint = endpoint;
    this.#log = log;
  }

  async getAgentCard(): Promise<AgentCard> {
    return workspaceCard(this.#endpoint.origin, this.#endpoint.version);
  }

  /** The workspace's card with the agents this caller may run as skills; on an agent's endpoint, its card. */
  getAuthenticatedExtendedAgentCard(): Promise<AgentCard> {
    return this.#translate(async () => {
      const { workspaceId, userId } = this.#caller.principal;
      if (this.#endpoint.agent !== undefined) {
        const agent = await getAgent(this.#kernel.store, workspaceId, this.#endpoint.agent);
        await assertUserSeesAgent(this.#kernel.store, agent, userId);
        return agentCard(this.#endpoint.origin, this.#endpoint.version, agent);
      }
      const agents = await listVisibleAgents(this.#kernel.store, workspaceId, userId);
      return workspaceCard(this.#endpoint.origin, this.#endpoint.version, agents.map(agentSkill));
    });
  }

  sendMessage(params: SendMessageRequest): Promise<Message | Task> {
    return this.#translate(async () => {
      const run = await this.#accept(params);
      const history = params.configuration?.historyLength;
      if (params.configuration?.returnImmediately === true) return runToTask(run, history);
      const settled = await this.#kernel.runs.wait(run.workspaceId, run.id, {
        timeoutMs: this.#endpoint.blockingTimeoutMs,
        signal: this.#caller.signal,
      });
      return runToTask(settled, history);
    });
  }

  async *sendMessageStream(params: SendMessageRequest): AsyncGenerator<StreamResponse, void, undefined> {
    const run = await this.#translate(() => this.#accept(params));
    yield* this.#stream(run);
  }

  async *resubscribe(params: SubscribeToTaskRequest): AsyncGenerator<StreamResponse, void, undefined> {
    const run = await this.#translate(() => this.#ownedRun(params.id));
    yield* this.#stream(run);
  }

  getTask(params: GetTaskRequest): Promise<Task> {
    return this.#translate(async () => runToTask(await this.#ownedRun(params.id), params.historyLength));
  }

  cancelTask(params: CancelTaskRequest): Promise<Task> {
    return this.#translate(async () => {
      const run = await this.#ownedRun(params.id);
      let cancelled: RunRecord;
      try {
        cancelled = await this.#kernel.runs.cancel(run.workspaceId, run.id);
      } catch (error) {
        if (error instanceof AgentOsError && error.code === 'run.invalid_state') {
          throw new TaskNotCancelableError(`Task ${run.id} has already ended (${run.status})`);
        }
        throw error;
      }
      return runToTask(cancelled);
    });
  }

  async listTasks(): Promise<ListTasksResponse> {
    throw new UnsupportedOperationError('ListTasks is not offered: list runs with GET /api/runs');
  }

  async createTaskPushNotificationConfig(): Promise<TaskPushNotificationConfig> {
    throw new PushNotificationNotSupportedError('Push notifications are not supported: stream instead');
  }

  async getTaskPushNotificationConfig(): Promise<TaskPushNotificationConfig> {
    throw new PushNotificationNotSupportedError('Push notifications are not supported');
  }

  async listTaskPushNotificationConfigs(): Promise<ListTaskPushNotificationConfigsResponse> {
    throw new PushNotificationNotSupportedError('Push notifications are not supported');
  }

  async deleteTaskPushNotificationConfig(): Promise<void> {
    throw new PushNotificationNotSupportedError('Push notifications are not supported');
  }

  async *#stream(run: RunRecord): AsyncGenerator<StreamResponse, void, undefined> {
    yield { payload: { $case: 'task', value: runToTask(run) } };
    if (endsStream(taskState(run))) return;
    yield* followTask(this.#kernel, run, this.#caller.signal);
  }

  /**
   * A message without taskId is posted into its context's conversation (a new one without contextId) and
   * answered by a run; a message on a task waiting for an answer answers its question.
   */
  async #accept(params: SendMessageRequest): Promise<RunRecord> {
    const message = params.message;
    if (message === undefined) throw new RequestMalformedError('params.message is required');
    const text = messageText(message);
    if (message.taskId !== '') return this.#answer(message.taskId, message.contextId, text);
    return postToContext(this.#kernel, this.#caller, {
      text,
      agent: this.#endpoint.agent ?? metadataAgent(params.metadata) ?? metadataAgent(message.metadata),
      contextId: message.contextId,
      messageId: message.messageId,
    });
  }

  async #answer(taskId: string, contextId: string, text: string): Promise<RunRecord> {
    const run = await this.#ownedRun(taskId);
    if (contextId !== '' && contextId !== contextOf(run)) {
      throw new RequestMalformedError(`Task ${taskId} is not in context "${contextId}"`);
    }
    if (run.status !== 'paused' || run.pause?.reason !== 'question') {
      throw new UnsupportedOperationError(
        `Task ${taskId} is ${run.status}: only a task that asked a question takes a follow-up message; send a new message without taskId instead`,
      );
    }
    const { principal } = this.#caller;
    await answerPausedRun(
      this.#kernel,
      { workspaceId: principal.workspaceId, userId: principal.userId, isAdmin: principal.role === 'admin' },
      run.id,
      text,
    );
    return getRun(this.#kernel.store, run.workspaceId, run.id);
  }

  /** The caller's own run (any run for admins), on this endpoint's agent; anything else is "not found". */
  async #ownedRun(taskId: string): Promise<RunRecord> {
    const { principal } = this.#caller;
    let run: RunRecord;
    try {
      run = await getRun(this.#kernel.store, principal.workspaceId, taskId);
    } catch (error) {
      if (error instanceof AgentOsError && error.code === 'run.not_found') throw notFound(taskId);
      throw error;
    }
    const [resource] = await runResources(this.#kernel.store, [run]);
    if (resource === undefined || !(await this.#caller.authorizer.allows('runs.read', resource)))
      throw notFound(taskId);
    if (this.#endpoint.agent !== undefined) {
      const agent = await getAgent(this.#kernel.store, principal.workspaceId, this.#endpoint.agent);
      if (agent.id !== run.agentId) throw notFound(taskId);
    }
    return run;
  }

  /** Agent OS errors as A2A errors; anything unexpected is logged and answered without its details. */
  async #translate<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof AgentOsError)) {
        if (error instanceof A2AError) throw error;
        this.#log(`a2a: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        throw new Error('An internal error occurred');
      }
      if (error.code === 'run.not_found') throw new TaskNotFoundError(error.message);
      if (error.code === 'internal' || error.code.startsWith('store.')) {
        this.#log(`a2a: ${error.code}: ${error.message}`);
        throw new Error('An internal error occurred');
      }
      // Unknown or invisible agents, denied policies, invalid input: the request cannot be served as sent.
      throw new RequestMalformedError(`${error.code}: ${error.message}`);
    }
  }
}

function notFound(taskId: string): Error {
  return new TaskNotFoundError(`No task "${taskId}"`);
}

function metadataAgent(metadata: Record<string, unknown> | undefined): string | undefined {
  const agent = metadata?.agent;
  return typeof agent === 'string' && agent !== '' ? agent : undefined;
}

function messageText(message: Message): string {
  const texts: string[] = [];
  for (const part of message.parts) {
    if (part.content?.$case === 'text') texts.push(part.content.value);
    else if (part.content?.$case === 'data') texts.push(JSON.stringify(part.content.value));
    else throw new ContentTypeNotSupportedError('Only text and data parts are accepted');
  }
  const text = texts.join('\n').trim();
  if (text === '') throw new RequestMalformedError('The message has no text');
  return text;
}
