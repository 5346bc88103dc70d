// After admission: the seat map (polled, so it stays live), picking seats or "N best available", the
// hold (202 + polling GET /api/holds/:id), its countdown, payment with a test card, and the booking.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { SeatLegend, SeatMap, seatKey, type SeatMapSummary, type SeatView, type SectionSeats } from '../components/seat-map';
import { useEventName } from '../event-name';
import { releaseShoppingSession } from '../fan-actions';
import { loadFanSession, saveFanSession, type FanSession, type SeatLabel } from '../fan-session';
import { formatClock, formatMoney, seatName } from '../format';
import { ApiProblem, problemMessage, requestJson } from '../http';
import { Link } from '../router';
import { useNow, usePolling } from '../use-now';
import type { WebConfig } from '../web-config';

const MAX_SEATS = 8;
const HOLD_POLL_MS = 400;
const HOLD_WAIT_MS = 30_000;
const MAP_REFRESH_MS = 2000;

type HoldView =
  | { holdId: string; status: 'pending' }
  | { holdId: string; status: 'held'; seats: SeatLabel[]; expiresAt: string; amountCents: number }
  | { holdId: string; status: 'rejected'; reason: string }
  | { holdId: string; status: 'expired' | 'released' }
  | { holdId: string; status: 'confirmed'; bookingId: string; seats: SeatLabel[] };

type Notice = { tone: 'error' | 'warn' | 'info'; text: string } | undefined;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function ShopPage({ eventId, config }: { eventId: string; config: WebConfig }) {
  const [session, setSession] = useState<FanSession>(() => loadFanSession(eventId));
  const [summary, setSummary] = useState<SeatMapSummary>();
  const [section, setSection] = useState<string>();
  const [sectionSeats, setSectionSeats] = useState<SeatView[]>();
  const [mapError, setMapError] = useState<string>();
  const [selected, setSelected] = useState<Map<string, SeatView>>(new Map());
  const [quantity, setQuantity] = useState(2);
  const [hold, setHold] = useState<Extract<HoldView, { status: 'held' }>>();
  const [busy, setBusy] = useState<'holding' | 'paying' | 'releasing'>();
  const [notice, setNotice] = useState<Notice>();
  const [card, setCard] = useState('');
  const now = useNow(1000);
  const eventName = useEventName(eventId);
  const eventPath = `/api/events/${encodeURIComponent(eventId)}`;
  const noticeRef = useRef<HTMLDivElement>(null);
  const pass = session.pass ?? '';

  const update = (change: Partial<FanSession>) => setSession(saveFanSession(eventId, change));
  const tell = (next: Notice) => {
    setNotice(next);
    // Move focus to the message so keyboard and screen-reader users hear what happened.
    setTimeout(() => noticeRef.current?.focus(), 0);
  };

  usePolling(
    async () => {
      try {
        const first = await requestJson<SeatMapSummary>(`${eventPath}/seats`);
        setSummary(first);
        const current = section ?? first.sections[0]?.section;
        if (current === undefined) return;
        if (section === undefined) setSection(current);
        const detail = await requestJson<SectionSeats>(`${eventPath}/seats?section=${encodeURIComponent(current)}`);
        setSectionSeats(detail.seats);
        setMapError(undefined);
      } catch (error) {
        setMapError(problemMessage(error));
      }
    },
    MAP_REFRESH_MS,
    session.pass !== undefined && session.booking === undefined,
    section,
  );

  // A reload in the middle of a hold picks it up again.
  useEffect(() => {
    if (session.holdId === undefined || session.pass === undefined || hold !== undefined) return;
    void followHold(session.holdId);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const secondsLeft = hold ? (Date.parse(hold.expiresAt) - now) / 1000 : 0;
  useEffect(() => {
    if (hold && secondsLeft <= 0) {
      setHold(undefined);
      update({ holdId: undefined });
      tell({ tone: 'error', text: 'Your hold expired and the seats were released. Pick seats again to continue.' });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [hold, secondsLeft <= 0]);

  if (session.booking) return <BookingView eventName={eventName} booking={session.booking} />;
  if (session.pass === undefined) {
    return (
      <section className="stack">
        <h1>Choose seats</h1>
        <p className="notice">You need to be let in from the waiting room first.</p>
        <Link className="button" href={`/events/${encodeURIComponent(eventId)}/queue`}>Go to the waiting room</Link>
      </section>
    );
  }
  async function followHold(holdId: string): Promise<void> {
    const deadline = Date.now() + HOLD_WAIT_MS;
    for (;;) {
      let view: HoldView;
      try {
        view = await requestJson<HoldView>(`/api/holds/${encodeURIComponent(holdId)}`, { token: pass });
      } catch (error) {
        if (error instanceof ApiProblem && error.status === 404) {
          update({ holdId: undefined });
          return;
        }
        throw error;
      }
      switch (view.status) {
        case 'pending':
          if (Date.now() > deadline) throw new Error('Your request is taking longer than usual. Please try again.');
          await sleep(HOLD_POLL_MS);
          continue;
        case 'held':
          setHold(view);
          setSelected(new Map());
          setNotice(undefined);
          return;
        case 'rejected':
          update({ holdId: undefined });
          setSelected(new Map());
          tell({
            tone: 'error',
            text:
              view.reason === 'unavailable'
                ? 'Sorry — those seats were just taken by another fan. The map now shows what is left; please pick again.'
                : view.reason === 'fan-limit'
                  ? 'You already hold or bought as many seats as one fan may have for this event.'
                  : `We could not hold those seats (${view.reason}). Please pick again.`,
          });
          return;
        case 'expired':
        case 'released':
          update({ holdId: undefined });
          if (view.status === 'expired') tell({ tone: 'error', text: 'Your hold expired and the seats were released.' });
          return;
        case 'confirmed':
          finishBooking({ bookingId: view.bookingId, seats: view.seats, amountCents: 0 });
          return;
      }
    }
  }

  function finishBooking(booking: NonNullable<FanSession['booking']>) {
    const finished = saveFanSession(eventId, { booking, holdId: undefined });
    setSession(finished);
    void releaseShoppingSession(config, eventId, finished);
  }

  async function requestHold(body: { seats: SeatLabel[] } | { section: string; quantity: number }) {
    setBusy('holding');
    setNotice(undefined);
    try {
      const idempotencyKey = crypto.randomUUID();
      const accepted = await requestJson<{ holdId: string }>(`${eventPath}/holds`, {
        method: 'POST',
        token: pass,
        headers: { 'idempotency-key': idempotencyKey },
        body,
      });
      update({ holdId: accepted.holdId });
      await followHold(accepted.holdId);
    } catch (error) {
      tell({ tone: 'error', text: holdProblemText(error) });
    } finally {
      setBusy(undefined);
    }
  }

  const toggle = (seat: SeatView) => {
    const next = new Map(selected);
    const key = seatKey(seat);
    if (next.has(key)) next.delete(key);
    else if (next.size >= MAX_SEATS) return tell({ tone: 'warn', text: `You can pick at most ${MAX_SEATS} seats.` });
    else next.set(key, seat);
    setSelected(next);
  };

  const pay = async (event: FormEvent) => {
    event.preventDefault();
    if (!hold) return;
    setBusy('paying');
    setNotice(undefined);
    try {
      const reply = await requestJson<{ status: 'confirmed'; bookingId: string; amountCents: number }>(`/api/holds/${encodeURIComponent(hold.holdId)}/confirm`, {
        method: 'POST',
        token: pass,
        body: { paymentToken: card.replace(/[\s-]/g, '') },
      });
      finishBooking({ bookingId: reply.bookingId, seats: hold.seats, amountCents: reply.amountCents });
    } catch (error) {
      if (error instanceof ApiProblem && error.code === 'payment-declined') {
        tell({ tone: 'error', text: 'Your payment was declined. Your seats are still held — try another card.' });
      } else if (error instanceof ApiProblem && error.code === 'hold-ended') {
        setHold(undefined);
        update({ holdId: undefined });
        tell({ tone: 'error', text: 'Your hold ended before the payment went through (it expired). You have not been charged. Pick seats again.' });
      } else {
        tell({ tone: 'error', text: `${problemMessage(error)} Your seats are still held; you can try again.` });
      }
    } finally {
      setBusy(undefined);
    }
  };

  const release = async () => {
    if (!hold) return;
    setBusy('releasing');
    try {
      await requestJson(`/api/holds/${encodeURIComponent(hold.holdId)}`, { method: 'DELETE', token: pass });
      setHold(undefined);
      update({ holdId: undefined });
      tell({ tone: 'info', text: 'Seats released. Pick again whenever you are ready.' });
    } catch (error) {
      tell({ tone: 'error', text: problemMessage(error) });
    } finally {
      setBusy(undefined);
    }
  };

  const passSecondsLeft = session.passExpiresAt ? (Date.parse(session.passExpiresAt) - now) / 1000 : null;
  const selectedSeats = [...selected.values()];
  const currentSummary = summary?.sections.find((entry) => entry.section === section);

  return (
    <section className="stack shop">
      <p className="eyebrow">Choose seats · {eventName}</p>
      <h1>{hold ? 'Your seats are held' : 'Pick your seats'}</h1>
      {passSecondsLeft !== null && (
        <p className="muted" data-testid="pass-countdown">
          {passSecondsLeft > 0 ? <>Your shopping window closes in <strong>{formatClock(passSecondsLeft)}</strong>.</> : 'Your shopping window has ended.'}
        </p>
      )}
      <div ref={noticeRef} tabIndex={-1} aria-live="assertive" className="notice-slot">
        {notice && (
          <p className={`notice notice-${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'} data-testid="shop-notice">
            {notice.text}
          </p>
        )}
      </div>

      {hold ? (
        <div className="card" data-testid="hold">
          <p className="countdown" role="timer" aria-live="off">
            Held for you for <strong data-testid="hold-countdown">{formatClock(secondsLeft)}</strong>
          </p>
          <ul>
            {hold.seats.map((seat) => (
              <li key={seatKey(seat)}>{seatName(seat)}</li>
            ))}
          </ul>
          <p>
            Total <strong>{formatMoney(hold.amountCents)}</strong>
          </p>
          <form onSubmit={pay} className="stack">
            <label htmlFor="card-number">Card number</label>
            <input
              id="card-number"
              inputMode="numeric"
              autoComplete="cc-number"
              value={card}
              onChange={(e) => setCard(e.target.value)}
              aria-describedby="card-hint"
              required
              pattern="[0-9 \-]{12,23}"
            />
            <p id="card-hint" className="muted">
              Test payments: 4242 4242 4242 4242 is approved, 4000 0000 0000 0002 is declined.
            </p>
            <div className="row">
              <button type="submit" className="primary" disabled={busy !== undefined} aria-busy={busy === 'paying'}>
                {busy === 'paying' ? 'Paying…' : `Pay ${formatMoney(hold.amountCents)}`}
              </button>
              <button type="button" onClick={release} disabled={busy !== undefined}>
                Release seats
              </button>
            </div>
          </form>
        </div>
      ) : (
        <>
          {summary && (
            <div className="row sections" role="tablist" aria-label="Sections">
              {summary.sections.map((entry) => (
                <button
                  key={entry.section}
                  type="button"
                  role="tab"
                  aria-selected={entry.section === section}
                  className={entry.section === section ? 'tab tab-active' : 'tab'}
                  onClick={() => {
                    setSection(entry.section);
                    setSectionSeats(undefined);
                    setSelected(new Map());
                  }}
                >
                  Section {entry.section}&nbsp;<span className="muted">({entry.available} left)</span>
                </button>
              ))}
            </div>
          )}
          {mapError && <p className="notice notice-error" role="alert">{mapError}</p>}
          {currentSummary && currentSummary.available === 0 && (
            <p className="notice notice-warn" role="status" data-testid="section-sold-out">Section {currentSummary.section} has no seats left.</p>
          )}
          {sectionSeats ? (
            <>
              <SeatLegend />
              <SeatMap seats={sectionSeats} selected={selected} onToggle={toggle} disabled={busy !== undefined} />
            </>
          ) : (
            !mapError && <p aria-busy="true">Loading the seat map…</p>
          )}
          <div className="card stack">
            <p>
              {selectedSeats.length === 0
                ? 'Pick seats on the map, or let us find the best ones for you.'
                : `${selectedSeats.length} seat${selectedSeats.length === 1 ? '' : 's'} selected: ${formatMoney(selectedSeats.reduce((sum, seat) => sum + seat.priceCents, 0))}`}
            </p>
            <button
              type="button"
              className="primary"
              disabled={busy !== undefined || selectedSeats.length === 0}
              aria-busy={busy === 'holding'}
              onClick={() => requestHold({ seats: selectedSeats.map(({ section: s, row, number }) => ({ section: s, row, number })) })}
            >
              {busy === 'holding' ? 'Holding your seats…' : `Hold ${selectedSeats.length || ''} selected seat${selectedSeats.length === 1 ? '' : 's'}`}
            </button>
            {section && (
              <div className="row">
                <label htmlFor="best-quantity">Best available</label>
                <select id="best-quantity" value={quantity} onChange={(e) => setQuantity(Number(e.target.value))}>
                  {Array.from({ length: MAX_SEATS }, (_, index) => index + 1).map((count) => (
                    <option key={count} value={count}>
                      {count} seat{count === 1 ? '' : 's'}
                    </option>
                  ))}
                </select>
                <button type="button" disabled={busy !== undefined} onClick={() => requestHold({ section, quantity })}>
                  Find best seats in section {section}
                </button>
              </div>
            )}
          </div>
        </>
      )}
    </section>
  );
}

function holdProblemText(error: unknown): string {
  if (error instanceof ApiProblem) {
    if (error.status === 401 || error.status === 403) return 'Your shopping window has ended. Rejoin the queue from the event page.';
    if (error.code === 'too-many-seats') return error.message;
  }
  return problemMessage(error);
}

function BookingView({ eventName, booking }: { eventName: string; booking: NonNullable<FanSession['booking']> }) {
  return (
    <section className="stack" data-testid="booking">
      <p className="eyebrow">Booking confirmed · {eventName}</p>
      <h1>You’re going!</h1>
      <div className="card">
        <p>
          Booking reference <strong data-testid="booking-id">{booking.bookingId}</strong>
        </p>
        <ul>
          {booking.seats.map((seat) => (
            <li key={seatKey(seat)}>{seatName(seat)}</li>
          ))}
        </ul>
        {booking.amountCents > 0 && (
          <p>
            Paid <strong>{formatMoney(booking.amountCents)}</strong>
          </p>
        )}
      </div>
    </section>
  );
}
