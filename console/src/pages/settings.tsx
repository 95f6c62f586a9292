import { type FormEvent, useId, useState } from 'react';
import { del, post, put } from '../api/client.ts';
import { useApi } from '../api/use-api.ts';
import { useSave } from '../api/use-save.ts';
import { AsyncView } from '../components/async-view.tsx';
import { ErrorMessage } from '../components/error-message.tsx';
import { formatDate } from '../components/format.ts';
import { useWhoami } from '../session.tsx';
import { McpServers } from './settings-mcp.tsx';
import { ModelProviders } from './settings-models.tsx';
import { SchedulerSettings } from './settings-scheduler.tsx';
import { Skills } from './settings-skills.tsx';
import { DataSources } from './settings-sources.tsx';

type Row = Record<string, unknown>;

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

export function SettingsPage() {
  const whoami = useWhoami();
  const admin = whoami.role === 'admin';
  return (
    <section className="page settings" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <ModelProviders />
      {whoami.role === 'builder' && <McpServers canEdit={false} />}
      {admin ? (
        <>
          <McpServers canEdit />
          <DataSources />
          <Skills />
          <PolicySettings />
          <CedarPolicies />
          <ApiKeys />
          <SchedulerSettings />
        </>
      ) : (
        <p className="muted">MCP servers, data sources, policies and keys are managed by workspace admins.</p>
      )}
    </section>
  );
}
