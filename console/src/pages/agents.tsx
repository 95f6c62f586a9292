import { useState } from 'react';
import type { Agent } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { AsyncView } from '../components/async-view.tsx';
import { formatDate } from '../components/format.ts';
import { LineDiff } from '../components/line-diff.tsx';
import { Link, navigate, useLocation } from '../router.tsx';
import { AgentForm } from './agent-form.tsx';

function AgentList() {
  const agents = useApi<{ agents: Agent[] }>('/api/agents');
  return (
    <section className="page" aria-labelledby="agents-title">
      <div className="page-head">
        <h1 id="agents-title">Agents</h1>
        <Link to="/agents/new" className="button">
          New agent
        </Link>
      </div>
      <AsyncView result={agents} label="agents" onRetry={agents.reload}>
        {({ agents: list }) =>
          list.length === 0 ? (
            <p>No agents yet.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="sr-only">Agents in this workspace</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Description</th>
                    <th scope="col">Model</th>
                    <th scope="col">Tools</th>
                    <th scope="col">Version</th>
                    <th scope="col">Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((agent) => (
                    <tr key={agent.id}>
                      <td>
                        <Link to={`/agents/${encodeURIComponent(agent.name)}`}>{agent.name}</Link>
                      </td>
                      <td>{agent.definition.description}</td>
                      <td>
                        <code>{agent.definition.model}</code>
                      </td>
                      <td>{agent.definition.tools.join(', ') || '—'}</td>
                      <td>v{agent.version}</td>
                      <td>{formatDate(agent.updatedAt)}</td>
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

function Versions(props: { name: string }) {
  // The parent remounts this per saved version, so a new version refetches the list.
  const versions = useApi<{ versions: Agent[] }>(`/api/agents/${encodeURIComponent(props.name)}/versions`);
  const [from, setFrom] = useState<number | undefined>();
  const [to, setTo] = useState<number | undefined>();
  return (
    <section aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      <AsyncView result={versions} label="versions" onRetry={versions.reload}>
        {({ versions: list }) => {
          const toVersion = to ?? list.at(-1)?.version ?? 1;
          const fromVersion = from ?? Math.max(1, toVersion - 1);
          const a = list.find((v) => v.version === fromVersion);
          const b = list.find((v) => v.version === toVersion);
          return (
            <>
              <ol className="versions">
                {list.map((v) => (
                  <li key={v.version}>
                    v{v.version} — {formatDate(v.updatedAt)}
                  </li>
                ))}
              </ol>
              <div className="filters">
                <label>
                  Compare
                  <select value={fromVersion} onChange={(event) => setFrom(Number(event.target.value))}>
                    {list.map((v) => (
                      <option key={v.version} value={v.version}>
                        v{v.version}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  with
                  <select value={toVersion} onChange={(event) => setTo(Number(event.target.value))}>
                    {list.map((v) => (
                      <option key={v.version} value={v.version}>
                        v{v.version}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
              {a !== undefined && b !== undefined && (
                <LineDiff
                  label={`Changes from version ${a.version} to ${b.version}`}
                  before={JSON.stringify(a.definition, null, 2)}
                  after={JSON.stringify(b.definition, null, 2)}
                />
              )}
            </>
          );
        }}
      </AsyncView>
    </section>
  );
}

/** Said once a save went through: the version the server stored (a new agent arrives with `?saved=1`). */
function SavedNotice(props: { name: string; version: number | undefined }) {
  if (props.version === undefined) return null;
  return (
    <p role="status" className="notice">
      Saved agent {props.name} v{props.version}
    </p>
  );
}

function AgentDetail(props: { name: string; savedVersion: number | undefined }) {
  const agent = useApi<{ agent: Agent }>(`/api/agents/${encodeURIComponent(props.name)}`);
  const [saved, setSaved] = useState<number | undefined>(props.savedVersion);
  return (
    <section className="page" aria-labelledby="agent-title">
      <p>
        <Link to="/agents">← All agents</Link>
      </p>
      <h1 id="agent-title">Agent {props.name}</h1>
      <SavedNotice name={props.name} version={saved} />
      <AsyncView result={agent} label="the agent" onRetry={agent.reload}>
        {({ agent: record }) => (
          <div className="two-columns">
            <AgentForm
              key={record.version}
              agent={record}
              onSaved={(stored) => {
                setSaved(stored.version);
                agent.reload();
              }}
            />
            <Versions key={`v${record.version}`} name={record.name} />
          </div>
        )}
      </AsyncView>
    </section>
  );
}

export function AgentsPage() {
  const { path, query } = useLocation();
  const name = /^\/agents\/([^/]+)$/.exec(path)?.[1];
  if (name === 'new') {
    return (
      <section className="page" aria-labelledby="new-agent-title">
        <p>
          <Link to="/agents">← All agents</Link>
        </p>
        <h1 id="new-agent-title">New agent</h1>
        <AgentForm
          onSaved={(agent) => navigate(`/agents/${encodeURIComponent(agent.name)}?saved=${agent.version}`)}
        />
      </section>
    );
  }
  if (name !== undefined) {
    const saved = Number(query.get('saved'));
    return (
      <AgentDetail
        key={name}
        name={decodeURIComponent(name)}
        savedVersion={Number.isInteger(saved) && saved > 0 ? saved : undefined}
      />
    );
  }
  return <AgentList />;
}
