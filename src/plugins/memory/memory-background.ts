import type { BackgroundContext } from '../../core/kernel/kernel-plugin.ts';
import { type BackgroundService, PeriodicTask } from '../../core/time/periodic-task.ts';
import { consolidateMemories } from './memory-consolidation.ts';
import { embedPendingMemories } from './memory-embeddings.ts';

/** How often a worker embeds memories written since (when an embedding model is configured). */
export const EMBED_MEMORIES_EVERY_MS = 5_000;

/** Memory's background work: consolidation (`memory.consolidateEveryMs`) and, with an embedding model, embeddings. */
export function memoryBackground({ kernel, log }: BackgroundContext): BackgroundService[] {
  const { store, embedder } = kernel;
  const tasks = [
    new PeriodicTask(
      'memory consolidation',
      kernel.config.memory.consolidateEveryMs,
      async () => {
        const result = await consolidateMemories(store);
        return result.merged + result.expired + result.blocksRewritten > 0
          ? `merged ${result.merged}, expired ${result.expired}, rewrote ${result.blocksRewritten} blocks`
          : undefined;
      },
      log,
    ),
  ];
  if (embedder !== undefined)
    tasks.push(
      new PeriodicTask(
        'memory embeddings',
        EMBED_MEMORIES_EVERY_MS,
        async () => {
          const embedded = await embedPendingMemories(store, embedder);
          return embedded > 0 ? `embedded ${embedded} memories with ${embedder.model}` : undefined;
        },
        log,
      ),
    );
  return tasks;
}
