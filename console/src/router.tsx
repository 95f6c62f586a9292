import { type MouseEvent, type ReactNode, useEffect, useState } from 'react';

/** A small History-API router: the server falls back to index.html for every console path. */
export function navigate(to: string): void {
  window.history.pushState(null, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useLocation(): { path: string; query: URLSearchParams } {
  const [location, setLocation] = useState(() => window.location.pathname + window.location.search);
  useEffect(() => {
    const onChange = () => setLocation(window.location.pathname + window.location.search);
    window.addEventListener('popstate', onChange);
    return () => window.removeEventListener('popstate', onChange);
  }, []);
  const url = new URL(location, window.location.origin);
  return { path: url.pathname, query: url.searchParams };
}

export function Link(props: {
  to: string;
  children: ReactNode;
  className?: string;
  current?: boolean;
  /** Shown on hover: the raw id behind a name. */
  title?: string;
}) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(props.to);
  };
  return (
    <a
      href={props.to}
      onClick={onClick}
      className={props.className}
      title={props.title}
      aria-current={props.current === true ? 'page' : undefined}
    >
      {props.children}
    </a>
  );
}
