import { useState } from 'react';
import type { ApiSchemas } from '../../../src/surfaces/client/agent-os-client.ts';
import { useApi } from '../api/use-api.ts';
import { ErrorMessage } from '../components/error-message.tsx';

type Catalogue = ApiSchemas['ToolCatalogue'];
type CatalogueTool = Catalogue['tools'][number];

const EFFECT_LABEL: Record<CatalogueTool['effect'], string> = {
  read: 'reads',
  write: 'writes',
  external_send: 'sends out',
  destructive: 'destroys',
};

const matches = (tool: CatalogueTool, search: string) => {
  const needle = search.trim().toLowerCase();
  return (
    needle === '' ||
    tool.name.toLowerCase().includes(needle) ||
    tool.description.toLowerCase().includes(needle) ||
    tool.origin.toLowerCase().includes(needle)
  );
};

function ToolRow(props: { tool: CatalogueTool; checked: boolean; onToggle: (on: boolean) => void }) {
  const { tool } = props;
  const id = `tool-${tool.name}`;
  return (
    <li className="tool-option">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        aria-describedby={`${id}-about`}
        onChange={(event) => props.onToggle(event.target.checked)}
      />
      {/* The name alone labels the box; effect, stakes and description describe it. */}
      <div>
        <label htmlFor={id}>
          <code>{tool.name}</code>
        </label>{' '}
        <span id={`${id}-about`}>
          <span className={`badge effect-${tool.effect}`}>{EFFECT_LABEL[tool.effect]}</span>{' '}
          <span className={`badge stakes-${tool.stakes}`}>{tool.stakes} stakes</span>
          {tool.origin !== 'built-in' && <span className="muted"> · {tool.origin}</span>}
          <small className="muted tool-description">{tool.description}</small>
        </span>
      </div>
    </li>
  );
}

/**
 * The agent's tool grants, picked from `GET /api/tools` (this server's tools and the workspace's MCP
 * servers'), searchable, each with its effect, stakes and description. Names under an MCP server that did
 * not answer can be added by hand; the server checks every name again at save.
 */
export function ToolPicker(props: {
  value: readonly string[];
  onChange: (value: string[]) => void;
  problem: string | undefined;
}) {
  const catalogue = useApi<Catalogue>('/api/tools');
  const [search, setSearch] = useState('');
  const [typed, setTyped] = useState('');
  const selected = new Set(props.value);
  const toggle = (name: string, on: boolean) =>
    props.onChange(on ? [...props.value, name] : props.value.filter((n) => n !== name));
  const tools = catalogue.state === 'ready' ? catalogue.data.tools : [];
  const unknownSelected = props.value.filter((name) => !tools.some((tool) => tool.name === name));
  const shown = tools.filter((tool) => matches(tool, search));
  const add = () => {
    const name = typed.trim();
    if (name !== '' && !selected.has(name)) props.onChange([...props.value, name]);
    setTyped('');
  };

  return (
    <fieldset
      className="tool-picker"
      aria-describedby={props.problem === undefined ? 'tools-hint' : 'tools-hint tools-problem'}
    >
      <legend>Tools (grants)</legend>
      <small id="tools-hint" className="muted">
        {selected.size} selected. The agent may call only these; every call still passes the policy gate.
      </small>
      <input
        type="search"
        aria-label="Search tools"
        placeholder="Search by name, description or server"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
      />
      {catalogue.state === 'loading' && <p className="muted">Loading tools…</p>}
      {catalogue.state === 'error' && (
        <ErrorMessage error={catalogue.error} context="Could not load tools" onRetry={catalogue.reload} />
      )}
      <ul className="tool-options" aria-label="Tools">
        {shown.map((tool) => (
          <ToolRow
            key={tool.name}
            tool={tool}
            checked={selected.has(tool.name)}
            onToggle={(on) => toggle(tool.name, on)}
          />
        ))}
        {unknownSelected.map((name) => (
          <li key={name} className="tool-option">
            <input id={`tool-${name}`} type="checkbox" checked onChange={() => toggle(name, false)} />
            <label htmlFor={`tool-${name}`}>
              <code>{name}</code> <span className="badge">not listed now</span>
            </label>
          </li>
        ))}
        {catalogue.state === 'ready' && shown.length === 0 && <li className="muted">No tool matches.</li>}
      </ul>
      {catalogue.state === 'ready' && catalogue.data.unlisted.length > 0 && (
        <div className="unlisted-tools">
          <ul aria-label="Tool sources that did not answer">
            {catalogue.data.unlisted.map((entry) => (
              <li key={entry.prefix}>
                <span className="badge badge-unreachable">did not answer</span> {entry.message}: its tools can
                be added by name (<code>{entry.prefix}__&lt;tool&gt;</code>).
              </li>
            ))}
          </ul>
          <div className="filters">
            <input
              aria-label="Tool name to add"
              placeholder={`${catalogue.data.unlisted[0]?.prefix ?? 'server'}__tool`}
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
            />
            <button type="button" className="secondary" onClick={add}>
              Add
            </button>
          </div>
        </div>
      )}
      {props.problem !== undefined && (
        <small id="tools-problem" className="field-problem">
          {props.problem}
        </small>
      )}
    </fieldset>
  );
}
