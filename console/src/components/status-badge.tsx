/** A run's, approval's or connection's status as a coloured label (the text carries the meaning, not the colour). */
export function StatusBadge(props: { status: string }) {
  return <span className={`badge badge-${props.status.replace(/[^a-z_]/g, '')}`}>{props.status}</span>;
}
