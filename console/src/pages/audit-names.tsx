import type { AuditEntry } from '../api/types.ts';

type Names = Readonly<Record<string, string>>;

/** A display name with its raw id on hover; the id itself when the API gave no name (or may not). */
export function Named(props: { names: Names; type: string; id: string }) {
  const name = props.names[`${props.type}:${props.id}`];
  return name === undefined ? <code>{props.id}</code> : <span title={props.id}>{name}</span>;
}

/** Who acted: the person, agent or system, for whom an agent acted, and through which API key. */
export function AuditActor(props: { entry: AuditEntry; names: Names }) {
  const { actor } = props.entry;
  return (
    <>
      {actor.type === 'system' ? (
        <span title={`system:${actor.id}`}>Agent OS ({actor.id})</span>
      ) : (
        <Named names={props.names} type={actor.type} id={actor.id} />
      )}
      {actor.onBehalfOf !== undefined && (
        <>
          {' '}
          <span className="muted">for</span> <Named names={props.names} type="user" id={actor.onBehalfOf} />
        </>
      )}
      {actor.keyId !== undefined && (
        <>
          {' '}
          <span className="muted">
            via key <Named names={props.names} type="key" id={actor.keyId} />
          </span>
        </>
      )}
    </>
  );
}

export function AuditResource(props: { entry: AuditEntry; names: Names }) {
  const { resource } = props.entry;
  return (
    <>
      <span className="muted">{resource.type}</span>{' '}
      {resource.id !== null && <Named names={props.names} type={resource.type} id={resource.id} />}
    </>
  );
}

/** The text the "Contains" filter looks in: ids, names and data. */
export function searchableText(entry: AuditEntry, names: Names): string {
  const named = [
    `${entry.actor.type}:${entry.actor.id}`,
    `user:${entry.actor.onBehalfOf}`,
    `key:${entry.actor.keyId}`,
    `${entry.resource.type}:${entry.resource.id}`,
  ].map((key) => names[key] ?? '');
  return JSON.stringify([entry.resource, entry.data, entry.actor, named]).toLowerCase();
}
