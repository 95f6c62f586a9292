import type { ModelGateway } from '../../core/kernel/model-gateway.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import { budgetGuardFor } from './budget-guard.ts';

/**
 * The run's model calls pass the workspace's and the agent's budgets before they reach the scheduler:
 * a spent budget refuses the call (BudgetExceededError) without a request to the provider.
 */
export function budgetedGateway(db: SqlClient, inner: ModelGateway): ModelGateway {
  const guard = budgetGuardFor(db);
  return {
    call: async (request, hooks) => {
      await guard.check(request.workspaceId, request.agentId);
      return inner.call(request, hooks);
    },
  };
}
