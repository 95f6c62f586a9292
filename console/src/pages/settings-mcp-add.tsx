import { type FormEvent, useId, useState } from 'react';
import { call, typed } from '../api/client.ts';
import { useSave } from '../api/use-save.ts';
import { ErrorMessage } from '../components/error-message.tsx';

/** The rules of src/plugins/mcp/mcp-server-repo.ts, checked here first so a slip is named at once. */
const MCP_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const HEADER_NAME_PATTERN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;

interface Secret {
  name: string;
  value: string;
}

/** Name/value rows for environment variables or headers; values are typed like passwords and never shown again. */
function SecretRows(props: {
  legend: string;
  nameLabel: string;
  rows: Secret[];
  onChange: (rows: Secret[]) => void;
}) {
  const base = useId();
  const set = (index: number, patch: Partial<Secret>) =>
    props.onChange(props.rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      <p className="muted">Sealed on the server; only the names are ever shown again.</p>
      {props.rows.map((row, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place and have no identity
        <div className="grid-fields" key={index}>
          <div className="field">
            <label htmlFor={`${base}-n${index}`}>
              {props.nameLabel} {index + 1}
            </label>
            <input
              id={`${base}-n${index}`}
              value={row.name}
              onChange={(e) => set(index, { name: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor={`${base}-v${index}`}>Value {index + 1}</label>
            <input
              id={`${base}-v${index}`}
              type="password"
              autoComplete="off"
              value={row.value}
              onChange={(e) => set(index, { value: e.target.value })}
            />
          </div>
          <button
            type="button"
            className="link danger"
            onClick={() => props.onChange(props.rows.filter((_, i) => i !== index))}
          >
            Remove
            <span className="sr-only">
              {' '}
              {props.nameLabel.toLowerCase()} {index + 1}
            </span>
          </button>
        </div>
      ))}
      <button
        type="button"
        className="secondary"
        onClick={() => props.onChange([...props.rows, { name: '', value: '' }])}
      >
        Add {props.nameLabel.toLowerCase()}
      </button>
    </fieldset>
  );
}

/** The rows as a record, or the first problem with them. */
function secretsOf(rows: readonly Secret[], pattern: RegExp, what: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const row of rows) {
    const name = row.name.trim();
    if (name === '' && row.value === '') continue;
    if (!pattern.test(name)) return `"${name}" is not a valid ${what} name.`;
    if (Object.hasOwn(out, name)) return `${what} "${name}" is given twice.`;
    out[name] = row.value;
  }
  return out;
}

/** Registers a stdio (command, arguments, environment) or http (URL, headers) MCP server. */
export function AddMcpServerForm(props: { onAdded: () => void }) {
  const base = useId();
  const [name, setName] = useState('');
  const [transport, setTransport] = useState<'stdio' | 'http'>('stdio');
  const [command, setCommand] = useState('');
  const [args, setArgs] = useState('');
  const [env, setEnv] = useState<Secret[]>([]);
  const [url, setUrl] = useState('');
  const [headers, setHeaders] = useState<Secret[]>([]);
  const [problem, setProblem] = useState<string | undefined>();
  const [added, setAdded] = useState<string | undefined>();
  const action = useSave();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setAdded(undefined);
    const secrets =
      transport === 'stdio'
        ? secretsOf(env, ENV_NAME_PATTERN, 'environment variable')
        : secretsOf(headers, HEADER_NAME_PATTERN, 'header');
    let found: string | undefined;
    if (!MCP_NAME_PATTERN.test(name))
      found = 'Name: lowercase letters, digits, "_" and "-", starting with a letter, at most 32.';
    else if (name.includes('__') || name.endsWith('_'))
      found = 'Name: no "__" and no "_" at the end (its tools are named <server>__<tool>).';
    else if (transport === 'stdio' && command.trim() === '')
      found = 'Give the command that starts the server.';
    else if (transport === 'http' && !/^https?:\/\//.test(url.trim()))
      found = "Give the server's http(s) URL.";
    else if (typeof secrets === 'string') found = secrets;
    setProblem(found);
    if (found !== undefined || typeof secrets === 'string') return;
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
            env: secrets,
          }
        : { name, transport, url: url.trim(), headers: secrets };
    void action.save(async () => {
      await call(typed.POST('/api/mcp/servers', { body }));
      setAdded(name);
      setName('');
      setCommand('');
      setArgs('');
      setEnv([]);
      setUrl('');
      setHeaders([]);
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
          <>
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
            <SecretRows legend="Environment variables" nameLabel="Variable" rows={env} onChange={setEnv} />
          </>
        ) : (
          <>
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
            <SecretRows legend="Headers" nameLabel="Header" rows={headers} onChange={setHeaders} />
          </>
        )}
        <p className="muted">
          From a terminal:{' '}
          <code>agentos mcp add &lt;name&gt; --command &lt;cmd&gt; --arg … --env KEY=VALUE</code> or{' '}
          <code>--mcp-url &lt;url&gt; --header KEY=VALUE</code>.
        </p>
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
