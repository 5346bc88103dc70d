// The waiting page's live feed: `serving` packets over Socket.IO (namespace /queue), and while the
// socket is down or blocked, GET /queue/state every 2 s until it is back: the public, CDN-cacheable
// state of the event (no cookie, nothing per fan), so polling fans cost the origin ~1 request per
// event per second. The page derives its position from its own number and `serving`; the per-fan
// /queue/status is asked once at start, and by a pre-queued fan once the sale is open.
import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { requestJson } from './http';

export type RoomState = 'scheduled' | 'prequeue' | 'open' | 'paused' | 'closed' | 'soldout';

export interface ServingUpdate {
  eventId: string;
  serving: number;
  issued: number;
  admissionRatePerMinute: number;
  state: RoomState;
}

export interface QueueStatus extends ServingUpdate {
  number: number | null;
  prequeued: boolean;
  /** Sent once to a pre-queued fan after the open: a token that carries the number (kept by the page). */
  queueToken?: string;
}

export type FeedConnection = 'connecting' | 'live' | 'polling';

type SubscribeAck = { ok: true; update: ServingUpdate } | { ok: false; error: string };

/** Public state, as GET /queue/state answers it (Cache-Control: public, max-age=1). */
export interface PublicRoomState extends ServingUpdate {
  soldOut: boolean;
}

const POLL_INTERVAL_MS = 2000;

export interface QueueFeed {
  update: ServingUpdate | undefined;
  connection: FeedConnection;
  /** The fan's number as the server knows it (a pre-queued fan gets one when the sale opens). */
  status: QueueStatus | undefined;
  error: unknown;
}

export function useQueueFeed(waitingRoomUrl: string | undefined, eventId: string, queueToken: string | undefined): QueueFeed {
  const [update, setUpdate] = useState<ServingUpdate>();
  const [status, setStatus] = useState<QueueStatus>();
  const [connection, setConnection] = useState<FeedConnection>('connecting');
  const [error, setError] = useState<unknown>();
  const numberKnown = useRef(false);

  useEffect(() => {
    if (waitingRoomUrl === undefined || queueToken === undefined) return;
    let stopped = false;
    let pollTimer: ReturnType<typeof setTimeout> | undefined;
    let socketLive = false;
    let lastState: RoomState | undefined;

    const fetchStatus = async () => {
      try {
        const next = await requestJson<QueueStatus>(`${waitingRoomUrl}/api/events/${encodeURIComponent(eventId)}/queue/status`, {
          token: queueToken,
          credentials: true,
        });
        if (stopped) return;
        setStatus(next);
        setUpdate((previous) => (socketLive && previous !== undefined ? previous : next));
        numberKnown.current = next.number !== null;
        lastState = next.state;
        setError(undefined);
      } catch (problem) {
        if (!stopped) setError(problem);
      }
    };
    // The fan's number only changes once: a pre-queued fan is numbered when the sale opens.
    const needsNumber = (state: RoomState | undefined) => !numberKnown.current && (state === 'open' || state === 'paused');
    const fetchPublicState = async () => {
      try {
        // No credentials: the answer is the same for every fan, so any cache on the way may serve it.
        const next = await requestJson<PublicRoomState>(`${waitingRoomUrl}/api/events/${encodeURIComponent(eventId)}/queue/state`);
        if (stopped) return;
        lastState = next.state;
        setUpdate((previous) => (socketLive && previous !== undefined ? previous : next));
        setError(undefined);
      } catch (problem) {
        if (!stopped) setError(problem);
      }
    };
    const schedulePoll = () => {
      if (pollTimer !== undefined) clearTimeout(pollTimer);
      pollTimer = setTimeout(async () => {
        pollTimer = undefined;
        if (stopped) return;
        if (!socketLive) await fetchPublicState();
        if (!stopped && needsNumber(lastState)) await fetchStatus();
        if (!stopped) schedulePoll();
      }, POLL_INTERVAL_MS);
    };

    void fetchStatus();
    schedulePoll();

    const socket: Socket = io(`${waitingRoomUrl}/queue`, { reconnectionDelay: 500, reconnectionDelayMax: 5000, timeout: 5000 });
    socket.on('connect', () => {
      socket.emit('subscribe', { eventId }, (ack: SubscribeAck) => {
        if (stopped) return;
        if (ack.ok) {
          socketLive = true;
          setConnection('live');
          setUpdate(ack.update);
          lastState = ack.update.state;
        } else {
          setConnection('polling');
        }
      });
    });
    socket.on('serving', (packet: ServingUpdate) => {
      if (packet.eventId !== eventId || stopped) return;
      setUpdate(packet);
      lastState = packet.state;
      // A state change (open) may have numbered a pre-queued fan: ask now rather than at the next poll.
      if (!numberKnown.current && packet.state === 'open') void fetchStatus();
    });
    socket.on('disconnect', () => {
      socketLive = false;
      if (!stopped) setConnection('polling');
    });
    socket.on('connect_error', () => {
      socketLive = false;
      if (!stopped) setConnection('polling');
    });

    return () => {
      stopped = true;
      if (pollTimer !== undefined) clearTimeout(pollTimer);
      socket.close();
    };
  }, [waitingRoomUrl, eventId, queueToken]);

  return { update, connection, status, error };
}
