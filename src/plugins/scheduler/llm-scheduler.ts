import { parseModelName } from '../../core/config/model-name.ts';
import type { SchedulerConfig } from '../../core/config/scheduler-config.ts';
import { AgentOsError } from '../../core/errors/agent-os-error.ts';
import type { ModelResult } from '../../core/kernel/journal-format.ts';
import type { ChatMessage } from '../../core/kernel/messages.ts';
import type { ModelCallHooks, ModelCallRequest, ModelGateway } from '../../core/kernel/model-gateway.ts';
import { classifyProviderFault, type ProviderFault } from '../../core/models/provider-fault.ts';
import type { ModelRegistry } from '../../core/models/provider-registry.ts';
import { backoffDelayMs } from '../../core/models/retry-policy.ts';
import { type CancelTimer, type Clock, systemClock } from '../../core/time/clock.ts';
import { Lane, type QueuedCall } from './lane.ts';
import { asV3, streamModelOnce, toCallOptions } from './provider-call.ts';
import { type LaneSnapshot, snapshotLane } from './scheduler-snapshot.ts';

/** ceil(chars / 4): the estimate the admission control uses before the provider reports usage. */
export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const message of messages) {
    if (message.role === 'system' || message.role === 'user') chars += message.content.length;
    else if (message.role === 'assistant')
      chars += message.text.length + message.toolCalls.reduce((n, c) => n + c.argumentsText.length, 0);
    else chars += JSON.stringify(message.result.output ?? '').length;
  }
  return Math.ceil(chars / 4);
}

interface Dispatch {
  lane: Lane;
  call: QueuedCall;
  entry: ReturnType<Lane['window']['add']>;
  chargedMs: number;
}

/**
 * The LLM scheduler: every model call of every run is admitted here. Per lane (provider or model):
 * a concurrency limit and RPM/TPM budgets; priority classes with ageing; weighted fair share across
 * workspaces, then agents. A 429 pauses the whole lane for its Retry-After, not just the one call.
 */
export class LlmScheduler implements ModelGateway {
  readonly #models: ModelRegistry;
  readonly #config: SchedulerConfig;
  readonly #lanes = new Map<string, Lane>();
  readonly #clock: Clock;
  readonly #timers = new Map<Lane, CancelTimer>();
  readonly #inFlight = new Map<QueuedCall, Dispatch>();
  #share = 1;
  get #backoff() {
    return { baseDelayMs: this.#config.retryBaseDelayMs, maxDelayMs: this.#config.retryMaxDelayMs };
  }

  /** `clock` drives rate windows, pauses, backoff and wake-ups (a manual clock in tests). */
  constructor(models: ModelRegistry, config: SchedulerConfig, options: { clock?: Clock } = {}) {
    this.#models = models;
    this.#config = config;
    this.#clock = options.clock ?? systemClock;
  }

  /** This process's fraction of every lane's limits (1 / live processes sharing the store). */
  setShare(share: number): void {
    this.#share = Math.min(1, Math.max(0.000_001, share));
    for (const lane of this.#lanes.values()) {
      lane.share = this.#share;
      this.#pump(lane);
    }
  }

  laneFor(modelName: string): Lane {
    const { provider } = parseModelName(modelName);
    const key = this.#config.lanes[modelName] !== undefined ? modelName : provider;
    let lane = this.#lanes.get(key);
    if (lane === undefined) {
      const limits = this.#config.lanes[key] ?? this.#config.defaultLane;
      lane = new Lane(
        key,
        limits,
        (workspaceId) => this.#config.workspaceWeights[workspaceId] ?? 1,
        this.#clock,
      );
      lane.share = this.#share;
      this.#lanes.set(key, lane);
    }
    return lane;
  }

  call(request: ModelCallRequest, hooks: ModelCallHooks): Promise<ModelResult> {
    const lane = this.laneFor(request.model);
    const model = asV3(this.#models.languageModel(request.model), request.model);
    const estimatedTokens =
      estimatePromptTokens(request.messages) +
      (request.maxOutputTokens ?? Math.ceil(lane.avgCompletionTokens));
    return new Promise<ModelResult>((resolve, reject) => {
      let attempts = 0;
      const { signal } = hooks;
      const onAbort = () => {
        if (lane.remove(call)) reject(signal.reason);
      };
      const settle = (action: () => void) => {
        signal.removeEventListener('abort', onAbort);
        action();
      };
      const retry = (fault: ProviderFault, error: unknown) => {
        if (attempts > this.#config.maxRetries) {
          lane.stats.failed++;
          const message = `Model provider call failed (${fault.kind}${fault.status ? `, HTTP ${fault.status}` : ''}) after ${attempts} attempts: ${fault.message}`;
          settle(() =>
            reject(new AgentOsError('model.provider_error', message, { fault, attempts }, { cause: error })),
          );
          return;
        }
        lane.stats.retried++;
        const delayMs = fault.kind === 'rate_limited' ? 0 : backoffDelayMs(attempts, fault, this.#backoff);
        hooks.onRetry?.({
          attempt: attempts,
          reason: fault.message,
          delayMs: Math.max(delayMs, lane.pausedUntil - this.#clock.now()),
        });
        const requeue = () => {
          call.enqueuedAt = this.#clock.now();
          lane.enqueue(call, true);
          this.#pump(lane);
        };
        if (delayMs > 0) this.#clock.timer(delayMs, requeue, { keepAlive: true });
        else requeue();
      };
      const call: QueuedCall = {
        workspaceId: request.workspaceId,
        agentId: request.agentId,
        priority: request.priority,
        enqueuedAt: this.#clock.now(),
        estimatedTokens,
        start: () => {},
      };
      call.start = () => {
        attempts++;
        const dispatch = this.#inFlight.get(call)!;
        const timeout = this.#attemptTimeout();
        const attemptSignal = AbortSignal.any([signal, timeout.signal]);
        const startedAt = this.#clock.now();
        streamModelOnce(model, toCallOptions(request, attemptSignal), hooks.onTextDelta).then(
          (result) => {
            timeout.cancel();
            this.#release(
              dispatch,
              this.#clock.now() - startedAt,
              result.inputTokens + result.outputTokens,
              result.outputTokens,
            );
            lane.learnSuccess();
            settle(() => resolve(result));
          },
          (error: unknown) => {
            timeout.cancel();
            const fault = classifyProviderFault(error, {
              callerSignal: signal,
              timeoutSignal: timeout.signal,
            });
            if (fault.kind === 'rate_limited' && !signal.aborted) {
              // Pause (and learn) before the slot is released, so the release does not dispatch into the 429.
              lane.stats.rateLimited++;
              lane.pausedUntil = Math.max(
                lane.pausedUntil,
                this.#clock.now() + (fault.retryAfterMs ?? backoffDelayMs(attempts, fault, this.#backoff)),
              );
              // Without configured rate limits, a 429 means "fuller than I can serve": learn the capacity.
              if (lane.limits.rpm === undefined && lane.limits.tpm === undefined)
                lane.learnRejection(lane.inFlight - 1);
            }
            this.#release(dispatch, this.#clock.now() - startedAt, dispatch.entry.tokens, undefined);
            if (signal.aborted) return settle(() => reject(signal.reason));
            if (!fault.retryable) {
              lane.stats.failed++;
              const message = `Model provider call failed (${fault.kind}${fault.status ? `, HTTP ${fault.status}` : ''}): ${fault.message}`;
              return settle(() =>
                reject(
                  new AgentOsError('model.provider_error', message, { fault, attempts }, { cause: error }),
                ),
              );
            }
            retry(fault, error);
          },
        );
      };
      if (signal.aborted) return reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      lane.enqueue(call);
      this.#pump(lane);
    });
  }

  /** Like `AbortSignal.timeout(attemptTimeoutMs)`, on the scheduler's clock. */
  #attemptTimeout(): { signal: AbortSignal; cancel: CancelTimer } {
    const controller = new AbortController();
    const cancel = this.#clock.timer(this.#config.attemptTimeoutMs, () =>
      controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    );
    return { signal: controller.signal, cancel };
  }

  #release(
    dispatch: Dispatch,
    durationMs: number,
    actualTokens: number,
    completionTokens: number | undefined,
  ): void {
    const { lane, call } = dispatch;
    this.#inFlight.delete(call);
    lane.inFlight--;
    lane.window.correct(dispatch.entry, actualTokens);
    lane.queues[call.priority].completed(call.workspaceId, dispatch.chargedMs, durationMs);
    if (completionTokens !== undefined) lane.observe(durationMs, completionTokens);
    this.#pump(lane);
  }

  /** Admits as many queued calls as the lane's limits allow, and sets a timer for the next admissible moment. */
  #pump(lane: Lane): void {
    for (;;) {
      const now = this.#clock.now();
      if (lane.pausedUntil > now) {
        this.#wakeAt(lane, lane.pausedUntil);
        return;
      }
      const limits = lane.effectiveLimits();
      if (lane.inFlight >= limits.concurrency) return;
      const queue = lane.nextQueue(now, this.#config.agingMs);
      const call = queue?.shift();
      if (queue === undefined || call === undefined) return;
      const admissibleAt = lane.window.admissibleAt(now, call.estimatedTokens, limits);
      if (admissibleAt > now) {
        queue.push(call, true);
        this.#wakeAt(lane, admissibleAt);
        return;
      }
      lane.inFlight++;
      const wait = now - call.enqueuedAt;
      lane.stats.dispatched++;
      lane.stats.waitMsTotal += wait;
      lane.stats.maxWaitMs = Math.max(lane.stats.maxWaitMs, wait);
      const chargedMs = lane.avgDurationMs;
      queue.dispatched(call.workspaceId, chargedMs);
      this.#inFlight.set(call, { lane, call, entry: lane.window.add(now, call.estimatedTokens), chargedMs });
      call.start();
    }
  }

  #wakeAt(lane: Lane, at: number): void {
    if (this.#timers.has(lane)) return;
    const cancel = this.#clock.timer(Math.max(1, at - this.#clock.now()), () => {
      this.#timers.delete(lane);
      this.#pump(lane);
    });
    this.#timers.set(lane, cancel);
  }

  snapshot(): LaneSnapshot[] {
    const now = this.#clock.now();
    return [...this.#lanes.values()].map((lane) => snapshotLane(lane, now));
  }

  close(): void {
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
  }
}
