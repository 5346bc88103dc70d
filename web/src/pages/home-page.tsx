// The front door until the catalog pages arrive: open an event by id.
import { useState, type FormEvent } from 'react';
import { navigate } from '../router';

export function HomePage() {
  const [eventId, setEventId] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (eventId.trim() !== '') navigate(`/events/${encodeURIComponent(eventId.trim())}`);
  };
  return (
    <section>
      <h1>Tickets, fairly.</h1>
      <p>Every fan gets a place in line; seats are sold exactly once.</p>
      <form onSubmit={submit} className="stack">
        <label htmlFor="home-event-id">Event id</label>
        <div className="row">
          <input id="home-event-id" value={eventId} onChange={(e) => setEventId(e.target.value)} autoComplete="off" required />
          <button type="submit">Open event</button>
        </div>
      </form>
    </section>
  );
}
