import type { ApiSchemas } from '../../../src/surfaces/client/agent-os-client.ts';
import type { Agent } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { AsyncView } from '../components/async-view.tsx';

type Catalogue = ApiSchemas['ModelProviders'];

const STATUS_TEXT: Record<Catalogue['providers'][number]['status'], string> = {
  ok: 'ok',
  unreachable: 'did not answer',
  not_configured: 'not configured',
};

const price = (usd: number | null) => (usd === null ? '—' : String(usd));

/** Whether the server can serve `model` now, as a short flag (nothing when it can). */
function usageFlag(catalogue: Catalogue, model: string): string | undefined {
  const provider = catalogue.providers.find((p) => p.name === model.slice(0, model.indexOf(':')));
  if (provider === undefined) return 'provider not configured';
  if (provider.status !== 'ok') return STATUS_TEXT[provider.status];
  if (provider.modelSource !== 'none' && !catalogue.models.some((m) => m.name === model)) return 'not listed';
  return undefined;
}

/** The configured providers (never a key), whether they answer, their models, and the models agents use. */
export function ModelProviders() {
  const catalogue = useApi<Catalogue>('/api/models');
  const agents = useApi<{ agents: Agent[] }>('/api/agents');
  return (
    <section className="card" aria-labelledby="models-title">
      <h2 id="models-title">Model providers</h2>
      <p className="muted">
        Providers and their keys are configured on the server (agentos.config.json and the environment); keys
        are never shown here.
      </p>
      <AsyncView result={catalogue} label="model providers" onRetry={catalogue.reload}>
        {({ providers, models, pricesAsOf }) => (
          <>
            <ul aria-label="Providers">
              {providers.map((provider) => (
                <li key={provider.name}>
                  <strong>{provider.name}</strong> ({provider.kind})
                  {provider.baseURL === undefined ? null : (
                    <>
                      {' '}
                      at <code>{provider.baseURL}</code>
                    </>
                  )}{' '}
                  <span className={`badge badge-${provider.status}`}>{STATUS_TEXT[provider.status]}</span>
                  {provider.message === undefined ? null : (
                    <span className="muted"> — {provider.message}</span>
                  )}
                </li>
              ))}
            </ul>
            {models.length > 0 && (
              <div className="table-wrap">
                <table>
                  <caption>
                    Models these providers serve (catalogue list prices as of {pricesAsOf}; compatible
                    servers' own lists have no price)
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Model</th>
                      <th scope="col">Context window</th>
                      <th scope="col">Input $/M tokens</th>
                      <th scope="col">Output $/M tokens</th>
                    </tr>
                  </thead>
                  <tbody>
                    {models.map((model) => (
                      <tr key={model.name}>
                        <td>
                          <code>{model.name}</code>
                        </td>
                        <td>{model.contextWindow.toLocaleString()}</td>
                        <td>{price(model.inputUsdPerMillion)}</td>
                        <td>{price(model.outputUsdPerMillion)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </AsyncView>
      <h3>Models in use</h3>
      <AsyncView result={agents} label="agents" onRetry={agents.reload}>
        {({ agents: list }) => {
          const used = [...new Set(list.map((a) => a.definition.model))].sort();
          if (used.length === 0) return <p>No agents yet.</p>;
          return (
            <ul>
              {used.map((model) => {
                const flag = catalogue.state === 'ready' ? usageFlag(catalogue.data, model) : undefined;
                return (
                  <li key={model}>
                    <code>{model}</code>
                    {flag === undefined ? null : (
                      <>
                        {' '}
                        <span className="badge badge-not_configured">{flag}</span>
                      </>
                    )}{' '}
                    — used by{' '}
                    {list
                      .filter((a) => a.definition.model === model)
                      .map((a) => a.name)
                      .join(', ')}
                  </li>
                );
              })}
            </ul>
          );
        }}
      </AsyncView>
    </section>
  );
}
