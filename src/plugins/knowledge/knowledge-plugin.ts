import type { KernelPlugin } from '../../core/kernel/kernel-plugin.ts';
import type { Embedder } from '../../core/models/embedder.ts';
import { knowledgeBackground } from './knowledge-background.ts';
import { knowledgeTools, type RunScopedSources } from './knowledge-tool.ts';

/**
 * Shared knowledge as tools (`search_knowledge`, …); `scopedSources` adds sources only some runs search
 * (a conversation's attachments), wired by the composition root.
 */
export function knowledgePlugin(options: {
  embedder: Embedder | undefined;
  scopedSources?: RunScopedSources | undefined;
}): KernelPlugin {
  return {
    name: 'knowledge',
    tools: ({ store }) => knowledgeTools(store, options),
    background: knowledgeBackground,
  };
}
