import type { KernelPlugin } from '../../core/kernel/kernel-plugin.ts';
import type { Embedder } from '../../core/models/embedder.ts';
import { EXTRACTION_STEP_KINDS, extractionHook, type ThreadReader } from './extraction-hook.ts';
import { memoryBackground } from './memory-background.ts';
import { memoryContext } from './memory-context.ts';
import { memoryTools } from './memory-tools.ts';

/**
 * Long-term memory in the kernel: its tools (remember, recall, …), the pinned notes and trusted memories
 * a run starts from, and the end-of-run extraction (which also reads `threadOf`, a conversation's
 * messages since the last extraction, when the composition root passes it).
 */
export function memoryPlugin(options: {
  embedder: Embedder | undefined;
  threadOf?: ThreadReader;
}): KernelPlugin {
  return {
    name: 'memory',
    tools: ({ store }) => memoryTools(store, { embedder: options.embedder }),
    context: memoryContext(options.embedder),
    answer: extractionHook(options.threadOf),
    stepKinds: EXTRACTION_STEP_KINDS,
    eventKinds: ['memory.extracted'],
    background: memoryBackground,
  };
}
