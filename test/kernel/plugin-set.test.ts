import { describe, expect, it } from 'vitest';
import type { KernelPlugin } from '../../src/core/kernel/kernel-plugin.ts';
import type { ModelGateway } from '../../src/core/kernel/model-gateway.ts';
import { PluginSet } from '../../src/core/kernel/plugin-set.ts';
import { PeriodicTask } from '../../src/core/time/periodic-task.ts';
import { defaultPlugins } from '../../src/runtime/default-plugins.ts';
import { testConfig } from '../support/test-config.ts';

/** A gateway that records which layers a call went through, innermost last. */
const tracing =
  (trail: string[], name: string) =>
  (next: ModelGateway): ModelGateway => ({
    call: (request, hooks) => {
      trail.push(name);
      return next.call(request, hooks);
    },
  });

describe('the plugin set', () => {
  it('nests model-call middleware with the first plugin outermost', async () => {
    const trail: string[] = [];
    const base: ModelGateway = {
      call: async () => {
        trail.push('base');
        return { v: 1, text: '', toolCalls: [], finishReason: 'stop', inputTokens: 0, outputTokens: 0 };
      },
    };
    const set = new PluginSet([
      { name: 'a', modelCall: tracing(trail, 'a') },
      { name: 'quiet' },
      { name: 'b', modelCall: tracing(trail, 'b') },
    ]);
    const gateway = set.wrapGateway(base, {} as never);
    await gateway.call({} as never, {} as never);
    expect(trail).toEqual(['a', 'b', 'base']);
  });

  it('refuses two tool gates and step kinds that share a call index, naming them', () => {
    const gate = { open: async () => ({}) } as unknown as NonNullable<KernelPlugin['toolGate']>;
    expect(
      () =>
        new PluginSet([
          { name: 'one', toolGate: gate },
          { name: 'two', toolGate: gate },
        ]),
    ).toThrowError('Only one plugin may gate tool calls; one and two both do');
    expect(
      () =>
        new PluginSet([
          { name: 'x', stepKinds: [{ name: 'x.step', callIndex: 7_000_000 }] },
          { name: 'y', stepKinds: [{ name: 'y.step', callIndex: 7_000_000 }] },
        ]),
    ).toThrowError(/"x\.step" and "y\.step" share call index 7000000/);
  });

  it("knows the kernel's event kinds and those plugins declare, refusing one declared twice", () => {
    const set = new PluginSet([{ name: 'notes', eventKinds: ['notes.taken'] }]);
    expect(set.eventKinds.has('notes.taken')).toBe(true);
    expect(set.eventKinds.has('run.finished')).toBe(true);
    expect(set.eventKinds.has('memory.extracted')).toBe(false);
    expect(() => new PluginSet([{ name: 'rogue', eventKinds: ['run.finished'] }])).toThrowError(
      'Event kind "run.finished" is declared by the kernel and by plugin rogue',
    );
    expect(
      () =>
        new PluginSet([
          { name: 'a', eventKinds: ['x.y'] },
          { name: 'b', eventKinds: ['x.y'] },
        ]),
    ).toThrowError('Event kind "x.y" is declared by plugin a and by plugin b');
    expect(() => new PluginSet([{ name: 'c', eventKinds: ['Bad.Kind'] }])).toThrowError(
      /not a dotted lower-case/,
    );
  });

  it("collects every plugin's background work, in plugin order, without starting it", () => {
    const started: string[] = [];
    const service = (name: string) => ({ name, start: () => started.push(name), stop: async () => {} });
    const set = new PluginSet([
      { name: 'a', background: () => [service('a1'), service('a2')] },
      { name: 'b' },
      { name: 'c', background: () => [service('c1')] },
    ]);
    const services = set.background({ kernel: {} as never, log: () => {}, version: 'test' });
    expect(services.map((s) => s.name)).toEqual(['a1', 'a2', 'c1']);
    expect(started).toEqual([]);
  });

  it('composes the default plugins: their background work and their step kinds', () => {
    const config = testConfig();
    const set = new PluginSet(defaultPlugins(config, { embedder: undefined }));
    const kernel = { store: {}, config, embedder: undefined };
    const names = set
      .background({ kernel: kernel as never, log: () => {}, version: 'test' })
      .map((s) => s.name);
    expect(names).toEqual(['memory consolidation', 'knowledge sync', 'orchestration tick', 'plan executor']);
    expect(set.eventKinds.has('memory.extracted') && set.eventKinds.has('checks.judged')).toBe(true);
    expect(set.stepKinds.kinds.map((k) => k.name).sort()).toEqual(
      [
        'check',
        'compaction',
        'context',
        'conversation.summary',
        'extraction',
        'model',
        'policy.intent',
        'tool',
      ].sort(),
    );
    const withEmbedder = set.background({
      kernel: { ...kernel, embedder: { model: 'e' } } as never,
      log: () => {},
      version: 'test',
    });
    expect(withEmbedder.filter((s) => s instanceof PeriodicTask).map((s) => s.name)).toContain(
      'knowledge embeddings',
    );
    expect(withEmbedder.map((s) => s.name)).toContain('memory embeddings');
  });
});
