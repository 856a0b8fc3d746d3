import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, useCsrfToken, type Session } from './api';
import { AttentionPage } from './attention';
import { HomePage } from './home';
import { PaymentPage } from './payment';
import { PaymentsPage } from './payments';
import { SignInPage } from './sign-in';
import './console.css';

/** `#/`, `#/payments`, `#/payments/<id>`, `#/attention`. */
function useRoute(): string {
  const [route, setRoute] = useState(location.hash.slice(1) || '/');
  useEffect(() => {
    const changed = () => setRoute(location.hash.slice(1) || '/');
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const route = useRoute();

  useEffect(() => {
    api.get<Session>('/session').then(
      (current) => {
        useCsrfToken(current.csrf_token);
        setSession(current);
      },
      () => setSession(null),
    );
  }, []);

  if (session === undefined) return <p class="loading">Loading…</p>;
  if (session === null) {
    return (
      <SignInPage
        onSignedIn={(signedIn) => {
          useCsrfToken(signedIn.csrf_token);
          setSession(signedIn);
        }}
      />
    );
  }
  const signOut = async () => {
    await api.delete('/session').catch(() => undefined);
    setSession(null);
  };
  const canAct = session.operator.role === 'operator';
  const payment = /^\/payments\/([0-9a-f-]{36})$/i.exec(route);
  return (
    <div class="app">
      <header>
        <strong>Tender console</strong>
        <nav>
          <a href="#/">Home</a>
          <a href="#/payments">Payments</a>
          <a href="#/attention">Needs attention</a>
        </nav>
        <span class="who" data-testid="signed-in-as">
          {session.operator.email} ({session.operator.role})
        </span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <main>
        {payment ? (
          <PaymentPage id={payment[1]} canAct={canAct} />
        ) : route === '/payments' ? (
          <PaymentsPage />
        ) : route === '/attention' ? (
          <AttentionPage canAct={canAct} />
        ) : (
          <HomePage />
        )}
      </main>
    </div>
  );
}

render(<App />, document.getElementById('console')!);
