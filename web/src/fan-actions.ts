// The fan's calls to the waiting-room and admission roles, each saving what it learned in the session.
import { loadFanSession, saveFanSession, type FanSession } from './fan-session';
import { requestJson } from './http';
import type { WebConfig } from './web-config';

interface JoinReply {
  eventId: string;
  number: number | null;
  prequeue: boolean;
  opensInMs?: number;
  queueToken: string;
}

interface PassReply {
  eventId: string;
  number: number;
  pass: string;
  sessionId: string;
  expiresAt: string;
}

const eventPath = (eventId: string) => `/api/events/${encodeURIComponent(eventId)}`;

/** Joining twice returns the same number (the visitor cookie names the fan), so this is safe to repeat. */
export async function joinQueue(config: WebConfig, eventId: string): Promise<FanSession> {
  const reply = await requestJson<JoinReply>(`${config.waitingRoomUrl}${eventPath(eventId)}/queue`, { method: 'POST', body: {}, credentials: true });
  const previous = loadFanSession(eventId);
  return saveFanSession(eventId, {
    queueToken: reply.queueToken,
    number: reply.number,
    opensAt: reply.opensInMs === undefined ? undefined : Date.now() + reply.opensInMs,
    servingAtJoin: previous.queueToken === undefined ? undefined : previous.servingAtJoin,
  });
}

export async function claimPass(config: WebConfig, eventId: string, queueToken: string): Promise<FanSession> {
  const reply = await requestJson<PassReply>(`${config.admissionUrl}${eventPath(eventId)}/pass`, { method: 'POST', token: queueToken });
  return saveFanSession(eventId, { pass: reply.pass, sessionId: reply.sessionId, passExpiresAt: reply.expiresAt, number: reply.number });
}

/** Checkout done: hand the shopping slot to the next fan at once instead of at the pass's expiry. */
export async function releaseShoppingSession(config: WebConfig, eventId: string, session: FanSession): Promise<void> {
  if (session.pass === undefined || session.sessionId === undefined) return;
  await requestJson(`${config.admissionUrl}${eventPath(eventId)}/sessions/${encodeURIComponent(session.sessionId)}/release`, {
    method: 'POST',
    token: session.pass,
    body: {},
  }).catch(() => undefined);
}
