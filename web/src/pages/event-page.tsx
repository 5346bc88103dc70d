// An event's landing page: the room's state, seat availability by section, and "Join the queue".
// The catalog status decides first when the sale is over (sold out, or the event has ended).
import { useState } from 'react';
import { joinQueue } from '../fan-actions';
import { BrowserCheck } from '../components/browser-check';
import type { SolveProgress } from '../proof-of-work/solve';
import { loadFanSession } from '../fan-session';
import { formatCount } from '../format';
import { ApiProblem, problemMessage, requestJson } from '../http';
import type { QueueStatus } from '../queue-feed';
import { Link, navigate } from '../router';
import { usePolling } from '../use-now';
import type { WebConfig } from '../web-config';
import { roomStateText } from '../components/room-state';
import type { SeatMapSummary } from '../components/seat-map';

interface EventDetails {
  name: string;
  description?: string;
  category: string;
  city: string;
  startsAt: string;
  /** published | on_sale | sold_out | ended */
  status?: string;
  venue?: { name?: string };
}

export function EventPage({ eventId, config }: { eventId: string; config: WebConfig }) {
  const session = loadFanSession(eventId);
  const [status, setStatus] = useState<QueueStatus | null>();
  const [seats, setSeats] = useState<SeatMapSummary | null>();
  const [details, setDetails] = useState<EventDetails | null>();
  const [joining, setJoining] = useState(false);
  const [browserCheck, setBrowserCheck] = useState<SolveProgress>();
  const [error, setError] = useState<string>();
  const path = `/api/events/${encodeURIComponent(eventId)}`;

  usePolling(async () => {
    const [room, map, catalog] = await Promise.allSettled([
      requestJson<QueueStatus>(`${config.waitingRoomUrl}${path}/queue/status`, { credentials: true, token: session.queueToken }),
      requestJson<SeatMapSummary>(`${path}/seats`),
      // The catalog entry (name, place, date); rooms made without the catalog have none.
      details === undefined ? requestJson<EventDetails>(path) : Promise.resolve(details),
    ]);
    setDetails(catalog.status === 'fulfilled' ? catalog.value : null);
    setStatus(room.status === 'fulfilled' ? room.value : room.reason instanceof ApiProblem && room.reason.status === 404 ? null : status);
    setSeats(map.status === 'fulfilled' ? map.value : null);
  }, 5000);

  const join = async () => {
    setJoining(true);
    setError(undefined);
    try {
      await joinQueue(config, eventId, setBrowserCheck);
      setBrowserCheck(undefined);
      navigate(`/events/${encodeURIComponent(eventId)}/queue`);
    } catch (problem) {
      setError(problem instanceof ApiProblem && problem.code === 'sold-out' ? 'Sorry, this event is sold out.' : problemMessage(problem));
      setBrowserCheck(undefined);
      setJoining(false);
    }
  };

  const available = seats?.sections.reduce((sum, section) => sum + section.available, 0);
  const ended = details?.status === 'ended';
  const soldOut = details?.status === 'sold_out' || status?.state === 'soldout';
  const canJoin = status !== null && !ended && !soldOut && status?.state !== 'closed';
  return (
    <section className="stack">
      <p className="eyebrow">Event{details ? ` · ${details.category}` : ''}</p>
      <h1>{details?.name ?? eventId}</h1>
      {details && (
        <p>
          {details.venue?.name ? `${details.venue.name}, ` : ''}
          {details.city} · {new Date(details.startsAt).toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'short' })}
        </p>
      )}
      {details?.description && <p>{details.description}</p>}
      {ended ? (
        <p className="notice" data-testid="room-state">This event has ended.</p>
      ) : status === null && details?.status === 'sold_out' ? (
        <p className="notice" data-testid="room-state">{roomStateText('soldout')}</p>
      ) : status === undefined ? (
        <p aria-busy="true">Checking the waiting room…</p>
      ) : status === null ? (
        <p className="notice">Tickets for this event are not on sale yet.</p>
      ) : (
        <p className="notice" data-testid="room-state">{roomStateText(status.state)}</p>
      )}
      {available !== undefined && (
        <p>
          <strong>{formatCount(available)}</strong> seats available in {seats!.sections.length} section{seats!.sections.length === 1 ? '' : 's'}.
        </p>
      )}
      {session.booking ? (
        <Link className="button" href={`/events/${encodeURIComponent(eventId)}/seats`}>View your booking</Link>
      ) : session.pass ? (
        <Link className="button" href={`/events/${encodeURIComponent(eventId)}/seats`}>Continue to your seats</Link>
      ) : session.queueToken ? (
        <Link className="button" href={`/events/${encodeURIComponent(eventId)}/queue`}>Back to your place in line</Link>
      ) : (
        <button type="button" className="primary" onClick={join} disabled={joining || !canJoin} aria-busy={joining}>
          {joining ? 'Joining…' : 'Join the queue'}
        </button>
      )}
      <BrowserCheck progress={browserCheck} />
      {error && <p className="notice notice-error" role="alert">{error}</p>}
    </section>
  );
}
