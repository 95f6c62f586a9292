import type { KernelPlugin, RunScope } from '../../core/kernel/kernel-plugin.ts';
import { intentCapture } from './intent-capture.ts';
import { loadPolicy, type PolicySnapshot } from './policy-settings.ts';
import { INTENT_EVENT, INTENT_STEP_KINDS } from './run-intent.ts';
import { gateToolCall } from './tool-gate.ts';

/**
 * The tool gate: the workspace's policy and Cedar rules, read once per run attempt, decide every call
 * (allow, ask a person, deny) from the tool's stakes, its arguments, the run's taint and, when the workspace
 * captures it, the intent the task states (`intent-capture.ts`).
 */
/** The policy each attempt's gate read, by the attempt's scope (the kernel hands every hook the same one). */
const attemptPolicies = new WeakMap<RunScope, PolicySnapshot>();
const policyOf = async (scope: RunScope): Promise<PolicySnapshot> =>
  attemptPolicies.get(scope) ?? loadPolicy(scope.store, scope.run.workspaceId);

export const policyPlugin: KernelPlugin = {
  name: 'policy',
  context: intentCapture(policyOf),
  stepKinds: INTENT_STEP_KINDS,
  eventKinds: [INTENT_EVENT],
  toolGate: {
    open: async (scope) => {
      const { store, run } = scope;
      const policy = await loadPolicy(store, run.workspaceId);
      attemptPolicies.set(scope, policy);
      return {
        version: policy.version,
        decide: (question) => gateToolCall({ ...question, store, policy }),
      };
    },
  },
};
