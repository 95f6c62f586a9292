import type { KernelPlugin } from '../../core/kernel/kernel-plugin.ts';
import { intentCapture } from './intent-capture.ts';
import { loadPolicy } from './policy-settings.ts';
import { INTENT_EVENT, INTENT_STEP_KINDS } from './run-intent.ts';
import { gateToolCall } from './tool-gate.ts';

/**
 * The tool gate: the workspace's policy and Cedar rules, read once per run attempt, decide every call
 * (allow, ask a person, deny) from the tool's stakes, its arguments, the run's taint and, when the workspace
 * captures it, the intent the task states (`intent-capture.ts`).
 */
export const policyPlugin: KernelPlugin = {
  name: 'policy',
  context: intentCapture,
  stepKinds: INTENT_STEP_KINDS,
  eventKinds: [INTENT_EVENT],
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
