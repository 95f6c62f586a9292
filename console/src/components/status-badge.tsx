/** A run's, approval's or connection's status as a coloured label (the text carries the meaning, not the colour). */
export function StatusBadge(props: { status: string }) {
  const kind = props.status.startsWith('awaiting') ? 'paused' : props.status.replace(/[^a-z_]/g, '');
  return <span className={`badge badge-${kind}`}>{props.status}</span>;
}
