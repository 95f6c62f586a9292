import { useState } from 'react';
import type { ApiSchemas } from '../../../src/surfaces/client/agent-os-client.ts';
import { useApi } from '../api/use-api.ts';
import { ErrorMessage } from '../components/error-message.tsx';

type Catalogue = ApiSchemas['ModelProviders'];
type Provider = Catalogue['providers'][number];

const CUSTOM = '__custom__';

const flagOf = (provider: Provider): string | undefined =>
  provider.status === 'not_configured'
    ? 'not configured'
    : provider.status === 'unreachable'
      ? 'did not answer'
      : undefined;

/** Providers whose models can be typed by hand: compatible servers (they may serve more than they list). */
const typable = (providers: readonly Provider[]) =>
  providers.filter((provider) => provider.kind === 'openai-compatible').map((provider) => provider.name);

/**
 * The agent's model, picked from `GET /api/models` grouped by provider; unconfigured and unreachable
 * providers are flagged, and a name can still be typed for an OpenAI-compatible server (one that did not
 * answer cannot list what it serves). The server checks the name again at save.
 */
export function ModelPicker(props: {
  value: string;
  onChange: (value: string) => void;
  describedBy: string | undefined;
  invalid: boolean;
}) {
  const catalogue = useApi<Catalogue>('/api/models');
  const listed = catalogue.state === 'ready' ? catalogue.data.models.map((model) => model.name) : [];
  const [typing, setTyping] = useState(false);
  const custom =
    typing || (props.value !== '' && catalogue.state === 'ready' && !listed.includes(props.value));

  if (catalogue.state !== 'ready') {
    return (
      <>
        <input
          id="agent-model"
          value={props.value}
          placeholder={catalogue.state === 'loading' ? 'Loading models…' : '<provider>:<model>'}
          aria-invalid={props.invalid}
          aria-describedby={props.describedBy}
          onChange={(event) => props.onChange(event.target.value)}
        />
        {catalogue.state === 'error' && (
          <ErrorMessage error={catalogue.error} context="Could not load models" onRetry={catalogue.reload} />
        )}
      </>
    );
  }

  const { providers, models } = catalogue.data;
  const flagged = providers.filter((provider) => flagOf(provider) !== undefined);
  const canType = typable(providers);
  return (
    <>
      <select
        id="agent-model"
        value={custom ? CUSTOM : props.value}
        aria-invalid={props.invalid}
        aria-describedby={props.describedBy}
        onChange={(event) => {
          const chosen = event.target.value;
          setTyping(chosen === CUSTOM);
          if (chosen !== CUSTOM) props.onChange(chosen);
        }}
      >
        <option value="">Choose a model…</option>
        {providers.map((provider) => {
          const flag = flagOf(provider);
          const own = models.filter((model) => model.provider === provider.name);
          return (
            <optgroup
              key={provider.name}
              label={`${provider.name} (${provider.kind})${flag === undefined ? '' : ` — ${flag}`}`}
            >
              {own.map((model) => (
                <option key={model.name} value={model.name}>
                  {model.name} · {model.contextWindow.toLocaleString()} tokens
                  {model.inputUsdPerMillion === null ? '' : ` · $${model.inputUsdPerMillion}/M in`}
                </option>
              ))}
              {own.length === 0 && (
                <option disabled value={`${provider.name}:`}>
                  {flag === undefined ? 'lists no models' : `no models: ${flag}`}
                </option>
              )}
            </optgroup>
          );
        })}
        {canType.length > 0 && <option value={CUSTOM}>Type a name for {canType.join(', ')}…</option>}
      </select>
      {custom && (
        <input
          id="agent-model-custom"
          aria-label="Model name"
          value={props.value}
          placeholder={`${canType[0] ?? 'local'}:model-id`}
          aria-invalid={props.invalid}
          aria-describedby={props.describedBy}
          onChange={(event) => props.onChange(event.target.value)}
        />
      )}
      {flagged.length > 0 && (
        <ul className="provider-flags" aria-label="Providers needing attention">
          {flagged.map((provider) => (
            <li key={provider.name}>
              <span className={`badge badge-${provider.status}`}>{flagOf(provider)}</span>{' '}
              <strong>{provider.name}</strong>: {provider.message}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
