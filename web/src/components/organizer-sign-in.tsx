// Organizer sign-in on the dashboard: email and password to POST /api/sessions (the api role sets an
// httpOnly session cookie; the page never sees it again). Cookies belong to the host, not the port,
// so the admission role receives it too on credentialed calls and checks membership of the event's
// organization (or the admin role). Signed in, the organizer's events are listed to pick from. This is
// the only way in: there is no token to paste; ops sign in as an admin (npm run admin -- grant-admin).
import { useEffect, useState, type FormEvent } from 'react';
import { ApiProblem, problemMessage, requestJson } from '../http';
import { Link } from '../router';

export interface OrganizerAccount {
  id: string;
  email: string;
  displayName?: string | null;
  /** `admin` may run any event's controls; the admission role re-checks it in MySQL on every call. */
  role?: string;
  memberships: Array<{ organizationId: string; role: string }>;
}

interface OrganizerEvent {
  id: string;
  name: string;
  status: string;
  startsAt: string;
}

/** undefined while asking, null when signed out. */
export function useOrganizerAccount(): [OrganizerAccount | null | undefined, (account: OrganizerAccount | null) => void] {
  const [account, setAccount] = useState<OrganizerAccount | null>();
  useEffect(() => {
    requestJson<{ account: OrganizerAccount }>('/api/sessions/current').then(
      (reply) => setAccount(reply.account),
      () => setAccount(null),
    );
  }, []);
  return [account, setAccount];
}

export function OrganizerSignIn({ account, onChange }: { account: OrganizerAccount | null | undefined; onChange: (account: OrganizerAccount | null) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const signIn = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await requestJson('/api/sessions', { method: 'POST', body: { email, password } });
      const current = await requestJson<{ account: OrganizerAccount }>('/api/sessions/current');
      setPassword('');
      onChange(current.account);
    } catch (problem) {
      setError(problem instanceof ApiProblem && problem.status === 401 ? 'That email and password do not match an account.' : problemMessage(problem));
    } finally {
      setBusy(false);
    }
  };

  const signOut = async () => {
    setBusy(true);
    await requestJson('/api/sessions', { method: 'DELETE' }).catch(() => undefined);
    setBusy(false);
    onChange(null);
  };

  if (account === undefined) return <p aria-busy="true">Checking whether you are signed in…</p>;
  if (account !== null) {
    return (
      <div className="card stack">
        <div className="row">
          <p className="grow" data-testid="signed-in-as">
            Signed in as <strong>{account.displayName ?? account.email}</strong>
          </p>
          <button type="button" onClick={signOut} disabled={busy}>Sign out</button>
        </div>
        <OrganizerEvents account={account} />
      </div>
    );
  }
  return (
    <form className="card stack sign-in" onSubmit={signIn} aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">Sign in as an organizer</h2>
      <label htmlFor="organizer-email">Email</label>
      <input id="organizer-email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
      <label htmlFor="organizer-password">Password</label>
      <input id="organizer-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      {error && <p className="notice notice-error" role="alert">{error}</p>}
      <button type="submit" className="primary" disabled={busy} aria-busy={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
    </form>
  );
}

function OrganizerEvents({ account }: { account: OrganizerAccount }) {
  const [events, setEvents] = useState<OrganizerEvent[]>();
  useEffect(() => {
    let current = true;
    Promise.all(
      account.memberships.map((membership) =>
        requestJson<{ events: OrganizerEvent[] }>(`/api/organizations/${encodeURIComponent(membership.organizationId)}/events`).then((reply) => reply.events, () => []),
      ),
    ).then((lists) => {
      if (current) setEvents(lists.flat());
    });
    return () => {
      current = false;
    };
  }, [account]);
  if (events === undefined) return null;
  const adminHint = account.role === 'admin' && <p className="muted" data-testid="admin-hint">You are a platform admin: open any event by its id below.</p>;
  if (events.length === 0) return adminHint || <p className="muted">Your organizations have no events yet.</p>;
  return (
    <nav aria-label="Your events">
      {adminHint}
      <h2>Your events</h2>
      <ul className="organizer-events">
        {events.map((event) => (
          <li key={event.id}>
            <Link href={`/organizer/events/${encodeURIComponent(event.id)}`}>{event.name}</Link> <span className="muted">({event.status.replace('_', ' ')})</span>
          </li>
        ))}
      </ul>
    </nav>
  );
}
