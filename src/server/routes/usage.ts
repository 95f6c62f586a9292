import type { Hono } from 'hono';
import { z } from 'zod';
import { AgentOsError } from '../../errors/agent-os-error.ts';
import type { Store } from '../../store/sql-client.ts';
import { budgetGuardFor } from '../../usage/budget-guard.ts';
import {
  type Budget,
  budgetInputSchema,
  deleteBudget,
  listBudgets,
  setBudget,
} from '../../usage/budget-repo.ts';
import { periodSpend, type Spend } from '../../usage/period-spend.ts';
import { periodStart } from '../../usage/usage-period.ts';
import { parseBound, USAGE_GROUPS, usageBoundSchema, usageReport } from '../../usage/usage-report.ts';
import type { AppEnv } from '../app-env.ts';
import { authorizeAction } from '../authorize-action.ts';
import { readJson, readQuery } from '../validate.ts';

const usageQuery = z.strictObject({
  groupBy: z.enum(USAGE_GROUPS).default('agent'),
  from: usageBoundSchema.optional(),
  to: usageBoundSchema.optional(),
});

const budgetId = z.string().regex(/^bgt_[0-9a-z]{29}$/, 'a budget id (bgt_…)');

/** Each budget with what its scope has spent in the current period. */
async function withSpend(store: Store, budgets: Budget[], now: Date): Promise<(Budget & { spent: Spend })[]> {
  const spends = new Map<string, ReturnType<typeof periodSpend>>();
  return Promise.all(
    budgets.map(async (budget) => {
      const key = budget.agentId ?? `workspace:${budget.workspaceId}`;
      let spend = spends.get(key);
      if (spend === undefined) {
        spend = periodSpend(
          store,
          budget.agentId === null ? { workspaceId: budget.workspaceId } : { agentId: budget.agentId },
          now,
        );
        spends.set(key, spend);
      }
      return { ...budget, spent: (await spend)[budget.period] };
    }),
  );
}

/** Usage reports for everyone (admins see the workspace, others their own runs) and budgets for admins. */
export function usageRoutes(store: Store): (api: Hono<AppEnv>) => void {
  return (api) => {
    api.get('/usage', authorizeAction('usage.read'), async (c) => {
      const query = readQuery(c, usageQuery);
      const principal = c.get('principal');
      const now = new Date();
      const from = query.from === undefined ? periodStart('month', now) : parseBound(query.from, 'from');
      const to = query.to === undefined ? now : parseBound(query.to, 'to');
      if (from.getTime() >= to.getTime())
        throw new AgentOsError('request.invalid', '`from` must be before `to`');
      const report = await usageReport(store, {
        workspaceId: principal.workspaceId,
        // Only an admin sees the runs of others; everyone else gets a report of their own runs.
        ...(principal.role === 'admin' ? {} : { userId: principal.userId }),
        groupBy: query.groupBy,
        from,
        to,
      });
      return c.json(report);
    });

    api.get('/budgets', authorizeAction('budgets.manage'), async (c) => {
      const budgets = await listBudgets(store, c.get('principal').workspaceId);
      return c.json({ budgets: await withSpend(store, budgets, new Date()) });
    });

    api.post('/budgets', authorizeAction('budgets.manage'), async (c) => {
      const input = await readJson(c, budgetInputSchema);
      const principal = c.get('principal');
      const budget = await setBudget(store, principal.workspaceId, input, principal.userId);
      budgetGuardFor(store).invalidate(principal.workspaceId);
      const [shown] = await withSpend(store, [budget], new Date());
      return c.json({ budget: shown }, 201);
    });

    api.delete('/budgets/:id', authorizeAction('budgets.manage'), async (c) => {
      const id = budgetId.safeParse(c.req.param('id'));
      if (!id.success)
        throw new AgentOsError('request.invalid', `Invalid budget id: ${id.error.issues[0]?.message}`);
      const workspaceId = c.get('principal').workspaceId;
      await deleteBudget(store, workspaceId, id.data);
      budgetGuardFor(store).invalidate(workspaceId);
      return c.json({ deleted: id.data });
    });
  };
}
