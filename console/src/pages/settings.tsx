import { type FormEvent, useId, useState } from 'react';
import { del, post, put } from '../api/client.ts';
import type { Agent } from '../api/types.ts';
import { isNotAvailable, useApi } from '../api/use-api.ts';
import { AsyncView } from '../components/async-view.tsx';
import { ErrorMessage } from '../components/error-message.tsx';
import { formatDate } from '../components/format.ts';
import { JsonView } from '../components/json-view.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { useWhoami } from '../session.tsx';

type Row = Record<string, unknown>;

function useSave() {
  const [error, setError] = useState<Error | undefined>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const save = async (action: () => Promise<unknown>, after?: () => void) => {
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      await action();
      setSaved(true);
      after?.();
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setBusy(false);
    }
  };
  return { error, saved, busy, save };
}

function McpTools(props: { id: string }) {
  const tools = useApi<{ tools: Row[] }>(`/api/mcp/servers/${encodeURIComponent(props.id)}/tools`);
  return (
    <AsyncView result={tools} label="the server's tools" onRetry={tools.reload}>
      {({ tools: list }) => (
        <ul>
          {list.map((tool) => (
            <li key={String(tool.qualifiedName)}>
              <code>{String(tool.qualifiedName)}</code> — stakes {String(tool.stakes)}, effect{' '}
              {String(tool.effect)}
              {tool.description !== null && <span className="muted"> · {String(tool.description)}</span>}
            </li>
          ))}
        </ul>
      )}
    </AsyncView>
  );
}

function McpServers() {
  const servers = useApi<{ servers: Row[] }>('/api/mcp/servers');
  const action = useSave();
  const [open, setOpen] = useState<string | undefined>();
  return (
    <section className="card" aria-labelledby="mcp-title">
      <h2 id="mcp-title">MCP servers</h2>
      <AsyncView result={servers} label="MCP servers" onRetry={servers.reload}>
        {({ servers: list }) =>
          list.length === 0 ? (
            <p>No MCP servers registered (agentos mcp add, or POST /api/mcp/servers).</p>
          ) : (
            <ul>
              {list.map((server) => {
                const id = String(server.id);
                const connection = server.connection as { state?: string } | undefined;
                return (
                  <li key={id}>
                    <strong>{String(server.name)}</strong>{' '}
                    <StatusBadge status={String(connection?.state ?? 'unknown')} />{' '}
                    <button
                      type="button"
                      className="link"
                      aria-expanded={open === id}
                      onClick={() => setOpen(open === id ? undefined : id)}
                    >
                      Tools
                    </button>{' '}
                    <button
                      type="button"
                      className="link danger"
                      onClick={() => void action.save(() => del(`/api/mcp/servers/${id}`), servers.reload)}
                    >
                      Remove<span className="sr-only"> {String(server.name)}</span>
                    </button>
                    {open === id && <McpTools id={id} />}
                  </li>
                );
              })}
            </ul>
          )
        }
      </AsyncView>
      {action.error !== undefined && <ErrorMessage error={action.error} context="Not removed" />}
    </section>
  );
}

function PolicySettings() {
  const policy = useApi<{ settings: unknown; version: unknown }>('/api/policy');
  const [text, setText] = useState<string | undefined>();
  const action = useSave();
  const id = useId();
  return (
    <section className="card" aria-labelledby="policy-title">
      <h2 id="policy-title">Policy settings</h2>
      <AsyncView result={policy} label="the policy" onRetry={policy.reload}>
        {(snapshot) => (
          <form
            onSubmit={(event: FormEvent) => {
              event.preventDefault();
              void action.save(
                () => put('/api/policy', JSON.parse(text ?? JSON.stringify(snapshot.settings)) as unknown),
                policy.reload,
              );
            }}
          >
            <label htmlFor={id}>Settings (JSON), version {String(snapshot.version)}</label>
            <textarea
              id={id}
              rows={10}
              className="code"
              value={text ?? JSON.stringify(snapshot.settings, null, 2)}
              onChange={(event) => setText(event.target.value)}
            />
            <button type="submit" disabled={action.busy}>
              Save policy
            </button>
            {action.saved && <span role="status"> Saved.</span>}
          </form>
        )}
      </AsyncView>
      {action.error !== undefined && <ErrorMessage error={action.error} context="The policy was not saved" />}
    </section>
  );
}

function CedarPolicies() {
  const cedar = useApi<{ policies: string; ids: string[]; updatedAt: string | null }>('/api/policies/cedar');
  const [text, setText] = useState<string | undefined>();
  const action = useSave();
  const id = useId();
  return (
    <section className="card" aria-labelledby="cedar-title">
      <h2 id="cedar-title">Cedar policies</h2>
      <AsyncView result={cedar} label="Cedar policies" onRetry={cedar.reload}>
        {(view) => (
          <form
            onSubmit={(event: FormEvent) => {
              event.preventDefault();
              void action.save(
                () => put('/api/policies/cedar', { policies: text ?? view.policies }),
                cedar.reload,
              );
            }}
          >
            <label htmlFor={id}>
              The workspace's own policies ({view.ids.length}; updated {formatDate(view.updatedAt)}),
              evaluated with the shipped ones
            </label>
            <textarea
              id={id}
              rows={8}
              className="code"
              value={text ?? view.policies}
              onChange={(event) => setText(event.target.value)}
            />
            <button type="submit" disabled={action.busy}>
              Validate and save
            </button>
            {action.saved && <span role="status"> Saved.</span>}
          </form>
        )}
      </AsyncView>
      {action.error !== undefined && (
        <ErrorMessage error={action.error} context="The policies were not saved" />
      )}
    </section>
  );
}

function ApiKeys() {
  const keys = useApi<{ keys: Row[] }>('/api/keys');
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<string | undefined>();
  const action = useSave();
  const id = useId();
  return (
    <section className="card" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <AsyncView result={keys} label="API keys" onRetry={keys.reload}>
        {({ keys: list }) => (
          <ul>
            {list.map((key) => (
              <li key={String(key.id)}>
                {String(key.name)} · {String(key.scope ?? 'full')} ·{' '}
                {key.revokedAt == null ? 'active' : 'revoked'}
                {key.revokedAt == null && (
                  <button
                    type="button"
                    className="link danger"
                    onClick={() => void action.save(() => del(`/api/keys/${String(key.id)}`), keys.reload)}
                  >
                    Revoke<span className="sr-only"> {String(key.name)}</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </AsyncView>
      <form
        className="inline-forms"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          void action.save(async () => {
            const created = await post<{ secret: string }>('/api/keys', { name });
            setSecret(created.secret);
            setName('');
          }, keys.reload);
        }}
      >
        <label htmlFor={id}>New key for me, named</label>
        <input id={id} value={name} required onChange={(event) => setName(event.target.value)} />
        <button type="submit" disabled={action.busy || name.trim() === ''}>
          Create key
        </button>
      </form>
      {secret !== undefined && (
        <p role="status">
          Copy it now, it is shown once: <code>{secret}</code>
        </p>
      )}
      {action.error !== undefined && <ErrorMessage error={action.error} context="The key was not changed" />}
    </section>
  );
}

/** A list from an endpoint another part of Agent OS may or may not provide on this server. */
function OptionalList(props: { title: string; path: string; field: string }) {
  const result = useApi<Record<string, Row[]>>(props.path);
  const id = `${props.field}-title`;
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{props.title}</h2>
      {result.state === 'error' && isNotAvailable(result.error) ? (
        <p className="muted">Not available on this server.</p>
      ) : (
        <AsyncView result={result} label={props.title.toLowerCase()} onRetry={result.reload}>
          {(data) => {
            const list = data[props.field] ?? [];
            return list.length === 0 ? (
              <p>None yet.</p>
            ) : (
              <ul>
                {list.map((item, index) => (
                  <li key={String(item.id ?? index)}>
                    <strong>{String(item.name ?? item.id)}</strong>
                    {typeof item.kind === 'string' && ` · ${item.kind}`}
                    {typeof item.description === 'string' && (
                      <span className="muted"> · {item.description}</span>
                    )}
                    {typeof item.status === 'string' && (
                      <>
                        {' '}
                        <StatusBadge status={item.status} />
                      </>
                    )}
                  </li>
                ))}
              </ul>
            );
          }}
        </AsyncView>
      )}
    </section>
  );
}

function ModelProviders() {
  const agents = useApi<{ agents: Agent[] }>('/api/agents');
  return (
    <section className="card" aria-labelledby="models-title">
      <h2 id="models-title">Model providers</h2>
      <p className="muted">
        Providers and their keys are configured on the server (agentos.config.json and the environment).
        Models in use:
      </p>
      <AsyncView result={agents} label="agents" onRetry={agents.reload}>
        {({ agents: list }) => {
          const models = [...new Set(list.map((a) => a.definition.model))].sort();
          return models.length === 0 ? (
            <p>No agents yet.</p>
          ) : (
            <ul>
              {models.map((model) => (
                <li key={model}>
                  <code>{model}</code> — provider <strong>{model.slice(0, model.indexOf(':'))}</strong>, used
                  by{' '}
                  {list
                    .filter((a) => a.definition.model === model)
                    .map((a) => a.name)
                    .join(', ')}
                </li>
              ))}
            </ul>
          );
        }}
      </AsyncView>
    </section>
  );
}

function Scheduler() {
  const scheduler = useApi<Row>('/api/scheduler');
  return (
    <section className="card" aria-labelledby="scheduler-title">
      <h2 id="scheduler-title">Scheduler</h2>
      <AsyncView result={scheduler} label="the scheduler" onRetry={scheduler.reload}>
        {(state) => <JsonView value={state} label="Scheduler state" />}
      </AsyncView>
    </section>
  );
}

export function SettingsPage() {
  const whoami = useWhoami();
  const admin = whoami.role === 'admin';
  return (
    <section className="page settings" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <ModelProviders />
      {admin ? (
        <>
          <McpServers />
          <OptionalList title="Data sources" path="/api/sources" field="sources" />
          <OptionalList title="Skills" path="/api/skills" field="skills" />
          <PolicySettings />
          <CedarPolicies />
          <ApiKeys />
          <Scheduler />
        </>
      ) : (
        <p className="muted">MCP servers, data sources, policies and keys are managed by workspace admins.</p>
      )}
    </section>
  );
}
