import { type FormEvent, useId, useState } from 'react';
import { call, del, post, put, typed } from '../api/client.ts';
import { useApi } from '../api/use-api.ts';
import { useSave } from '../api/use-save.ts';
import { AsyncView } from '../components/async-view.tsx';
import { ErrorMessage } from '../components/error-message.tsx';
import { formatDate } from '../components/format.ts';
import { JsonView } from '../components/json-view.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { useWhoami } from '../session.tsx';
import { ModelProviders } from './settings-models.tsx';
import { Skills } from './settings-skills.tsx';
import { DataSources } from './settings-sources.tsx';

type Row = Record<string, unknown>;

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

const MCP_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

function AddMcpServerForm(props: { onAdded: () => void }) {
  const base = useId();
  const [name, setName] = useState('');
  const [transport, setTransport] = useState<'stdio' | 'http'>('stdio');
  const [command, setCommand] = useState('');
  const [args, setArgs] = useState('');
  const [url, setUrl] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const [added, setAdded] = useState<string | undefined>();
  const action = useSave();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setAdded(undefined);
    let found: string | undefined;
    if (!MCP_NAME_PATTERN.test(name))
      found = 'Name: lowercase letters, digits, "_" and "-", starting with a letter, at most 32.';
    else if (transport === 'stdio' && command.trim() === '')
      found = 'Give the command that starts the server.';
    else if (transport === 'http' && !URL.canParse(url)) found = "Give the server's http(s) URL.";
    setProblem(found);
    if (found !== undefined) return;
    const body =
      transport === 'stdio'
        ? {
            name,
            transport,
            command: command.trim(),
            args: args
              .split('\n')
              .map((line) => line.trim())
              .filter((line) => line !== ''),
          }
        : { name, transport, url: url.trim() };
    void action.save(async () => {
      await call(typed.POST('/api/mcp/servers', { body }));
      setAdded(name);
      setName('');
      setCommand('');
      setArgs('');
      setUrl('');
    }, props.onAdded);
  };
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Register an MCP server">
      <fieldset>
        <legend>Register an MCP server</legend>
        <div className="grid-fields">
          <div className="field">
            <label htmlFor={`${base}-name`}>Server name</label>
            <input id={`${base}-name`} value={name} onChange={(event) => setName(event.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${base}-transport`}>Transport</label>
            <select
              id={`${base}-transport`}
              value={transport}
              onChange={(event) => setTransport(event.target.value === 'http' ? 'http' : 'stdio')}
            >
              <option value="stdio">stdio</option>
              <option value="http">http</option>
            </select>
          </div>
        </div>
        {transport === 'stdio' ? (
          <div className="grid-fields">
            <div className="field">
              <label htmlFor={`${base}-command`}>Command</label>
              <input
                id={`${base}-command`}
                value={command}
                placeholder="npx"
                onChange={(event) => setCommand(event.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor={`${base}-args`}>Arguments (one a line)</label>
              <textarea
                id={`${base}-args`}
                rows={3}
                className="code"
                value={args}
                placeholder={'-y\n@modelcontextprotocol/server-filesystem\n/srv/docs'}
                onChange={(event) => setArgs(event.target.value)}
              />
            </div>
          </div>
        ) : (
          <div className="field">
            <label htmlFor={`${base}-url`}>URL</label>
            <input
              id={`${base}-url`}
              type="url"
              value={url}
              placeholder="https://mcp.example.com/mcp"
              onChange={(event) => setUrl(event.target.value)}
            />
          </div>
        )}
        <p className="muted">Credentials (environment variables, headers): agentos mcp add or the API.</p>
        {problem !== undefined && (
          <p className="field-problem" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" disabled={action.busy}>
          {action.busy ? 'Registering…' : 'Register server'}
        </button>
        {added !== undefined && <span role="status"> Registered {added}.</span>}
      </fieldset>
      {action.error !== undefined && (
        <ErrorMessage error={action.error} context="The server was not registered" />
      )}
    </form>
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
      <AddMcpServerForm onAdded={servers.reload} />
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
          <DataSources />
          <Skills />
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
