// The page shell and the route table: fan pages under /events/:id, the dashboard under /organizer.
import { useEffect, useState, type ReactNode } from 'react';
import { EventPage } from './pages/event-page';
import { HomePage } from './pages/home-page';
import { OrganizerPage } from './pages/organizer-page';
import { ShopPage } from './pages/shop-page';
import { WaitingPage } from './pages/waiting-page';
import { Link, usePath } from './router';
import { loadWebConfig, type WebConfig } from './web-config';
import { problemMessage } from './http';

interface Route {
  pattern: RegExp;
  title: string;
  render: (params: string[], config: WebConfig) => ReactNode;
}

const routes: Route[] = [
  { pattern: /^\/$/, title: 'Corral', render: () => <HomePage /> },
  { pattern: /^\/events\/([^/]+)\/?$/, title: 'Event', render: ([id], config) => <EventPage eventId={id!} config={config} /> },
  { pattern: /^\/events\/([^/]+)\/queue\/?$/, title: 'Waiting room', render: ([id], config) => <WaitingPage eventId={id!} config={config} /> },
  { pattern: /^\/events\/([^/]+)\/seats\/?$/, title: 'Choose seats', render: ([id], config) => <ShopPage eventId={id!} config={config} /> },
  { pattern: /^\/organizer(?:\/events\/([^/]*))?\/?$/, title: 'Organizer dashboard', render: ([id], config) => <OrganizerPage eventId={id ?? ''} config={config} /> },
];

export function App() {
  const path = usePath();
  const [config, setConfig] = useState<WebConfig>();
  const [configError, setConfigError] = useState<unknown>();
  useEffect(() => {
    loadWebConfig().then(setConfig, setConfigError);
  }, []);

  const match = routes
    .map((route) => ({ route, found: route.pattern.exec(path) }))
    .find((candidate) => candidate.found !== null);
  const params = match?.found?.slice(1).map((part) => (part === undefined ? '' : decodeURIComponent(part))) ?? [];
  useEffect(() => {
    document.title = match ? `${match.route.title} · Corral` : 'Not found · Corral';
  }, [match]);

  let body: ReactNode;
  if (configError !== undefined) body = <p className="notice notice-error" role="alert">Corral is not reachable: {problemMessage(configError)}</p>;
  else if (config === undefined) body = <p aria-busy="true">Loading…</p>;
  else if (match === undefined) body = <NotFound />;
  else body = match.route.render(params, config);

  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="site-header">
        <Link href="/" className="brand">Corral</Link>
        <nav aria-label="Main">
          <Link href="/organizer">Organizers</Link>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {body}
      </main>
    </>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <Link href="/">Back to the start</Link>
      </p>
    </section>
  );
}
