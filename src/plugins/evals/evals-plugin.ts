import type { KernelPlugin } from '../../core/kernel/kernel-plugin.ts';
import { CHECK_STEP_KINDS, checksHook } from './run-checks.ts';

/** Online checks of a run's answer (its `checks`): judge calls are journaled steps of their own kind. */
export const evalsPlugin: KernelPlugin = {
  name: 'evals',
  answer: checksHook,
  stepKinds: CHECK_STEP_KINDS,
  eventKinds: ['checks.judged'],
};
