import type { AgentOsConfig } from '../config/config-schema.ts';
import { conversationExtraction } from '../conversations/conversation-extraction.ts';
import { conversationFileSources } from '../conversations/conversation-file-search.ts';
import { conversationsPlugin } from '../conversations/conversations-plugin.ts';
import { addHandOffReply } from '../conversations/planned-replies.ts';
import { evalsPlugin } from '../evals/evals-plugin.ts';
import type { KernelPlugin } from '../kernel/kernel-plugin.ts';
import { knowledgePlugin } from '../knowledge/knowledge-plugin.ts';
import { memoryPlugin } from '../memory/memory-plugin.ts';
import type { Embedder } from '../models/embedder.ts';
import { orchestrationPlugin } from '../orchestration/orchestration-plugin.ts';
import { policyPlugin } from '../policy/policy-plugin.ts';
import { skillsPlugin } from '../skills/skills-plugin.ts';
import { telemetryPlugin } from '../telemetry/telemetry-plugin.ts';
import { usagePlugin } from '../usage/usage-plugin.ts';

/**
 * The features every Agent OS process runs with, in hook order: budgets are checked before a call is
 * traced; skills merge into the definition before a parent's budget share tightens it; memory's notes
 * come before a conversation's history; extraction runs before the checks judge the answer.
 */
export function defaultPlugins(
  config: AgentOsConfig,
  options: { embedder: Embedder | undefined },
): KernelPlugin[] {
  return [
    usagePlugin,
    telemetryPlugin,
    skillsPlugin,
    memoryPlugin({ embedder: options.embedder, threadOf: conversationExtraction }),
    conversationsPlugin,
    knowledgePlugin({ embedder: options.embedder, scopedSources: conversationFileSources }),
    orchestrationPlugin(config, { handOffReply: addHandOffReply }),
    policyPlugin,
    evalsPlugin,
  ];
}
