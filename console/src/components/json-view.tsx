/** Pretty JSON, as exact as the server sent it (arguments, results, audit data). */
export function JsonView(props: { value: unknown; label?: string }) {
  const text = typeof props.value === 'string' ? props.value : JSON.stringify(props.value, null, 2);
  return (
    <figure className="code-figure" aria-label={props.label}>
      <pre className="json">{text}</pre>
    </figure>
  );
}

/** Tool arguments arrive as the model's JSON text: show them parsed when they parse. */
export function parseMaybeJson(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
