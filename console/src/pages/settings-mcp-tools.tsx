import { useState } from 'react';
import type { ApiRequestBody, ApiSchemas } from '../../../src/surfaces/client/agent-os-client.ts';
import { call, typed } from '../api/client.ts';
import { useApi } from '../api/use-api.ts';
import { useSave } from '../api/use-save.ts';
import { AsyncView } from '../components/async-view.tsx';
import { ErrorMessage } from '../components/error-message.tsx';

type McpTool = ApiSchemas['McpTool'];
type ToolLabels = ApiRequestBody<'/api/mcp/servers/{id}/tools/{tool}', 'patch'>;
type Role = McpTool['argumentRoles'][string];

/** The values the API accepts (src/core/tools/tool.ts, src/plugins/mcp/mcp-server-repo.ts). */
const EFFECTS: readonly McpTool['effect'][] = ['read', 'write', 'external_send', 'destructive'];
const STAKES: readonly McpTool['stakes'][] = ['low', 'medium', 'high'];
const ROLES: readonly Role[] = ['destination', 'recipient', 'amount', 'path', 'secret'];

/** The top-level arguments of a tool's JSON Schema: the ones a role can be given to. */
function argumentNames(tool: McpTool): string[] {
  const properties = tool.inputSchema.properties;
  return typeof properties === 'object' && properties !== null ? Object.keys(properties) : [];
}

const sameRoles = (a: Record<string, Role>, b: Record<string, Role>): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/** One tool's labels: read-only text, or (for admins) controls saved through PATCH …/tools/:tool. */
function ToolRow(props: {
  serverId: string;
  tool: McpTool;
  canEdit: boolean;
  saved: boolean;
  onSaved: () => void;
}) {
  const { tool, canEdit } = props;
  const [effect, setEffect] = useState(tool.effect);
  const [stakes, setStakes] = useState(tool.stakes);
  const [trusted, setTrusted] = useState(tool.trustedOutput);
  const [roles, setRoles] = useState<Record<string, Role>>(tool.argumentRoles);
  const [fields, setFields] = useState(tool.trustedFields.join(', '));
  const fieldList = fields
    .split(',')
    .map((path) => path.trim())
    .filter((path) => path !== '');
  const action = useSave();
  const names = argumentNames(tool);
  const labels: ToolLabels = {
    ...(effect === tool.effect ? {} : { effect }),
    ...(stakes === tool.stakes ? {} : { stakes }),
    ...(trusted === tool.trustedOutput ? {} : { trustedOutput: trusted }),
    ...(sameRoles(roles, tool.argumentRoles) ? {} : { argumentRoles: roles }),
    ...(fieldList.join(',') === tool.trustedFields.join(',') ? {} : { trustedFields: fieldList }),
  };
  const changed = Object.keys(labels).length > 0;
  const setRole = (name: string, value: string) => {
    const next = { ...roles };
    const role = ROLES.find((r) => r === value);
    if (role === undefined) delete next[name];
    else next[name] = role;
    setRoles(next);
  };
  const save = () =>
    void action.save(
      () =>
        call(
          typed.PATCH('/api/mcp/servers/{id}/tools/{tool}', {
            params: { path: { id: props.serverId, tool: tool.name } },
            body: labels,
          }),
        ),
      props.onSaved,
    );
  const label = (what: string) => `${what} of ${tool.qualifiedName}`;
  return (
    <tr>
      <th scope="row">
        <code>{tool.qualifiedName}</code>
        {tool.description !== null && <div className="muted tool-description">{tool.description}</div>}
      </th>
      <td>
        {canEdit ? (
          <select
            aria-label={label('Effect')}
            value={effect}
            onChange={(e) => setEffect(pick(EFFECTS, e.target.value, effect))}
          >
            {EFFECTS.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        ) : (
          tool.effect
        )}
      </td>
      <td>
        {canEdit ? (
          <select
            aria-label={label('Stakes')}
            value={stakes}
            onChange={(e) => setStakes(pick(STAKES, e.target.value, stakes))}
          >
            {STAKES.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        ) : (
          tool.stakes
        )}
      </td>
      <td>
        {canEdit ? (
          <input
            type="checkbox"
            aria-label={label('Trusted output')}
            checked={trusted}
            onChange={(e) => setTrusted(e.target.checked)}
          />
        ) : tool.trustedOutput ? (
          'trusted'
        ) : (
          'untrusted'
        )}
        {!trusted &&
          (canEdit ? (
            <label className="trusted-fields">
              <span className="muted">trusted fields</span>{' '}
              <input
                aria-label={label('Trusted fields')}
                placeholder="[].name, [].price"
                value={fields}
                onChange={(e) => setFields(e.target.value)}
              />
            </label>
          ) : (
            tool.trustedFields.length > 0 && (
              <div className="muted">trusted fields: {tool.trustedFields.join(', ')}</div>
            )
          ))}
      </td>
      <td>
        {names.length === 0 ? (
          <span className="muted">no arguments</span>
        ) : (
          <ul className="argument-roles">
            {names.map((name) => (
              <li key={name}>
                <code>{name}</code>{' '}
                {canEdit ? (
                  <select
                    aria-label={label(`Role of argument ${name}`)}
                    value={roles[name] ?? ''}
                    onChange={(e) => setRole(name, e.target.value)}
                  >
                    <option value="">(none)</option>
                    {ROLES.map((value) => (
                      <option key={value}>{value}</option>
                    ))}
                  </select>
                ) : (
                  (tool.argumentRoles[name] ?? '(none)')
                )}
              </li>
            ))}
          </ul>
        )}
      </td>
      {canEdit && (
        <td>
          <button type="button" disabled={!changed || action.busy} onClick={save}>
            {action.busy ? 'Saving…' : 'Save'}
            <span className="sr-only"> labels of {tool.qualifiedName}</span>
          </button>
          {props.saved && !changed && <span role="status"> Saved.</span>}
          {action.error !== undefined && (
            <ErrorMessage
              error={action.error}
              context={`The labels of ${tool.qualifiedName} were not saved`}
            />
          )}
        </td>
      )}
    </tr>
  );
}

const pick = <T extends string>(values: readonly T[], value: string, fallback: T): T =>
  values.find((v) => v === value) ?? fallback;

/** A server's tools as agents see them, with their effective labels; admins edit them in place. */
export function McpTools(props: { serverId: string; serverName: string; canEdit: boolean }) {
  const tools = useApi<{ tools: McpTool[] }>(`/api/mcp/servers/${encodeURIComponent(props.serverId)}/tools`);
  // Kept here: a saved row is rebuilt from the reloaded labels, so its own state starts again.
  const [savedTool, setSavedTool] = useState<string | undefined>();
  return (
    <AsyncView result={tools} label="the server's tools" onRetry={tools.reload}>
      {({ tools: list }) => (
        <div className="table-wrap">
          <table>
            <caption>
              Tools of {props.serverName}: what they do (effect, stakes), whether their output is trusted (it
              does not taint a run), and what each argument means for the policy
            </caption>
            <thead>
              <tr>
                <th scope="col">Tool</th>
                <th scope="col">Effect</th>
                <th scope="col">Stakes</th>
                <th scope="col">Trusted output</th>
                <th scope="col">Argument roles</th>
                {props.canEdit && <th scope="col">Save</th>}
              </tr>
            </thead>
            <tbody>
              {list.map((tool) => (
                <ToolRow
                  // A new key after a save, so the row starts again from the server's labels.
                  key={`${tool.name}:${JSON.stringify([tool.effect, tool.stakes, tool.trustedOutput, tool.trustedFields, tool.argumentRoles])}`}
                  serverId={props.serverId}
                  tool={tool}
                  canEdit={props.canEdit}
                  saved={savedTool === tool.name}
                  onSaved={() => {
                    setSavedTool(tool.name);
                    tools.reload();
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </AsyncView>
  );
}
