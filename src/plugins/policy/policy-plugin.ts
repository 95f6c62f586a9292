import type { KernelPlugin } from '../../core/kernel/kernel-plugin.ts';
import { loadPolicy } from './policy-settings.ts';
import { gateToolCall } from './tool-gate.ts';

/**
 * The tool gate: the workspace's policy and Cedar rules, read once per run attempt, decide every call
 * (allow, ask a person, deny) from the tool's stakes, its arguments and the run's taint.
 */
export const policyPlugin: KernelPlugin = {
  name: 'policy',
  toolGate: {
    open: async ({ store, run }) => {
      const policy = await loadPolicy(store, run.workspaceId);
      return {
        version: policy.version,
        decide: (question) => gateToolCall({ ...question, store, policy }),
      };
    },
  },
};
