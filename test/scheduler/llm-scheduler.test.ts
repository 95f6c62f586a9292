import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SchedulerConfig, schedulerConfigSchema } from '../../src/core/config/scheduler-config.ts';
import type { ModelCallRequest, Priority } from '../../src/core/kernel/model-gateway.ts';
import { createModelRegistry } from '../../src/core/models/provider-registry.ts';
import type { Clock } from '../../src/core/time/clock.ts';
import { ManualClock } from '../../src/core/time/manual-clock.ts';
import { LlmScheduler } from '../../src/plugins/scheduler/llm-scheduler.ts';
import { eventually } from '../support/eventually.ts';
import {
  type RecordedRequest,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../support/scripted-model-server.ts';

let model: ScriptedModelServer;
let scheduler: LlmScheduler | undefined;

function schedulerWith(config: Partial<SchedulerConfig>, clock?: Clock): LlmScheduler {
  scheduler = new LlmScheduler(
    createModelRegistry({ compatible: [{ name: 'sim', baseURL: model.url }] }),
    schedulerConfigSchema.parse(config),
    clock === undefined ? {} : { clock },
  );
  return scheduler;
}

function request(
  label: string,
  priority: Priority = 'standard',
  workspaceId = 'ws_a',
  agentId = 'agt_1',
): ModelCallRequest {
  return {
    model: 'sim:m',
    messages: [{ role: 'user', content: label }],
    tools: [],
    priority,
    workspaceId,
    agentId,
    runId: `run_${label}`,
  };
}

const labelOf = (r: RecordedRequest) => String(r.body.messages[0]?.content);

/** Most requests the server was serving at once, from arrival times and the scripted delay. */
function maxConcurrent(requests: readonly RecordedRequest[], durationMs: number): number {
  let max = 0;
  for (const r of requests) {
    max = Math.max(
      max,
      requests.filter((o) => o.receivedAt <= r.receivedAt && r.receivedAt < o.receivedAt + durationMs - 5)
        .length,
    );
  }
  return max;
}

beforeEach(async () => {
  model = await startScriptedModelServer();
});
afterEach(async () => {
  scheduler?.close();
  await model.close();
});

describe('LLM scheduler', () => {
  it('never exceeds the lane concurrency', async () => {
    model.setHandler(() => ({ text: 'ok', delayMs: 80 }));
    const s = schedulerWith({ lanes: { sim: { concurrency: 3 } } });
    const signal = new AbortController().signal;
    await Promise.all(Array.from({ length: 12 }, (_, i) => s.call(request(`c${i}`), { signal })));
    expect(model.requests).toHaveLength(12);
    expect(maxConcurrent(model.requests, 80)).toBe(3);
  });

  it('serves an interactive call before a backlog of background calls', async () => {
    model.setHandler(() => ({ text: 'ok', delayMs: 30 }));
    const s = schedulerWith({ lanes: { sim: { concurrency: 1 } } });
    const signal = new AbortController().signal;
    const background = Array.from({ length: 8 }, (_, i) =>
      s.call(request(`bg${i}`, 'background'), { signal }),
    );
    const interactive = s.call(request('urgent', 'interactive'), { signal });
    await Promise.all([...background, interactive]);
    const order = model.requests.map(labelOf);
    expect(order.indexOf('urgent')).toBe(1);
  });

  it('does not starve background work behind a steady interactive stream', async () => {
    model.setHandler(() => ({ text: 'ok', delayMs: 5 }));
    const s = schedulerWith({ lanes: { sim: { concurrency: 1 } } });
    const signal = new AbortController().signal;
    const calls = [s.call(request('bg', 'background'), { signal })];
    for (let i = 0; i < 30; i++) calls.push(s.call(request(`i${i}`, 'interactive'), { signal }));
    await Promise.all(calls);
    expect(model.requests.map(labelOf).indexOf('bg')).toBeLessThan(12);
  });

  it('shares the lane fairly between a small and a large workspace', async () => {
    model.setHandler(() => ({ text: 'ok', delayMs: 10 }));
    const s = schedulerWith({ lanes: { sim: { concurrency: 2 } } });
    const signal = new AbortController().signal;
    const calls = [];
    for (let i = 0; i < 40; i++)
      calls.push(s.call(request(`A-${i}`, 'standard', 'ws_a', `agt_a${i % 2}`), { signal }));
    for (let i = 0; i < 200; i++)
      calls.push(s.call(request(`B-${i}`, 'standard', 'ws_b', `agt_b${i % 20}`), { signal }));
    await Promise.all(calls);
    const first60 = model.requests.slice(0, 60).map(labelOf);
    const fromA = first60.filter((l) => l.startsWith('A-')).length;
    expect(fromA).toBeGreaterThanOrEqual(25);
    expect(fromA).toBeLessThanOrEqual(35);
  });

  it('pauses the whole lane on a 429 for its Retry-After, then finishes everything', async () => {
    let first = true;
    model.setHandler(() => {
      if (first) {
        first = false;
        return { kind: 'error', status: 429, retryAfterMs: 300 };
      }
      return { text: 'ok', delayMs: 5 };
    });
    const clock = new ManualClock();
    const s = schedulerWith({ lanes: { sim: { concurrency: 1, rpm: 1000 } } }, clock);
    const signal = new AbortController().signal;
    const calls = Array.from({ length: 4 }, (_, i) => s.call(request(`r${i}`), { signal }));
    await eventually(() => expect(s.snapshot()[0]).toMatchObject({ rateLimited: 1, pausedForMs: 300 }));
    // However long the lane waits in real time, nothing is sent until 300 ms pass on its clock.
    clock.advance(299);
    expect(s.snapshot()[0]).toMatchObject({ dispatched: 1, inFlight: 0, pausedForMs: 1 });
    expect(model.requests).toHaveLength(1);
    clock.advance(1);
    expect(s.snapshot()[0]).toMatchObject({ dispatched: 2, inFlight: 1, pausedForMs: 0 });
    await Promise.all(calls);
    expect(model.requests.map(labelOf)).toEqual(['r0', 'r0', 'r1', 'r2', 'r3']);
    expect(s.snapshot()[0]).toMatchObject({ rateLimited: 1, dispatched: 5, failed: 0 });
  });

  it('holds a call over the RPM budget until the 60 s window moves on, by its clock', async () => {
    model.setHandler(() => ({ text: 'ok' }));
    const clock = new ManualClock();
    const s = schedulerWith({ lanes: { sim: { concurrency: 4, rpm: 2 } } }, clock);
    const signal = new AbortController().signal;
    const done: string[] = [];
    const calls = ['w0', 'w1', 'w2'].map((label) =>
      s.call(request(label), { signal }).then(() => done.push(label)),
    );
    await eventually(() => expect(done).toEqual(expect.arrayContaining(['w0', 'w1'])));
    expect(s.snapshot()[0]).toMatchObject({ dispatched: 2, windowRequests: 2, queued: { standard: 1 } });
    // The window is 60 s plus a 250 ms margin for the provider's own stamp.
    clock.advance(60_249);
    expect(s.snapshot()[0]).toMatchObject({ dispatched: 2, queued: { standard: 1 } });
    clock.advance(1);
    expect(s.snapshot()[0]).toMatchObject({ dispatched: 3, windowRequests: 1, queued: { standard: 0 } });
    await Promise.all(calls);
    expect(done).toEqual(['w0', 'w1', 'w2']);
  });

  it('learns the capacity of a provider that rejects instead of queueing', async () => {
    // The provider serves two calls at once, 40 ms each (its service time, not a wait of the test), and turns away any more.
    let serving = 0;
    model.setHandler(async () => {
      if (serving >= 2) return { kind: 'error', status: 429, retryAfterMs: 20 };
      serving++;
      await new Promise((r) => setTimeout(r, 40));
      serving--;
      return { text: 'ok' };
    });
    const s = schedulerWith({});
    const signal = new AbortController().signal;
    // The first burst discovers the capacity (the provider says no to most of it)…
    await Promise.all(Array.from({ length: 30 }, (_, i) => s.call(request(`x${i}`), { signal })));
    const afterBurst = s.snapshot()[0]!;
    expect(afterBurst.failed).toBe(0);
    expect(afterBurst.limits.concurrency).toBeLessThanOrEqual(3);
    // …after which a second burst is paced to it.
    await Promise.all(Array.from({ length: 30 }, (_, i) => s.call(request(`y${i}`), { signal })));
    const afterSecond = s.snapshot()[0]!;
    expect(afterSecond.failed).toBe(0);
    expect(afterSecond.rateLimited - afterBurst.rateLimited).toBeLessThanOrEqual(3);
  });

  it('fails a call clearly after its retries, and drops a cancelled call from the queue unsent', async () => {
    model.setHandler(() => ({ kind: 'error', status: 500 }));
    const s = schedulerWith({ lanes: { sim: { concurrency: 1 } }, maxRetries: 1 });
    const error = await s
      .call(request('doomed'), { signal: new AbortController().signal })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'model.provider_error', details: { attempts: 2 } });

    model.setHandler(() => ({ text: 'slow', delayMs: 100 }));
    const busy = s.call(request('busy'), { signal: new AbortController().signal });
    const controller = new AbortController();
    const queued = s.call(request('queued'), { signal: controller.signal });
    controller.abort(new Error('cancelled by test'));
    await expect(queued).rejects.toThrow('cancelled by test');
    await busy;
    expect(model.requests.map(labelOf)).not.toContain('queued');
  });
});
