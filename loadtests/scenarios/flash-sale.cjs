// Artillery processor for flash-sale.yml: the steps a declarative HTTP step cannot say (the
// organizer's setup, waiting on the Socket.IO serving feed, hearing a hold's result on the fan's
// socket) and the
// custom metrics the thresholds read:
//   corral.hold_request_to_result_ms   histogram, hold request sent -> held/rejected seen
//   corral.http_5xx                    counter, every 5xx answer (scenario steps and fetches here)
//   corral.booked / corral.sold_out / corral.rejected / corral.join_refused_<status> /
//   corral.pass_refused_<status> / corral.problem_<status>_<code>   counters, the funnel
// Plain CommonJS: Artillery loads it as is. socket.io-client comes from the project's own
// dependencies. When CORRAL_LOADTEST_STATE names a file, setUpSale writes the event id there for
// the audit that follows the run (scripts/loadtest-cli.ts).
'use strict';
const { randomUUID } = require('node:crypto');
const { writeFileSync } = require('node:fs');
const { io } = require('socket.io-client');

const TEST_CARD = '4242424242424242';
const HOLD_ATTEMPTS = 3;

class Problem extends Error {
  constructor(status, code, retryAfterSeconds, detail) {
    super(`${status} ${code}: ${detail}`);
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

async function call(url, { method, token, body, headers, events } = {}) {
  const sent = { accept: 'application/json', ...headers };
  if (token !== undefined) sent.authorization = `Bearer ${token}`;
  if (body !== undefined) sent['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: sent,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  if (response.status >= 500 && events) events.emit('counter', 'corral.http_5xx', 1);
  const text = await response.text();
  let reply = {};
  try {
    reply = text === '' ? {} : JSON.parse(text);
  } catch {
    reply = { detail: text.slice(0, 200) };
  }
  if (!response.ok) {
    const code = typeof reply.type === 'string' ? reply.type.split('/').pop() : `http-${response.status}`;
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new Problem(response.status, code, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined, String(reply.detail ?? ''));
  }
  return reply;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Each admitted fan's Socket.IO connection, from the wait to the hold's result.
const sockets = new WeakMap();
// Every hold.result a fan's socket heard, by hold id.
const results = new WeakMap();

/**
 * The hold's result as the fan page hears it: `identify` with the pass (the socket joins the fan's
 * room), then `hold.result` for this hold id. A poll of GET /api/holds/:id every second covers a
 * result pushed before the identify landed, or a dropped socket.
 */
function holdResult(socket, vars, holdId, events) {
  // The result may have come before the 202 did.
  const early = results.get(socket)?.get(holdId);
  if (early) return Promise.resolve(early);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (view) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      clearTimeout(deadline);
      socket?.off('hold.result', onResult);
      resolve(view);
    };
    const onResult = (message) => message.holdId === holdId && finish(message);
    socket?.on('hold.result', onResult);
    const poll = setInterval(() => {
      void call(`${vars.api}/api/holds/${holdId}`, { token: vars.pass, events })
        .then((view) => view.status !== 'pending' && finish(view))
        .catch(() => undefined);
    }, 1_000);
    const deadline = setTimeout(() => finish({ status: 'pending' }), 30_000);
  });
}

async function identify(socket, vars) {
  if (!socket) return;
  const heard = new Map();
  results.set(socket, heard);
  socket.on('hold.result', (message) => heard.set(message.holdId, message));
  try {
    const ack = await socket.timeout(5_000).emitWithAck('identify', { eventId: vars.eventId, token: vars.pass });
    if (!ack?.ok) throw new Error(ack?.error ?? 'refused');
  } catch {
    // The poll in holdResult still answers.
  }
}

// The shape of catalog/venue-layout.ts's gridLayout, every seat in the one tier.
function gridLayout(sections, rows, seatsPerRow) {
  return {
    sections: sections.map((section) => ({
      section,
      rows: Array.from({ length: rows }, (_, row) => ({
        row: String(row + 1),
        seats: Array.from({ length: seatsPerRow }, (_, seat) => ({ number: seat + 1, tier: 'std' })),
      })),
    })),
  };
}

/** before: the organizer creates, publishes and opens a sale, through the API the dashboard uses. */
async function setUpSale(context) {
  const vars = context.vars;
  const api = String(vars.target ?? context.vars.$environment?.target ?? '').replace(/\/$/, '') || String(process.env.CORRAL_TARGET ?? 'http://127.0.0.1:3000');
  const email = process.env.FLASH_ORGANIZER_EMAIL ?? 'demo-organizer@corral.local';
  const password = process.env.FLASH_ORGANIZER_PASSWORD ?? 'corral-demo-password';
  const web = await call(`${api}/config.json`);
  const { token } = await call(`${api}/api/sessions`, { body: { email, password } });
  const { organizations } = await call(`${api}/api/organizations`, { token });
  const organizationId = organizations[0]?.id ?? (await call(`${api}/api/organizations`, { token, body: { name: 'Flash sale QA' } })).id;
  const run = randomUUID().slice(0, 8);
  const sections = Array.from({ length: Number(vars.sections) }, (_, index) => String.fromCharCode(65 + index));
  const venue = await call(`${api}/api/organizations/${organizationId}/venues`, {
    token,
    body: { name: `Artillery hall ${run}`, city: 'Lisbon', layout: gridLayout(sections, Number(vars.rows), Number(vars.seatsPerRow)) },
  });
  const opensAt = Date.now() + Number(vars.opensInSeconds) * 1000;
  const event = await call(`${api}/api/organizations/${organizationId}/events`, {
    token,
    body: {
      venueId: venue.id,
      name: `Artillery flash sale ${run}`,
      description: 'A load-test sale (loadtests/scenarios/flash-sale.yml).',
      category: 'load-test',
      startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      saleOpensAt: new Date(opensAt).toISOString(),
      priceTiers: [{ code: 'std', name: 'Standard', priceCents: 5_000, currency: 'EUR' }],
    },
  });
  await call(`${api}/api/events/${event.id}/publish`, { token, body: {} });
  await call(`${web.admissionUrl}/api/organizer/events/${event.id}/rate`, { token, body: { admissionRatePerMinute: Number(vars.admissionRatePerMinute) } });
  vars.api = api;
  vars.eventId = event.id;
  vars.waitingRoomUrl = web.waitingRoomUrl;
  vars.admissionUrl = web.admissionUrl;
  vars.seatCount = sections.length * Number(vars.rows) * Number(vars.seatsPerRow);
  if (process.env.CORRAL_LOADTEST_STATE) {
    writeFileSync(process.env.CORRAL_LOADTEST_STATE, JSON.stringify({ eventId: event.id, api, seats: vars.seatCount, admissionRatePerMinute: Number(vars.admissionRatePerMinute) }));
  }
}

/** Each fan comes from an address of its own (the roles trust X-Forwarded-For from loopback only). */
function fanArrives(context, events, done) {
  const octet = () => Math.floor(Math.random() * 254) + 1;
  context.vars.fanIp = `10.${octet()}.${octet()}.${octet()}`;
  context.vars.fanIndex = Math.floor(Math.random() * 1_000_000);
  // Registers the counter at 0 so the run's "no 5xx" condition has a value to read.
  events.emit('counter', 'corral.http_5xx', 0);
  done();
}

/** Scenario-level afterResponse: remembers the answer for the retry loops and counts 5xx. */
function countProblems(_request, response, context, events, next) {
  context.vars.lastStatus = response.statusCode;
  context.vars.lastCode = undefined;
  if (response.statusCode >= 400) {
    try {
      const type = JSON.parse(response.body).type;
      if (typeof type === 'string') context.vars.lastCode = type.split('/').pop();
    } catch {
      // not a problem body
    }
  }
  const retryAfter = Number(response.headers['retry-after']);
  context.vars.retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 1;
  if (response.statusCode >= 500) events.emit('counter', 'corral.http_5xx', 1);
  next();
}

// 429 and 503 say when to come back; capacity-full (409) means every shopping slot is taken for now.
const retryable = (status, code) => status === 429 || status === 503 || code === 'capacity-full';

/** After a join or pass attempt: a 429/503 waits as Retry-After says (jittered); anything else ends the loop. */
async function backOff(context, step) {
  const refused = retryable(context.vars.lastStatus, context.vars.lastCode);
  context.vars[`${step}Tried`] = true;
  context.vars[`${step}Refused`] = refused;
  if (refused) await sleep(context.vars.retryAfterSeconds * 1000 * (0.5 + Math.random()));
}
// Artillery awaits a function step only when it is an async function (otherwise it waits for a
// callback), so these are `async function`s, not arrows returning a promise.
async function afterJoinAttempt(context) {
  await backOff(context, 'join');
}
async function afterPassAttempt(context) {
  await backOff(context, 'pass');
}

function stillToJoin(context, next) {
  const vars = context.vars;
  next(vars.queueToken === undefined && (vars.joinTried !== true || vars.joinRefused === true));
}

function stillToClaim(context, next) {
  const vars = context.vars;
  next(vars.admitted === true && vars.pass === undefined && (vars.passTried !== true || vars.passRefused === true));
}

/** Waits for `number <= serving` on the fan's own socket; a pre-queued fan learns its number at the open. */
async function waitForTurn(context, events) {
  const vars = context.vars;
  if (vars.queueToken === undefined) {
    // Told no at the door (409: the sale is sold out or closed; 429s were retried until the loop gave up).
    events.emit('counter', `corral.join_refused_${vars.lastStatus ?? 'none'}`, 1);
    return;
  }
  const eventId = vars.eventId;
  let number = vars.number ?? null;
  const outcome = await new Promise((resolve) => {
    let settled = false;
    const socket = io(`${vars.waitingRoomUrl}/queue`, { transports: ['websocket'], reconnectionDelay: 500, timeout: 10_000 });
    const finish = (result) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      clearTimeout(deadline);
      // An admitted fan keeps its socket: the hold's result comes back on it (buySeats).
      if (result === 'admitted') sockets.set(context, socket);
      else socket.close();
      resolve(result);
    };
    const consider = (update) => {
      if (update.state === 'soldout' || update.state === 'closed') return finish(update.state);
      if (number === null) {
        if (update.state === 'open') void learnNumber().catch(() => undefined);
        return;
      }
      if (update.serving >= number) finish('admitted');
    };
    const learnNumber = async () => {
      const status = await call(`${vars.waitingRoomUrl}/api/events/${eventId}/queue/status`, { token: vars.queueToken, events });
      number = status.number;
      consider({ eventId, serving: status.serving, state: status.state });
    };
    // The socket is the fast path; a status poll every few seconds covers a dropped packet.
    const poll = setInterval(() => void learnNumber().catch(() => undefined), 3_000);
    const deadline = setTimeout(() => finish('timeout'), Number(vars.waitSeconds) * 1000);
    socket.on('connect', () => socket.emit('subscribe', { eventId }, (ack) => ack?.ok && ack.update && consider(ack.update)));
    socket.on('serving', (update) => update.eventId === eventId && consider(update));
  });
  vars.admitted = outcome === 'admitted';
  if (outcome === 'soldout') events.emit('counter', 'corral.sold_out', 1);
  else if (outcome !== 'admitted') events.emit('counter', `corral.wait_${outcome}`, 1);
}

/**
 * Best seats available in a section with room: hold, wait for the result, pay. A problem answer
 * (a 4xx, or a 5xx, also counted in corral.http_5xx) ends the fan's attempt and is counted as
 * corral.problem_<status>_<code>, so the funnel shows what fans were told.
 */
async function buySeats(context, events) {
  const socket = sockets.get(context);
  try {
    await holdAndPay(context, events, socket);
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    events.emit('counter', `corral.problem_${error.status}_${error.code}`, 1);
  } finally {
    socket?.close();
    sockets.delete(context);
  }
}

async function holdAndPay(context, events, socket) {
  const vars = context.vars;
  if (vars.pass === undefined) {
    if (vars.admitted) events.emit('counter', `corral.pass_refused_${vars.lastStatus ?? 'none'}`, 1);
    return;
  }
  const quantity = Number(vars.seatsPerFan);
  await identify(socket, vars);
  for (let attempt = 1; attempt <= HOLD_ATTEMPTS; attempt += 1) {
    const { sections } = await call(`${vars.api}/api/events/${vars.eventId}/seats`, { events });
    const open = sections.filter((section) => section.available >= quantity).sort((a, b) => b.available - a.available);
    if (open.length === 0) {
      events.emit('counter', 'corral.sold_out', 1);
      return;
    }
    // Fans spread over the sections that still have room, as people pick different ones.
    const section = open[vars.fanIndex % Math.min(open.length, 3)].section;
    const started = Date.now();
    const { holdId } = await call(`${vars.api}/api/events/${vars.eventId}/holds`, {
      token: vars.pass,
      headers: { 'idempotency-key': randomUUID() },
      body: { section, quantity },
      events,
    });
    const view = await holdResult(socket, vars, holdId, events);
    events.emit('histogram', 'corral.hold_request_to_result_ms', Date.now() - started);
    if (view.status === 'rejected') {
      events.emit('counter', 'corral.rejected', 1);
      continue;
    }
    if (view.status !== 'held') {
      events.emit('counter', `corral.hold_${view.status}`, 1);
      return;
    }
    await call(`${vars.api}/api/holds/${holdId}/confirm`, { token: vars.pass, body: { paymentToken: TEST_CARD }, events });
    events.emit('counter', 'corral.booked', 1);
    return;
  }
  events.emit('counter', 'corral.no_seats_after_retries', 1);
}

module.exports = { setUpSale, fanArrives, countProblems, afterJoinAttempt, afterPassAttempt, stillToJoin, stillToClaim, waitForTurn, buySeats };
