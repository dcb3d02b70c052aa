/** The login page: username and password, the server's answer in words (throttling included). */
import type { FormEvent } from 'react';
import { useState } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { ApiError, errorMessage } from '../api/client.ts';
import { useSession } from '../api/session.tsx';
import { useDocumentTitle } from '../ui/page.tsx';
import { Field } from '../ui/forms.tsx';

export function LoginScreen() {
  useDocumentTitle('Log in');
  const { user, login } = useSession();
  const [params] = useSearchParams();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const next = params.get('next');
  // Only a path of this site: never an absolute URL an attacker put in ?next=.
  const target = next !== null && next.startsWith('/') && !next.startsWith('//') ? next : '/';
  if (user !== undefined && user !== null) return <Navigate to={target} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await login(username, password);
    } catch (cause) {
      setError(
        cause instanceof ApiError && cause.status === 401
          ? 'Wrong username or password.'
          : errorMessage(cause),
      );
      setBusy(false);
    }
  };

  return (
    <main id="main" className="login-page">
      <form
        className="login-card form"
        onSubmit={(event) => void submit(event)}
        aria-labelledby="login-title"
      >
        <div className="login-brand">
          <img src="/favicon.svg" alt="" width={40} height={40} />
          <h1 id="login-title">Log in to Patchgate</h1>
        </div>
        <Field id="login-username" label="Username">
          {(control) => (
            <input
              {...control}
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={username}
              onChange={(event) => setUsername(event.target.value)}
            />
          )}
        </Field>
        <Field id="login-password" label="Password">
          {(control) => (
            <input
              {...control}
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          )}
        </Field>
        {error !== undefined && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
        <p className="muted small">
          The first admin is created by <code>patchgate server</code> (with <code>--demo</code>, it
          prints the demo users and their passwords).
        </p>
      </form>
    </main>
  );
}
