import { useState } from 'react';
import { withQuery } from '../api/client.ts';
import type { Agent, Run } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { useRunChanges } from '../api/use-run-changes.ts';
import { AsyncView } from '../components/async-view.tsx';
import { formatDate, formatDuration, formatUsd, shortId } from '../components/format.ts';
import { StatusBadge } from '../components/status-badge.tsx';
import { useDebounced } from '../components/use-debounced.ts';
import { Link } from '../router.tsx';
import './runs-table.css';

/** The server refuses a longer search (GET /api/runs `q`). */
const MAX_SEARCH = 200;

const STATUSES = ['', 'queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled', 'budget_exceeded'];

export function RunsPage() {
  const [status, setStatus] = useState('');
  const [agent, setAgent] = useState('');
  const [limit, setLimit] = useState(50);
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 300);
  const agents = useApi<{ agents: Agent[] }>('/api/agents');
  const runs = useApi<{ runs: Run[] }>(withQuery('/api/runs', { status, agent, q, limit }));
  const live = useRunChanges(runs.reload);
  const agentName = (id: string) =>
    agents.state === 'ready'
      ? (agents.data.agents.find((a) => a.id === id)?.name ?? shortId(id))
      : shortId(id);
  return (
    <section className="page" aria-labelledby="runs-title">
      <h1 id="runs-title">Runs</h1>
      <form className="filters" onSubmit={(event) => event.preventDefault()} aria-label="Filter runs">
        <label>
          Search{' '}
          <input
            type="search"
            value={search}
            maxLength={MAX_SEARCH}
            placeholder="task or answer"
            onChange={(event) => setSearch(event.target.value)}
          />
        </label>
        <label>
          Status{' '}
          <select value={status} onChange={(event) => setStatus(event.target.value)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s === '' ? 'any' : s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Agent{' '}
          <select value={agent} onChange={(event) => setAgent(event.target.value)}>
            <option value="">any</option>
            {agents.state === 'ready' &&
              agents.data.agents.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
          </select>
        </label>
        <label>
          Show{' '}
          <select value={limit} onChange={(event) => setLimit(Number(event.target.value))}>
            {[20, 50, 100, 500].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="secondary" onClick={runs.reload}>
          Refresh
        </button>
        <span className="muted" role="status">
          {live === 'live' ? 'Live' : live === 'lost' ? 'Not live: press Refresh' : ''}
        </span>
      </form>
      <AsyncView result={runs} label="runs" onRetry={runs.reload}>
        {({ runs: list }) =>
          list.length === 0 ? (
            <p>No runs match.</p>
          ) : (
            <div className="table-wrap">
              <table className="runs-table">
                <caption className="sr-only">Runs, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Run</th>
                    <th scope="col">Agent</th>
                    <th scope="col">Task</th>
                    <th scope="col">Status</th>
                    <th scope="col">Tokens</th>
                    <th scope="col">Cost</th>
                    <th scope="col">Duration</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((run) => (
                    <tr key={run.id}>
                      <td>
                        <Link to={`/runs/${run.id}`} title={run.id}>
                          run …{run.id.slice(-6)}
                        </Link>
                      </td>
                      <td>
                        <span title={run.agentId}>{agentName(run.agentId)}</span> v{run.agentVersion}
                      </td>
                      <td className="task-cell">{String(run.input.task ?? '')}</td>
                      <td>
                        <StatusBadge status={run.status} />
                      </td>
                      <td>{run.usage.inputTokens + run.usage.outputTokens}</td>
                      <td>{formatUsd(run.usage.costUsd)}</td>
                      <td>{formatDuration(run.startedAt, run.finishedAt)}</td>
                      <td>{formatDate(run.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </AsyncView>
    </section>
  );
}
