// The organizer's live dashboard for one event: waiting, serving, admissions per minute, active
// shoppers (stats polled every second) and seats held and sold, as numbers and small charts; the wait
// shown at join vs the actual wait of the last admitted fans; and the
// controls: admission rate, pause, resume, close, open, sold out. Auth is the session of an organizer
// of the event's organization or of a platform admin, signed in here: a cookie the admission role
// also receives (credentialed calls), so the page never holds a token.
import { useEffect, useState, type FormEvent } from 'react';
import { OrganizerSignIn, useOrganizerAccount } from '../components/organizer-sign-in';
import { Sparkline } from '../components/sparkline';
import { ProofOfWorkControl } from '../components/proof-of-work-control';
import { WaitEstimates } from '../components/wait-estimates';
import { useEventName } from '../event-name';
import type { SeatMapSummary } from '../components/seat-map';
import { formatCount } from '../format';
import { ApiProblem, problemMessage, requestJson } from '../http';
import { navigate } from '../router';
import { usePolling } from '../use-now';
import type { WebConfig } from '../web-config';

interface RoomStats {
  eventId: string;
  state: string;
  waiting: number;
  prequeued: number;
  serving: number;
  issued: number;
  activeShoppers: number;
  admissionsLastMinute: number;
  admissionRatePerMinute: number;
  maxActiveShoppers: number;
  proofOfWorkBits?: number;
}

const HISTORY = 120;
type Series = 'waiting' | 'serving' | 'admissions' | 'shoppers' | 'held' | 'sold';

export function OrganizerPage({ eventId, config }: { eventId: string; config: WebConfig }) {
  const [eventField, setEventField] = useState(eventId);
  const [stats, setStats] = useState<RoomStats>();
  const [seats, setSeats] = useState<{ held: number; sold: number; total: number }>();
  const [history, setHistory] = useState<Record<Series, number[]>>(emptyHistory);
  const [error, setError] = useState<string>();
  const [message, setMessage] = useState<string>();
  const [rate, setRate] = useState('');
  const [confirmingClose, setConfirmingClose] = useState(false);
  const [pending, setPending] = useState(false);
  const [account, setAccount] = useOrganizerAccount();
  // The same page follows links between events: the field shows the event on screen.
  useEffect(() => setEventField(eventId), [eventId]);
  const eventName = useEventName(eventId);
  const base = `${config.admissionUrl}/api/organizer/events/${encodeURIComponent(eventId)}`;
  const signedIn = account !== undefined && account !== null;
  const active = eventId !== '' && signedIn;
  const auth = { credentials: true };

  usePolling(
    async () => {
      try {
        const next = await requestJson<RoomStats>(`${base}/stats`, auth);
        setStats(next);
        setError(undefined);
        setHistory((previous) => ({
          ...previous,
          waiting: push(previous.waiting, next.waiting),
          serving: push(previous.serving, next.serving),
          admissions: push(previous.admissions, next.admissionsLastMinute),
          shoppers: push(previous.shoppers, next.activeShoppers),
        }));
      } catch (problem) {
        setError(
          problem instanceof ApiProblem && problem.status === 401
            ? 'Your session has ended. Sign in again.'
            : problem instanceof ApiProblem && problem.status === 403
              ? `Your account is not an organizer of ${eventName}'s organization.`
              : problem instanceof ApiProblem && problem.status === 404
              ? `No waiting room is configured for event ${eventId}.`
              : problemMessage(problem),
        );
      }
    },
    1000,
    active,
    `${eventId}|${account?.id ?? ''}`,
  );

  usePolling(
    async () => {
      try {
        const map = await requestJson<SeatMapSummary>(`/api/events/${encodeURIComponent(eventId)}/seats`);
        const totals = map.sections.reduce((sum, s) => ({ held: sum.held + s.held, sold: sum.sold + s.sold, total: sum.total + s.total }), { held: 0, sold: 0, total: 0 });
        setSeats(totals);
        setHistory((previous) => ({ ...previous, held: push(previous.held, totals.held), sold: push(previous.sold, totals.sold) }));
      } catch {
        setSeats(undefined);
      }
    },
    2000,
    eventId !== '',
    eventId,
  );

  const act = async (label: string, path: string, body: object = {}) => {
    setPending(true);
    setMessage(undefined);
    try {
      await requestJson(`${base}/${path}`, { method: 'POST', ...auth, body });
      setMessage(`${label}: done. It takes effect on the next tick.`);
    } catch (problem) {
      setMessage(`${label} failed: ${problemMessage(problem)}`);
    } finally {
      setPending(false);
      setConfirmingClose(false);
    }
  };

  const submitRate = (event: FormEvent) => {
    event.preventDefault();
    const value = Number(rate);
    if (!Number.isInteger(value) || value < 0) return setMessage('The rate must be a whole number of fans per minute, 0 or more.');
    void act(`Admission rate set to ${value}/min`, 'rate', { admissionRatePerMinute: value });
  };

  const openEvent = (event: FormEvent) => {
    event.preventDefault();
    setHistory(emptyHistory());
    setStats(undefined);
    navigate(`/organizer/events/${encodeURIComponent(eventField.trim())}`);
  };

  return (
    <section className="stack organizer">
      <p className="eyebrow">Organizer dashboard</p>
      <h1>{eventId === '' ? 'Choose an event' : eventName}</h1>
      {eventId !== '' && eventName !== eventId && <p className="muted">Event id <code>{eventId}</code></p>}
      <OrganizerSignIn account={account} onChange={setAccount} />
      <form className="stack card" onSubmit={openEvent}>
        <label htmlFor="organizer-event">Event id</label>
        <div className="row">
          <input id="organizer-event" value={eventField} onChange={(e) => setEventField(e.target.value)} required autoComplete="off" />
          <button type="submit">Show</button>
        </div>
      </form>

      {error && <p className="notice notice-error" role="alert">{error}</p>}

      {stats && (
        <>
          <p>
            State: <strong className={`state state-${stats.state}`} data-testid="room-state">{stats.state}</strong> · {formatCount(stats.issued)} {stats.issued === 1 ? 'number' : 'numbers'} issued
          </p>
          <div className="tiles">
            <Tile label="Waiting" value={stats.waiting} testId="stat-waiting" series={history.waiting} detail={stats.prequeued > 0 ? `${formatCount(stats.prequeued)} in pre-queue` : undefined} />
            <Tile label="Serving" value={stats.serving} testId="stat-serving" series={history.serving} detail={`of ${formatCount(stats.issued)} issued`} />
            <Tile label="Admissions / min" value={stats.admissionsLastMinute} testId="stat-admissions" series={history.admissions} detail={`rate set to ${formatCount(stats.admissionRatePerMinute)}/min`} />
            <Tile label="Active shoppers" value={stats.activeShoppers} testId="stat-shoppers" series={history.shoppers} detail={`max ${formatCount(stats.maxActiveShoppers)}`} />
            <Tile label="Seats held" value={seats?.held} testId="stat-held" series={history.held} detail={seats ? `of ${formatCount(seats.total)}` : 'no seats provisioned'} />
            <Tile label="Seats sold" value={seats?.sold} testId="stat-sold" series={history.sold} detail={seats ? `${formatCount(seats.total - seats.sold - seats.held)} still available` : undefined} />
          </div>

          <div className="card stack" aria-label="Controls" role="group">
            <h2>Controls</h2>
            <form onSubmit={submitRate} className="row">
              <label htmlFor="admission-rate">Admission rate (fans per minute)</label>
              <input id="admission-rate" type="number" min={0} step={1} inputMode="numeric" value={rate} placeholder={String(stats.admissionRatePerMinute)} onChange={(e) => setRate(e.target.value)} required />
              <button type="submit" disabled={pending}>Set rate</button>
            </form>
            <ProofOfWorkControl base={base} currentBits={stats.proofOfWorkBits ?? 0} />
            <div className="row">
              <button type="button" disabled={pending} onClick={() => act('Paused', 'pause')}>Pause</button>
              <button type="button" disabled={pending} onClick={() => act('Resumed', 'resume')}>Resume</button>
              <button type="button" disabled={pending} onClick={() => act('Sale opened', 'open')}>Open sale</button>
              <button type="button" disabled={pending} onClick={() => act('Marked sold out', 'soldout')}>Mark sold out</button>
              {confirmingClose ? (
                <>
                  <button type="button" className="danger" disabled={pending} onClick={() => act('Closed', 'close')}>Yes, close the room</button>
                  <button type="button" onClick={() => setConfirmingClose(false)}>Keep it open</button>
                </>
              ) : (
                <button type="button" className="danger" disabled={pending} onClick={() => setConfirmingClose(true)}>Close…</button>
              )}
            </div>
            <p role="status" aria-live="polite" data-testid="control-message">{message}</p>
          </div>
          <WaitEstimates url={`${base}/wait-estimates`} enabled={active} />
        </>
      )}
    </section>
  );
}

function Tile({ label, value, series, detail, testId }: { label: string; value: number | undefined; series: number[]; detail?: string; testId: string }) {
  return (
    <figure className="tile">
      <figcaption>{label}</figcaption>
      <p className="tile-value" data-testid={testId}>{value === undefined ? '—' : formatCount(value)}</p>
      {detail && <p className="muted">{detail}</p>}
      <Sparkline values={series} label={label} />
    </figure>
  );
}

function emptyHistory(): Record<Series, number[]> {
  return { waiting: [], serving: [], admissions: [], shoppers: [], held: [], sold: [] };
}

function push(series: number[], value: number): number[] {
  return [...series.slice(-(HISTORY - 1)), value];
}
