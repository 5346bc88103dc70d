// The fan's calls to the waiting-room and admission roles, each saving what it learned in the session.
import { loadFanSession, saveFanSession, type FanSession } from './fan-session';
import { ApiProblem, requestJson } from './http';
import type { SolveProgress } from './proof-of-work/solve';
import { solveInWorker } from './proof-of-work/solve-in-worker';
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

interface ChallengeReply {
  challenge: string | null;
  bits: number;
}

// Problems after which a fresh challenge (not the same one again) may still get the fan in.
const RETRY_WITH_NEW_CHALLENGE = new Set(['proof-of-work-expired', 'proof-of-work-replayed', 'proof-of-work-insufficient']);
const MAX_JOIN_ATTEMPTS = 3;

/**
 * Joining twice returns the same number (the visitor cookie names the fan), so this is safe to repeat.
 * When the event asks for proof of work, the join's 428 carries a challenge: it is solved in a Web
 * Worker (`onCheck` hears the progress) and the join is sent again with the solution.
 */
export async function joinQueue(config: WebConfig, eventId: string, onCheck?: (progress: SolveProgress) => void): Promise<FanSession> {
  const url = `${config.waitingRoomUrl}${eventPath(eventId)}/queue`;
  let body: object = {};
  let reply: JoinReply | undefined;
  for (let attempt = 1; reply === undefined; attempt += 1) {
    try {
      reply = await requestJson<JoinReply>(url, { method: 'POST', body, credentials: true });
    } catch (problem) {
      if (!(problem instanceof ApiProblem) || attempt >= MAX_JOIN_ATTEMPTS) throw problem;
      let challenge: ChallengeReply;
      if (problem.code === 'proof-of-work-required' && typeof problem.body['challenge'] === 'string') {
        challenge = { challenge: problem.body['challenge'], bits: Number(problem.body['bits']) };
      } else if (RETRY_WITH_NEW_CHALLENGE.has(problem.code)) {
        challenge = await requestJson<ChallengeReply>(`${url}/challenge`);
      } else {
        throw problem;
      }
      if (challenge.challenge === null) {
        body = {};
        continue;
      }
      onCheck?.({ hashes: 0, expectedHashes: 2 ** challenge.bits });
      const solved = await solveInWorker(challenge.challenge, challenge.bits, onCheck);
      body = { proofOfWork: { challenge: challenge.challenge, solution: solved.solution } };
    }
  }
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
