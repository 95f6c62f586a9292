import type { AgentOsConfig } from '../core/config/config-schema.ts';
import type { KernelPlugin } from '../core/kernel/kernel-plugin.ts';
import type { Embedder } from '../core/models/embedder.ts';
import { computePlugin } from '../plugins/compute/compute-plugin.ts';
import { conversationExtraction } from '../plugins/conversations/conversation-extraction.ts';
import { conversationFileSources } from '../plugins/conversations/conversation-file-search.ts';
import { conversationsPlugin } from '../plugins/conversations/conversations-plugin.ts';
import { addHandOffReply } from '../plugins/conversations/planned-replies.ts';
import { databasesPlugin } from '../plugins/databases/databases-plugin.ts';
import { evalsPlugin } from '../plugins/evals/evals-plugin.ts';
import { knowledgePlugin } from '../plugins/knowledge/knowledge-plugin.ts';
import { memoryPlugin } from '../plugins/memory/memory-plugin.ts';
import { orchestrationPlugin } from '../plugins/orchestration/orchestration-plugin.ts';
import { policyPlugin } from '../plugins/policy/policy-plugin.ts';
import { skillsPlugin } from '../plugins/skills/skills-plugin.ts';
import { telemetryPlugin } from '../plugins/telemetry/telemetry-plugin.ts';
import { usagePlugin } from '../plugins/usage/usage-plugin.ts';

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
    databasesPlugin(config),
    computePlugin,
    orchestrationPlugin(config, { handOffReply: addHandOffReply }),
    policyPlugin,
    evalsPlugin,
  ];
}
