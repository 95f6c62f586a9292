/**
 * One chaos worker process: Agent OS with the chaos tools, which SIGKILLs itself now and then at the
 * worst moments (just before or after a side effect, just after a journal commit).
 * Env: CHAOS_DIR, CHAOS_ROLES (api,worker | worker), CHAOS_SELF_KILL (probability per opportunity),
 * plus the usual AGENTOS_HOME / DATABASE_URL / AGENTOS_COMPATIBLE_BASE_URL / AGENTOS_LEASE_MS.
 */
import { loadConfig } from '../../src/core/config/load-config.ts';
import { openStore } from '../../src/core/store/open-store.ts';
import type { SqlClient, Store } from '../../src/core/store/sql-client.ts';
import { type ProcessRole, startAgentOs } from '../../src/runtime/start-agent-os.ts';
import { chaosTools, type KillPoint, killLogger } from './chaos-tools.ts';

const dir = process.env.CHAOS_DIR;
if (dir === undefined) throw new Error('CHAOS_DIR is required');
const roles = (process.env.CHAOS_ROLES ?? 'worker').split(',') as ProcessRole[];
const maybeDie = killLogger(dir, Number(process.env.CHAOS_SELF_KILL ?? '0'));

/** The store, but the process may die right after any transaction commits. */
function dyingAfterCommits(store: Store, die: (point: KillPoint) => void): Store {
  return {
    kind: store.kind,
    query: (sql, params) => store.query(sql, params),
    execScript: (sql) => store.execScript(sql),
    close: () => store.close(),
    transaction: async <T>(work: (tx: SqlClient) => Promise<T>) => {
      const result = await store.transaction(work);
      die('after_commit');
      return result;
    },
  };
}

const config = loadConfig();
const store = dyingAfterCommits(
  await openStore({ databaseUrl: config.databaseUrl, home: config.home }),
  maybeDie,
);
const agentOs = await startAgentOs(config, { roles, store, tools: chaosTools(dir, maybeDie), log: () => {} });
process.stdout.write(
  `${JSON.stringify({ event: 'ready', url: agentOs.http?.url ?? null, pid: process.pid })}\n`,
);
process.once('SIGTERM', () => {
  void agentOs.stop().then(() => process.exit(0));
});
