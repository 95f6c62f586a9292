import { type FormEvent, useState } from 'react';
import { ErrorMessage } from '../components/error-message.tsx';
import { useSession } from '../session.tsx';

export function SignInPage(props: { message?: string | undefined }) {
  const { signIn } = useSession();
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(apiKey.trim());
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
      setBusy(false);
    }
  };

  return (
    <main className="sign-in" id="main">
      <form onSubmit={onSubmit} className="card" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Agent OS</h1>
        <p>
          Sign in with an API key. The first start wrote the admin's key to{' '}
          <code>&lt;home&gt;/admin-api-key</code>.
        </p>
        {props.message !== undefined && <p role="status">{props.message}</p>}
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="apiKey"
          type="password"
          autoComplete="current-password"
          required
          value={apiKey}
          onChange={(event) => setApiKey(event.target.value)}
        />
        {error !== undefined && <ErrorMessage error={error} context="Sign-in failed" />}
        <button type="submit" disabled={busy || apiKey.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
