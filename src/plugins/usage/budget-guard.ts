import { BUDGET_EXCEEDED_CODE, BudgetExceededError } from '../../core/kernel/run-ending.ts';
import type { SqlClient } from '../../core/store/sql-client.ts';
import { type Budget, listBudgets } from './budget-repo.ts';
import { type BudgetScope, periodSpend, type Spend } from './period-spend.ts';
import { type BudgetPeriod, PERIOD_ADJECTIVE, periodStart } from './usage-period.ts';

export function describeBudget(budget: Pick<Budget, 'agentId' | 'agentName' | 'period'>): string {
  const scope = budget.agentId === null ? 'workspace' : `agent "${budget.agentName ?? budget.agentId}"`;
  return `${scope} ${PERIOD_ADJECTIVE[budget.period]} budget`;
}

const usd = (value: number) => `$${value.toFixed(2)}`;

/** The limit of this budget that the spend has reached, described; undefined while under both. */
function reached(budget: Budget, spend: Spend): string | undefined {
  if (budget.limitUsd !== null && spend.costUsd >= budget.limitUsd) return usd(budget.limitUsd);
  if (budget.limitTokens !== null && spend.tokens >= budget.limitTokens)
    return `${budget.limitTokens} tokens`;
  return undefined;
}

interface CachedBudgets {
  at: number;
  budgets: Promise<Budget[]>;
}

/**
 * Checks a workspace's and an agent's budgets before a model call. The budget definitions are cached per
 * workspace for `ttlMs` (changes made through this process apply at once, other processes' within the TTL),
 * so a workspace without budgets costs no query; with budgets, one indexed spend read per scope.
 */
export class BudgetGuard {
  readonly #db: SqlClient;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, CachedBudgets>();

  constructor(db: SqlClient, options: { ttlMs?: number } = {}) {
    this.#db = db;
    this.#ttlMs = options.ttlMs ?? 5_000;
  }

  invalidate(workspaceId: string): void {
    this.#cache.delete(workspaceId);
  }

  #budgets(workspaceId: string): Promise<Budget[]> {
    const now = Date.now();
    const cached = this.#cache.get(workspaceId);
    if (cached !== undefined && now - cached.at < this.#ttlMs) return cached.budgets;
    const budgets = listBudgets(this.#db, workspaceId);
    this.#cache.set(workspaceId, { at: now, budgets });
    budgets.catch(() => this.#cache.delete(workspaceId));
    return budgets;
  }

  /** Throws BudgetExceededError when a budget that applies to this call is spent for the current period. */
  async check(workspaceId: string, agentId: string, now = new Date()): Promise<void> {
    const budgets = (await this.#budgets(workspaceId)).filter(
      (budget) => budget.agentId === null || budget.agentId === agentId,
    );
    if (budgets.length === 0) return;
    const spendOf = async (scope: BudgetScope) => periodSpend(this.#db, scope, now);
    const workspaceSpend = budgets.some((b) => b.agentId === null) ? spendOf({ workspaceId }) : undefined;
    const agentSpend = budgets.some((b) => b.agentId !== null) ? spendOf({ agentId }) : undefined;
    for (const budget of budgets) {
      const spend = (await (budget.agentId === null ? workspaceSpend : agentSpend))?.[budget.period];
      if (spend === undefined) continue;
      const limit = reached(budget, spend);
      if (limit === undefined) continue;
      throw new BudgetExceededError({
        code: BUDGET_EXCEEDED_CODE,
        message: `${describeBudget(budget)} of ${limit} reached`,
        details: {
          budgetId: budget.id,
          scope: budget.agentId === null ? 'workspace' : 'agent',
          agentId: budget.agentId,
          period: budget.period,
          periodStart: periodStart(budget.period as BudgetPeriod, now).toISOString(),
          limitUsd: budget.limitUsd,
          limitTokens: budget.limitTokens,
          spentUsd: spend.costUsd,
          spentTokens: spend.tokens,
        },
      });
    }
  }
}

const guards = new WeakMap<SqlClient, BudgetGuard>();

/** The process's guard for a store: the budget routes invalidate the same cache the model calls read. */
export function budgetGuardFor(db: SqlClient): BudgetGuard {
  let guard = guards.get(db);
  if (guard === undefined) {
    guard = new BudgetGuard(db);
    guards.set(db, guard);
  }
  return guard;
}
