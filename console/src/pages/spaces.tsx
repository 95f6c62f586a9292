import { type FormEvent, useId, useState } from 'react';
import { del, post } from '../api/client.ts';
import type { Agent, Group, Member, Space } from '../api/types.ts';
import { useApi } from '../api/use-api.ts';
import { AsyncView } from '../components/async-view.tsx';
import { ErrorMessage } from '../components/error-message.tsx';
import { useWhoami } from '../session.tsx';

function useAction() {
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<unknown>, after: () => void) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      after();
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}

const nameOf = (members: readonly Member[], id: string) => {
  const member = members.find((m) => m.id === id);
  return member === undefined ? id : `${member.name} <${member.email}>`;
};

function SpaceMembers(props: { space: Space; members: Member[]; groups: Group[]; admin: boolean }) {
  const detail = useApi<{ members: string[] }>(`/api/spaces/${encodeURIComponent(props.space.id)}/members`);
  const [userId, setUserId] = useState('');
  const [group, setGroup] = useState('');
  const action = useAction();
  const userSelect = useId();
  const groupSelect = useId();
  return (
    <div className="space-members">
      <AsyncView result={detail} label={`members of ${props.space.name}`} onRetry={detail.reload}>
        {({ members }) =>
          members.length === 0 ? (
            <p className="muted">
              {props.space.visibility === 'open'
                ? 'Open: every workspace member sees it.'
                : 'No members yet.'}
            </p>
          ) : (
            <ul>
              {members.map((id) => (
                <li key={id}>
                  {nameOf(props.members, id)}
                  {props.admin && (
                    <button
                      type="button"
                      className="link"
                      disabled={action.busy}
                      onClick={() =>
                        void action.run(
                          () => del(`/api/spaces/${props.space.id}/members/${id}`),
                          detail.reload,
                        )
                      }
                    >
                      Remove
                      <span className="sr-only">
                        {' '}
                        {nameOf(props.members, id)} from {props.space.name}
                      </span>
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </AsyncView>
      {props.admin && (
        <div className="inline-forms">
          <form
            onSubmit={(event: FormEvent) => {
              event.preventDefault();
              void action.run(() => post(`/api/spaces/${props.space.id}/members`, { userId }), detail.reload);
            }}
          >
            <label htmlFor={userSelect}>Add member</label>
            <select
              id={userSelect}
              value={userId}
              onChange={(event) => setUserId(event.target.value)}
              required
            >
              <option value="">Choose a person</option>
              {props.members.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name} ({m.role})
                </option>
              ))}
            </select>
            <button type="submit" disabled={action.busy || userId === ''}>
              Add
            </button>
          </form>
          <form
            onSubmit={(event: FormEvent) => {
              event.preventDefault();
              void action.run(() => post(`/api/spaces/${props.space.id}/groups`, { group }), detail.reload);
            }}
          >
            <label htmlFor={groupSelect}>Add group</label>
            <select
              id={groupSelect}
              value={group}
              onChange={(event) => setGroup(event.target.value)}
              required
            >
              <option value="">Choose a group</option>
              {props.groups.map((g) => (
                <option key={g.id} value={g.name}>
                  {g.name}
                </option>
              ))}
            </select>
            <button type="submit" disabled={action.busy || group === ''}>
              Add
            </button>
          </form>
        </div>
      )}
      {action.error !== undefined && <ErrorMessage error={action.error} context="The change was not made" />}
    </div>
  );
}

function CreateNamed(props: {
  label: string;
  path: string;
  onCreated: () => void;
  withVisibility?: boolean;
}) {
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState<'open' | 'restricted'>('restricted');
  const action = useAction();
  const nameId = useId();
  const visibilityId = useId();
  return (
    <form
      className="inline-forms"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        void action.run(
          () => post(props.path, props.withVisibility === true ? { name, visibility } : { name }),
          () => {
            setName('');
            props.onCreated();
          },
        );
      }}
    >
      <label htmlFor={nameId}>{props.label}</label>
      <input
        id={nameId}
        value={name}
        pattern="[a-z][a-z0-9\-]{0,62}"
        required
        onChange={(event) => setName(event.target.value)}
      />
      {props.withVisibility === true && (
        <>
          <label htmlFor={visibilityId}>Visibility</label>
          <select
            id={visibilityId}
            value={visibility}
            onChange={(event) => setVisibility(event.target.value as 'open' | 'restricted')}
          >
            <option value="restricted">restricted</option>
            <option value="open">open</option>
          </select>
        </>
      )}
      <button type="submit" disabled={action.busy || name === ''}>
        Create
      </button>
      {action.error !== undefined && <ErrorMessage error={action.error} context="Not created" />}
    </form>
  );
}

function GroupMembers(props: { group: Group; members: Member[]; onChanged: () => void }) {
  const [userId, setUserId] = useState('');
  const action = useAction();
  const selectId = useId();
  return (
    <li>
      <strong>{props.group.name}</strong>:{' '}
      {props.group.members.map((id) => nameOf(props.members, id)).join(', ') || 'no members'}
      <form
        className="inline-forms"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          void action.run(() => post(`/api/groups/${props.group.id}/members`, { userId }), props.onChanged);
        }}
      >
        <label htmlFor={selectId}>Add to {props.group.name}</label>
        <select id={selectId} value={userId} onChange={(event) => setUserId(event.target.value)}>
          <option value="">Choose a person</option>
          {props.members.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
        <button type="submit" disabled={action.busy || userId === ''}>
          Add
        </button>
      </form>
      {action.error !== undefined && <ErrorMessage error={action.error} context="Not added" />}
    </li>
  );
}

/** Spaces, who is in them (people and groups), and which agents live in each: who can see what. */
export function SpacesPage() {
  const whoami = useWhoami();
  const admin = whoami.role === 'admin';
  const spaces = useApi<{ spaces: Space[] }>('/api/spaces');
  const users = useApi<{ users: Member[] }>('/api/users');
  const groups = useApi<{ groups: Group[] }>('/api/groups');
  const agents = useApi<{ agents: Agent[] }>('/api/agents');
  const members = users.state === 'ready' ? users.data.users : [];
  const groupList = groups.state === 'ready' ? groups.data.groups : [];
  return (
    <section className="page" aria-labelledby="spaces-title">
      <h1 id="spaces-title">Spaces and members</h1>
      <p className="muted">
        An <em>open</em> space is visible to every member of the workspace; a <em>restricted</em> one only to
        its members, the members of its groups, and admins. Agents in a space share its memory.
      </p>
      {admin && <CreateNamed label="New space" path="/api/spaces" withVisibility onCreated={spaces.reload} />}
      <AsyncView result={spaces} label="spaces" onRetry={spaces.reload}>
        {({ spaces: list }) =>
          list.length === 0 ? (
            <p>No spaces yet.</p>
          ) : (
            <ul className="cards">
              {list.map((space) => (
                <li key={space.id} className="card">
                  <h2>
                    {space.name} <span className="badge">{space.visibility}</span>
                  </h2>
                  <p className="muted">
                    Agents:{' '}
                    {agents.state === 'ready'
                      ? agents.data.agents
                          .filter((a) => a.definition.space === space.id)
                          .map((a) => a.name)
                          .join(', ') || 'none'
                      : '…'}
                  </p>
                  <SpaceMembers space={space} members={members} groups={groupList} admin={admin} />
                </li>
              ))}
            </ul>
          )
        }
      </AsyncView>
      <h2>People</h2>
      <AsyncView result={users} label="people" onRetry={users.reload}>
        {({ users: list }) => (
          <ul>
            {list.map((m) => (
              <li key={m.id}>
                {m.name} &lt;{m.email}&gt; — {m.role}
              </li>
            ))}
          </ul>
        )}
      </AsyncView>
      <h2>Groups</h2>
      {admin && <CreateNamed label="New group" path="/api/groups" onCreated={groups.reload} />}
      <AsyncView result={groups} label="groups" onRetry={groups.reload}>
        {({ groups: list }) =>
          list.length === 0 ? (
            <p>No groups yet.</p>
          ) : (
            <ul>
              {list.map((g) => (
                <GroupMembers key={g.id} group={g} members={members} onChanged={groups.reload} />
              ))}
            </ul>
          )
        }
      </AsyncView>
    </section>
  );
}
