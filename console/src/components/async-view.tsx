import type { ReactNode } from 'react';
import type { Loadable } from '../api/use-api.ts';
import { ErrorMessage } from './error-message.tsx';

/** Renders a request's loading and error states, and its data once it is there. */
export function AsyncView<T>(props: {
  result: Loadable<T>;
  label: string;
  children: (data: T) => ReactNode;
  onRetry?: () => void;
}): ReactNode {
  const { result } = props;
  if (result.state === 'loading') {
    return (
      <p className="loading" role="status" aria-live="polite">
        Loading {props.label}…
      </p>
    );
  }
  if (result.state === 'error') {
    return (
      <ErrorMessage error={result.error} context={`Could not load ${props.label}`} onRetry={props.onRetry} />
    );
  }
  return props.children(result.data);
}
