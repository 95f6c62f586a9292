import { useState } from 'react';
import type { ApiSchemas } from '../../../src/surfaces/client/agent-os-client.ts';
import { call, typed } from '../api/client.ts';
import { useApi } from '../api/use-api.ts';
import { useSave } from '../api/use-save.ts';
import { AsyncView } from '../components/async-view.tsx';
import { ErrorMessage } from '../components/error-message.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { AddMcpServerForm } from './settings-mcp-add.tsx';
import { McpTools } from './settings-mcp-tools.tsx';

type McpServer = ApiSchemas['McpServer'] & { connection: { state: string; pid: number | null } };

const targetOf = (server: McpServer): string =>
  server.transport === 'stdio' ? [server.command ?? '', ...server.args].join(' ') : (server.url ?? '');

/** One registered server: what it runs, its credentials by name, its tools; admins may remove it (confirmed). */
function McpServerItem(props: { server: McpServer; canEdit: boolean; onRemoved: () => void }) {
  const { server } = props;
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const action = useSave();
  const secrets = [...server.secretNames.env, ...server.secretNames.headers];
  const remove = () =>
    void action.save(
      () => call(typed.DELETE('/api/mcp/servers/{id}', { params: { path: { id: server.id } } })),
      props.onRemoved,
    );
  return (
    <li aria-label={`MCP server ${server.name}`}>
      <strong>{server.name}</strong> <StatusBadge status={server.connection.state} />{' '}
      <span className="muted">
        {server.transport} · <code>{targetOf(server)}</code>
        {secrets.length > 0 && <> · credentials: {secrets.join(', ')}</>}
      </span>{' '}
      <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
        Tools<span className="sr-only"> of {server.name}</span>
      </button>{' '}
      {props.canEdit &&
        (confirming ? (
          <span className="confirm">
            Remove {server.name}? Agents lose its tools.{' '}
            <button type="button" className="danger" disabled={action.busy} onClick={remove}>
              Yes, remove {server.name}
            </button>{' '}
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </span>
        ) : (
          <button type="button" className="link danger" onClick={() => setConfirming(true)}>
            Remove<span className="sr-only"> {server.name}</span>
          </button>
        ))}
      {action.error !== undefined && (
        <ErrorMessage error={action.error} context={`${server.name} was not removed`} />
      )}
      {open && <McpTools serverId={server.id} serverName={server.name} canEdit={props.canEdit} />}
    </li>
  );
}

/**
 * Settings → MCP servers. Builders see the servers and their tools' labels (mcp.read); only admins
 * (mcp.manage) register, remove and label.
 */
export function McpServers(props: { canEdit: boolean }) {
  const servers = useApi<{ servers: McpServer[] }>('/api/mcp/servers');
  return (
    <section className="card" aria-labelledby="mcp-title">
      <h2 id="mcp-title">MCP servers</h2>
      {!props.canEdit && (
        <p className="muted">Read-only: workspace admins register servers and label their tools.</p>
      )}
      <AsyncView result={servers} label="MCP servers" onRetry={servers.reload}>
        {({ servers: list }) =>
          list.length === 0 ? (
            <p>
              No MCP servers registered
              {props.canEdit ? (
                <>
                  {' '}
                  (below, or <code>agentos mcp add</code>).
                </>
              ) : (
                '.'
              )}
            </p>
          ) : (
            <ul className="mcp-servers">
              {list.map((server) => (
                <McpServerItem
                  key={server.id}
                  server={server}
                  canEdit={props.canEdit}
                  onRemoved={servers.reload}
                />
              ))}
            </ul>
          )
        }
      </AsyncView>
      {props.canEdit && <AddMcpServerForm onAdded={servers.reload} />}
    </section>
  );
}
