import type { KernelPlugin } from '../../core/kernel/kernel-plugin.ts';
import { resolveAgentSkills, resolveRunDefinition } from './skill-resolution.ts';

/**
 * Skills pinned on an agent: refused at submit when the run's user may not use one (403
 * skill.unavailable) rather than queued to fail, and merged into the run's definition while they still may.
 */
export const skillsPlugin: KernelPlugin = {
  name: 'skills',
  admit: async (store, agent, userId) => {
    await resolveAgentSkills(store, agent, userId);
  },
  definition: async ({ store, run, agent }, def) => {
    const resolved = await resolveRunDefinition(store, { ...agent, definition: def }, run);
    return 'error' in resolved ? resolved : resolved.definition;
  },
};
