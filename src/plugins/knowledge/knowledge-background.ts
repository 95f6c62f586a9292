import type { BackgroundContext } from '../../core/kernel/kernel-plugin.ts';
import { type BackgroundService, PeriodicTask } from '../../core/time/periodic-task.ts';
import { embedPendingChunks } from './knowledge-embeddings.ts';
import { syncDueSources } from './source-sync.ts';

/** How often a worker looks for knowledge sources whose re-sync schedule is due. */
export const KNOWLEDGE_SYNC_TICK_MS = 30_000;
/** How often a worker embeds chunks written since (when an embedding model is configured). */
export const EMBED_CHUNKS_EVERY_MS = 5_000;

/** Knowledge's background work: scheduled source syncs and, with an embedding model, chunk embeddings. */
export function knowledgeBackground({ kernel, log, version }: BackgroundContext): BackgroundService[] {
  const { store, embedder } = kernel;
  const tasks = [
    new PeriodicTask(
      'knowledge sync',
      KNOWLEDGE_SYNC_TICK_MS,
      async () => {
        const synced = await syncDueSources({ store, version, home: kernel.config.home, log });
        return synced.length > 0
          ? synced.map((r) => `${r.sourceId} ${r.status} ${JSON.stringify(r.counts)}`).join('; ')
          : undefined;
      },
      log,
    ),
  ];
  if (embedder !== undefined)
    tasks.push(
      new PeriodicTask(
        'knowledge embeddings',
        EMBED_CHUNKS_EVERY_MS,
        async () => {
          const embedded = await embedPendingChunks(store, embedder);
          return embedded > 0 ? `embedded ${embedded} knowledge chunks with ${embedder.model}` : undefined;
        },
        log,
      ),
    );
  return tasks;
}
