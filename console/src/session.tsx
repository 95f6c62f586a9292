import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { api, setCsrfToken, setSignedOutHandler } from './api/client.ts';
import type { Session, Whoami } from './api/types.ts';

export type SessionState =
  | { state: 'checking' }
  | { state: 'signed_out'; message?: string }
  | { state: 'signed_in'; session: Session; whoami: Whoami };

interface SessionApi {
  session: SessionState;
  signIn(apiKey: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionApi | undefined>(undefined);

/**
 * Whether this browser signed in (not a secret: the session itself is an HttpOnly cookie). Without it the
 * console shows the sign-in form at once instead of asking the server and logging a 401.
 */
const SIGNED_IN_FLAG = 'agentos.signedIn';
const rememberSignedIn = (signedIn: boolean) => {
  if (signedIn) window.localStorage.setItem(SIGNED_IN_FLAG, '1');
  else window.localStorage.removeItem(SIGNED_IN_FLAG);
};

async function withWhoami(session: Session): Promise<SessionState> {
  setCsrfToken(session.csrfToken);
  const whoami = await api<Whoami>('GET', '/api/whoami', { quiet401: true });
  return { state: 'signed_in', session, whoami };
}

/**
 * The console signs in once with an API key (`POST /api/sessions`); the server answers with an HttpOnly
 * session cookie and a CSRF token. The key itself is never stored in the browser.
 */
export function SessionProvider(props: { children: ReactNode }) {
  const [session, setSession] = useState<SessionState>({ state: 'checking' });

  useEffect(() => {
    setSignedOutHandler(() => {
      rememberSignedIn(false);
      setCsrfToken(undefined);
      setSession({ state: 'signed_out', message: 'Your session ended. Sign in again.' });
    });
    let cancelled = false;
    if (window.localStorage.getItem(SIGNED_IN_FLAG) === null) {
      setSession({ state: 'signed_out' });
      return () => setSignedOutHandler(undefined);
    }
    api<Session>('GET', '/api/sessions/current', { quiet401: true })
      .then(withWhoami)
      .then(
        (next) => {
          if (!cancelled) setSession(next);
        },
        () => {
          rememberSignedIn(false);
          if (!cancelled) setSession({ state: 'signed_out' });
        },
      );
    return () => {
      cancelled = true;
      setSignedOutHandler(undefined);
    };
  }, []);

  const signIn = useCallback(async (apiKey: string) => {
    const opened = await api<Session>('POST', '/api/sessions', { body: { apiKey }, quiet401: true });
    const next = await withWhoami(opened);
    rememberSignedIn(true);
    setSession(next);
  }, []);

  const signOut = useCallback(async () => {
    // Forget locally first: even if the server cannot be reached, this browser is signed out.
    rememberSignedIn(false);
    // Whatever this tab kept goes with the session.
    window.sessionStorage.clear();
    try {
      await api('DELETE', '/api/sessions/current', { quiet401: true });
    } finally {
      setCsrfToken(undefined);
      setSession({ state: 'signed_out' });
    }
  }, []);

  return (
    <SessionContext.Provider value={{ session, signIn, signOut }}>{props.children}</SessionContext.Provider>
  );
}

export function useSession(): SessionApi {
  const value = useContext(SessionContext);
  if (value === undefined) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in principal; pages render only inside a signed-in session. */
export function useWhoami(): Whoami {
  const { session } = useSession();
  if (session.state !== 'signed_in') throw new Error('useWhoami needs a signed-in session');
  return session.whoami;
}
