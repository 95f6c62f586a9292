import type { KernelPlugin } from '../../core/kernel/kernel-plugin.ts';
import { budgetedGateway } from './budgeted-gateway.ts';

/** Workspace and agent budgets: a run's model call is refused once a budget that applies is spent. */
export const usagePlugin: KernelPlugin = {
  name: 'usage',
  modelCall: (next, parts) => budgetedGateway(parts.store, next),
};
