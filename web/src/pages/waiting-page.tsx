// The waiting page: the fan's number, how many are ahead (number − serving), the estimated wait at the
// pace the line really moves (measured here from the serving numbers; the set rate until 10 s of
// watching) with a range, a progress bar, and the room's state as it changes. Admitted, it claims the pass and
// moves on to the seats. Everything it needs survives a reload (fan-session.ts).
import { useEffect, useRef, useState } from 'react';
import { estimateWait, measuredRatePerMinute, recordServing, type PaceSample, type WaitEstimate } from '../admission-pace';
import { useEventName } from '../event-name';
import { BrowserCheck } from '../components/browser-check';
import { claimPass, joinQueue } from '../fan-actions';
import type { SolveProgress } from '../proof-of-work/solve';
import { loadFanSession, saveFanSession, type FanSession } from '../fan-session';
import { formatClock, formatCount, formatDuration } from '../format';
import { ApiProblem, problemMessage } from '../http';
import { useQueueFeed, type FeedConnection } from '../queue-feed';
import { Link, navigate } from '../router';
import { useAnnouncement } from '../use-announcement';
import { useNow } from '../use-now';
import type { WebConfig } from '../web-config';

const CLAIM_RETRY_MS = 3000;

export function WaitingPage({ eventId, config }: { eventId: string; config: WebConfig }) {
  const [session, setSession] = useState<FanSession>(() => loadFanSession(eventId));
  const [joinError, setJoinError] = useState<unknown>();
  const [browserCheck, setBrowserCheck] = useState<SolveProgress>();
  const [claimNote, setClaimNote] = useState<string>();
  const claiming = useRef(false);
  const now = useNow(1000);
  const eventName = useEventName(eventId);
  const seatsPath = `/events/${encodeURIComponent(eventId)}/seats`;

  // A direct link (or a cleared token) joins here; joining again keeps the same number.
  useEffect(() => {
    if (session.queueToken !== undefined) return;
    joinQueue(config, eventId, setBrowserCheck).then(setSession, setJoinError).finally(() => setBrowserCheck(undefined));
  }, [config, eventId, session.queueToken]);

  useEffect(() => {
    if (session.pass !== undefined) navigate(seatsPath, { replace: true });
  }, [session.pass, seatsPath]);

  const feed = useQueueFeed(config.waitingRoomUrl, eventId, session.queueToken);
  const number = feed.status?.number ?? session.number ?? null;
  const update = feed.update;
  const serving = update?.serving ?? 0;
  const state = update?.state;
  const admitted = number !== null && update !== undefined && serving >= number;

  // After the open, a pre-queue token is swapped for one that carries the number: with it the fan
  // gets their place back even if the waiting room's Redis is lost (docs/decisions/0015).
  const numberedToken = feed.status?.queueToken;
  useEffect(() => {
    if (numberedToken !== undefined && numberedToken !== session.queueToken) setSession(saveFanSession(eventId, { queueToken: numberedToken }));
  }, [numberedToken, session.queueToken, eventId]);

  // The progress bar starts where the fan first saw the line.
  useEffect(() => {
    if (update !== undefined && number !== null && session.servingAtJoin === undefined) {
      setSession(saveFanSession(eventId, { servingAtJoin: Math.min(update.serving, number - 1), number }));
    }
  }, [update, number, session.servingAtJoin, eventId]);

  // Admitted: claim the pass (retrying while the shop is full), then go to the seats.
  useEffect(() => {
    if (!admitted || session.queueToken === undefined || session.pass !== undefined || claiming.current) return;
    if (state === 'soldout' || state === 'closed') return;
    claiming.current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = async () => {
      try {
        setSession(await claimPass(config, eventId, session.queueToken!));
        setClaimNote(undefined);
        claiming.current = false;
      } catch (problem) {
        if (problem instanceof ApiProblem && (problem.code === 'sold-out' || problem.code === 'room-closed')) {
          setClaimNote(problem.message);
          claiming.current = false;
          return;
        }
        setClaimNote(
          problem instanceof ApiProblem && problem.code === 'capacity-full'
            ? 'It is your turn, but the shop is full right now. We will let you in as soon as a place frees up.'
            : `It is your turn. Getting your pass… (${problemMessage(problem)})`,
        );
        timer = setTimeout(attempt, CLAIM_RETRY_MS);
      }
    };
    void attempt();
    return () => {
      if (timer !== undefined) clearTimeout(timer);
      claiming.current = false;
    };
  }, [admitted, session.queueToken, session.pass, state, config, eventId]);

  // The line's real pace, from the serving numbers this page hears (the set rate is only a ceiling).
  const [pace, setPace] = useState<PaceSample[]>([]);
  useEffect(() => {
    if (update !== undefined && update.state === 'open') setPace((samples) => recordServing(samples, Date.now(), update.serving));
  }, [update]);

  const ahead = number === null ? null : Math.max(0, number - serving);
  const rate = update?.admissionRatePerMinute ?? 0;
  const estimate: WaitEstimate | null = ahead === null ? null : estimateWait(pace, ahead, rate);
  const waitSeconds = estimate?.seconds ?? null;
  const measured = measuredRatePerMinute(pace);
  // Spoken by screen readers: state changes at once, the moving line at most every 30 s.
  const announcement = useAnnouncement(
    ahead === null || admitted ? '' : `${formatCount(ahead)} ${ahead === 1 ? 'fan' : 'fans'} ahead of you${waitSeconds === null ? '.' : `, about ${formatDuration(waitSeconds)} to wait.`}`,
    state === 'soldout'
      ? 'Sold out. Every ticket has been sold.'
      : state === 'closed'
        ? 'The waiting room is closed.'
        : state === 'paused'
          ? 'The queue is paused. You keep your place.'
          : admitted
            ? 'It is your turn. Taking you to the seats.'
            : state === 'prequeue' || state === 'scheduled' || number === null
              ? 'You are in the pre-queue. Everyone here gets a random place when the sale opens.'
              : session.opensAt !== undefined
                ? `The sale is open. Your number is ${formatCount(number)}.`
                : '',
  );

  if (joinError !== undefined) {
    const message =
      joinError instanceof ApiProblem && joinError.code === 'sold-out'
        ? 'Sorry, this event is sold out.'
        : joinError instanceof ApiProblem && joinError.code === 'room-closed'
          ? 'The waiting room is closed.'
          : problemMessage(joinError);
    return (
      <section className="stack">
        <h1>Waiting room</h1>
        <p className="notice notice-error" role="alert">{message}</p>
        <Link href={`/events/${encodeURIComponent(eventId)}`}>Back to the event</Link>
      </section>
    );
  }

  const start = session.servingAtJoin ?? 0;
  const progress = number === null ? 0 : admitted ? 100 : Math.min(100, Math.max(0, ((serving - start) / Math.max(1, number - start)) * 100));
  const opensInSeconds = session.opensAt === undefined ? null : (session.opensAt - now) / 1000;

  return (
    <section className="stack waiting">
      <p className="eyebrow">Waiting room · {eventName}</p>
      <h1>{state === 'soldout' ? 'Sold out' : state === 'closed' ? 'The waiting room is closed' : admitted ? 'It’s your turn!' : 'You’re in line'}</h1>
      <ConnectionBadge connection={feed.connection} />
      <BrowserCheck progress={browserCheck} />
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="announcement">
        {announcement}
      </p>

      {state === 'soldout' && (
        <p className="notice notice-error" data-testid="state-banner">
          Every ticket has been sold. We’re sorry — thank you for waiting.
        </p>
      )}
      {state === 'closed' && (
        <p className="notice notice-error" data-testid="state-banner">
          The organizer has closed the waiting room. No more fans are being let in.
        </p>
      )}
      {state === 'paused' && (
        <p className="notice notice-warn" data-testid="state-banner">
          The queue is paused for a moment. You keep your place; it resumes automatically.
        </p>
      )}
      {(state === 'prequeue' || state === 'scheduled' || number === null) && state !== 'soldout' && state !== 'closed' && (
        <div className="notice" data-testid="state-banner">
          <p>You’re in the pre-queue. When the sale opens, everyone here gets a random place ahead of later arrivals.</p>
          {opensInSeconds !== null && opensInSeconds > 0 && (
            <p className="countdown" role="timer">
              Opens in <strong data-testid="opens-countdown">{formatClock(opensInSeconds)}</strong>
            </p>
          )}
        </div>
      )}

      {number !== null && state !== 'soldout' && state !== 'closed' && (
        <>
          <dl className="figures">
            <div>
              <dt>Your position in line</dt>
              <dd data-testid="position">{ahead === null ? '—' : formatCount(ahead)}</dd>
            </div>
            <div>
              <dt>Estimated wait</dt>
              <dd data-testid="estimated-wait" className={waitSeconds === null ? 'figure-text' : undefined}>
                {admitted ? 'now' : waitSeconds === null ? (state === 'paused' ? 'paused for now' : 'not moving yet — no one is being let in right now') : `about ${formatDuration(waitSeconds)}`}
              </dd>
              {!admitted && estimate !== null && waitSeconds !== null && waitSeconds > 0 && (
                <dd className="muted" data-testid="wait-range">
                  {estimate.basis === 'set'
                    ? 'at the organizer’s rate; measuring the real pace…'
                    : estimate.highSeconds === estimate.lowSeconds
                      ? 'at the pace of the last 2 minutes'
                      : `${formatDuration(estimate.lowSeconds)} to ${estimate.highSeconds === null ? 'longer (the line stopped for a while)' : formatDuration(estimate.highSeconds)}, from the last 2 minutes`}
                </dd>
              )}
            </div>
            <div>
              <dt>Your number</dt>
              <dd data-testid="queue-number">{formatCount(number)}</dd>
            </div>
          </dl>
          <div className="progress" role="progressbar" aria-label="Your progress through the line" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(progress)}>
            <div className="progress-fill" style={{ width: `${progress}%` }} />
          </div>
          <p className="muted">
            Now serving number {formatCount(serving)} · {formatCount(rate)} fans let in per minute at most
            {measured === null ? '' : `, ${formatCount(Math.round(measured))} a minute lately`}. Keep this page open; if you reload, you keep your place.
          </p>
        </>
      )}
      {claimNote && (
        <p className="notice" role="status">
          {claimNote}
        </p>
      )}
      <p className="muted">
        Fans who arrive before the sale opens are shuffled by a seed fixed before anyone joined.{' '}
        <a href={`${config.waitingRoomUrl}/api/events/${encodeURIComponent(eventId)}/queue/fairness`} target="_blank" rel="noreferrer" data-testid="fairness-link">
          Check the shuffle
        </a>{' '}
        (its commitment, and after the open the seed and every number; <code>npm run verify-shuffle -- {eventId}</code> recomputes it).
      </p>
    </section>
  );
}

function ConnectionBadge({ connection }: { connection: FeedConnection }) {
  const text = connection === 'live' ? 'Live' : connection === 'connecting' ? 'Connecting…' : 'Reconnecting — updating every few seconds';
  return (
    <p className={`badge badge-${connection}`} data-testid="connection">
      <span aria-hidden="true">●</span> {text}
    </p>
  );
}
