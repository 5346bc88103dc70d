// Browser specs of the fan and organizer journeys against the real roles (Debian's Chromium through
// @playwright/test). Each scenario uses its own event; screenshots of every page land in
// test-results/e2e/ and in the HTML report.
import type { BrowserContext, Page, WebSocketRoute } from '@playwright/test';
import { gridLayout } from '../../catalog/venue-layout.js';
import { loadConfig } from '../../lib/config.js';
import { createPrisma } from '../../lib/mysql.js';
import { expect, test, type E2eStack } from './fixtures.js';

async function seatCounts(stack: E2eStack, eventId: string): Promise<{ held: number; sold: number; available: number }> {
  const reply = (await (await fetch(`${stack.apiUrl}/api/events/${eventId}/seats`)).json()) as { sections: Array<{ held: number; sold: number; available: number }> };
  return reply.sections.reduce((sum, s) => ({ held: sum.held + s.held, sold: sum.sold + s.sold, available: sum.available + s.available }), { held: 0, sold: 0, available: 0 });
}

/** As the stack's platform admin: these rooms were set up outside the catalog, so no organization owns them. */
async function openDashboard(stack: E2eStack, page: Page, eventId: string): Promise<void> {
  await page.goto(`/organizer/events/${eventId}`);
  await page.getByLabel('Email').fill(stack.admin.email);
  await page.getByLabel('Password').fill(stack.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('admin-hint').waitFor();
  await page.getByTestId('stat-waiting').waitFor();
}

async function joinFromEventPage(page: Page, eventId: string): Promise<void> {
  await page.goto(`/events/${eventId}`);
  await page.getByRole('button', { name: 'Join the queue' }).click();
  await page.waitForURL(`**/events/${eventId}/queue`);
  await page.getByTestId('queue-number').waitFor();
}

const focusedSeat = (page: Page) => page.evaluate<string | null>("document.activeElement?.getAttribute('data-seat') ?? null");

/** Joins from the event page and lets everyone in: the fan lands on the seat map. */
async function admitFan(stack: E2eStack, page: Page, eventId: string): Promise<void> {
  await joinFromEventPage(page, eventId);
  await stack.organizer(eventId, 'rate', { admissionRatePerMinute: 600 });
  await page.waitForURL(`**/events/${eventId}/seats`, { timeout: 15_000 });
}

/**
 * Lets a test cut the page's Socket.IO connection (WebSocket and engine.io long-polling alike) and
 * keep it cut, while the page's plain HTTP calls (GET /queue/state, /queue/status) still go through.
 */
async function socketSwitch(context: BrowserContext): Promise<{ drop(): Promise<void>; restore(): void }> {
  let blocked = false;
  const open = new Set<WebSocketRoute>();
  await context.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (blocked) return void ws.close();
    const server = ws.connectToServer();
    // Counted as carrying the connection only once engine.io's upgrade packet ("5") has crossed:
    // closing a WebSocket still being probed just leaves the page on long-polling, unnoticed.
    ws.onMessage((message) => {
      if (message === '5') open.add(ws);
      server.send(message);
    });
    ws.onClose(() => {
      open.delete(ws);
      void server.close().catch(() => undefined);
    });
  });
  await context.route(/\/socket\.io\//, (route) => (blocked ? route.abort('connectionrefused') : route.continue()));
  return {
    async drop() {
      // Engine.io connects by long-polling and then upgrades; a poll already in flight would outlive
      // the block for a whole ping interval, so drop only once the WebSocket carries the connection.
      for (const deadline = Date.now() + 10_000; open.size === 0 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
      if (open.size === 0) throw new Error('the page never upgraded to a WebSocket');
      blocked = true;
      for (const ws of [...open]) await ws.close({ code: 1006, reason: 'test drops the connection' }).catch(() => ws.close());
    },
    restore() {
      blocked = false;
    },
  };
}

test('a fan joins, waits, is admitted when the organizer raises the rate, picks seats, pays and sees the booking', async ({ stack }) => {
  const eventId = stack.newEventId('flow');
  await stack.setUpEvent(eventId, { sections: ['A', 'B'], rows: 4, seatsPerRow: 10 });
  const fan = await (await stack.phone()).newPage();
  const organizer = await (await stack.desktop()).newPage();

  await fan.goto(`/events/${eventId}`);
  await fan.getByRole('button', { name: 'Join the queue' }).waitFor();
  await fan.getByText('80 seats available').waitFor();
  await stack.screenshot(fan, 'a1-event-page');
  await fan.getByRole('button', { name: 'Join the queue' }).click();
  await fan.waitForURL(`**/events/${eventId}/queue`);
  await fan.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
  const number = await fan.getByTestId('queue-number').textContent();
  expect(number).toBe('1');
  expect(await fan.getByTestId('position').textContent()).toBe('1');
  await stack.screenshot(fan, 'a2-waiting-page');

  // A reload keeps the place in line (queue token in localStorage).
  await fan.reload();
  await fan.getByTestId('queue-number').waitFor();
  expect(await fan.getByTestId('queue-number').textContent()).toBe(number);

  await openDashboard(stack, organizer, eventId);
  await organizer.getByTestId('stat-waiting').filter({ hasText: /^1$/ }).waitFor();
  await stack.screenshot(organizer, 'a3-dashboard-before');
  await organizer.getByLabel('Admission rate (fans per minute)').fill('600');
  await organizer.getByRole('button', { name: 'Set rate' }).click();
  await organizer.getByTestId('control-message').filter({ hasText: 'done' }).waitFor();

  // Admitted: the page claims the pass and shows the seat map.
  await fan.waitForURL(`**/events/${eventId}/seats`, { timeout: 15_000 });
  await fan.locator('[data-seat="A#1#4"]').waitFor();
  await stack.screenshot(fan, 'a4-seat-map');
  await organizer.getByTestId('stat-shoppers').filter({ hasText: /^1$/ }).waitFor();
  await stack.screenshot(organizer, 'a5-dashboard-after');

  await fan.locator('[data-seat="A#1#4"]').click();
  await fan.locator('[data-seat="A#1#5"]').click();
  await fan.getByRole('button', { name: 'Hold 2 selected seats' }).click();
  await fan.getByTestId('hold').waitFor();
  expect(await fan.getByTestId('hold').textContent()).toContain('Section A, row 1, seat 4');
  await stack.screenshot(fan, 'a6-hold');

  await fan.getByLabel('Card number').fill('4000 0000 0000 0002');
  await fan.getByRole('button', { name: /^Pay/ }).click();
  await fan.getByTestId('shop-notice').filter({ hasText: 'declined' }).waitFor();
  await stack.screenshot(fan, 'a7-payment-declined');

  await fan.getByLabel('Card number').fill('4242 4242 4242 4242');
  await fan.getByRole('button', { name: /^Pay/ }).click();
  await fan.getByTestId('booking').waitFor();
  expect(await fan.getByTestId('booking-id').textContent()).toMatch(/^h_/);
  await stack.screenshot(fan, 'a8-booking');
  expect((await seatCounts(stack, eventId)).sold).toBe(2);
});

test('two fans race for the last seat: exactly one gets it, the other is told it was taken', async ({ stack }) => {
  const eventId = stack.newEventId('race');
  await stack.setUpEvent(eventId, { sections: ['A'], rows: 1, seatsPerRow: 1 });
  const fans = [await (await stack.phone()).newPage(), await (await stack.phone()).newPage()];
  for (const fan of fans) await joinFromEventPage(fan, eventId);
  await stack.organizer(eventId, 'rate', { admissionRatePerMinute: 600 });
  for (const fan of fans) {
    await fan.waitForURL(`**/events/${eventId}/seats`, { timeout: 15_000 });
    await fan.locator('[data-seat="A#1#1"][data-state="available"]').click();
  }
  await Promise.all(fans.map((fan) => fan.getByRole('button', { name: 'Hold 1 selected seat' }).click()));

  const outcomes = await Promise.all(
    fans.map((fan) =>
      Promise.race([
        fan.getByTestId('hold').waitFor().then(() => 'won' as const),
        fan.getByTestId('shop-notice').filter({ hasText: 'taken' }).waitFor().then(() => 'lost' as const),
      ]),
    ),
  );
  expect(outcomes.sort()).toEqual(['lost', 'won']);
  const loser = fans[outcomes.indexOf('lost')]!;
  const winner = fans[outcomes.indexOf('won')]!;
  await stack.screenshot(winner, 'b1-race-winner');
  await stack.screenshot(loser, 'b2-race-loser');
  expect(await seatCounts(stack, eventId)).toEqual({ held: 1, sold: 0, available: 0 });
});

test('sold out reaches fans who are still waiting', async ({ stack }) => {
  const eventId = stack.newEventId('soldout');
  await stack.setUpEvent(eventId, { sections: ['A'], rows: 1, seatsPerRow: 2 });
  const fan = await (await stack.phone()).newPage();
  await joinFromEventPage(fan, eventId);
  await fan.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();

  const organizer = await (await stack.desktop()).newPage();
  await openDashboard(stack, organizer, eventId);
  await organizer.getByRole('button', { name: 'Mark sold out' }).click();
  await organizer.getByTestId('room-state').filter({ hasText: 'soldout' }).waitFor();

  await fan.getByTestId('state-banner').filter({ hasText: 'Every ticket has been sold' }).waitFor({ timeout: 5_000 });
  expect(await fan.getByRole('heading', { level: 1 }).textContent()).toBe('Sold out');
  await stack.screenshot(fan, 'c1-sold-out-waiting');
  await stack.screenshot(organizer, 'c2-dashboard-sold-out');
});

test('a dropped Socket.IO connection: the waiting page keeps updating by polling and reconnects', async ({ stack }) => {
  const eventId = stack.newEventId('drop');
  await stack.setUpEvent(eventId, { sections: ['A'], rows: 1, seatsPerRow: 4 });
  const context = await stack.phone();
  const socket = await socketSwitch(context);
  const fan = await context.newPage();
  await joinFromEventPage(fan, eventId);
  await fan.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();

  await socket.drop();
  await fan.getByTestId('connection').filter({ hasText: 'Reconnecting' }).waitFor({ timeout: 5_000 });
  // Only the public GET /queue/state (cacheable, no cookie) can tell the page now.
  const statusPolls: string[] = [];
  fan.on('request', (request) => {
    if (request.url().includes('/queue/state')) statusPolls.push(request.url());
  });
  await stack.organizer(eventId, 'pause');
  await fan.getByTestId('state-banner').filter({ hasText: 'paused' }).waitFor({ timeout: 8_000 });
  expect(statusPolls.length).toBeGreaterThan(0);
  expect(await fan.getByTestId('connection').textContent()).toContain('Reconnecting');
  await stack.screenshot(fan, 'd1-waiting-polling');

  socket.restore();
  await fan.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 12_000 });
  await stack.organizer(eventId, 'resume');
  await stack.organizer(eventId, 'rate', { admissionRatePerMinute: 600 });
  await fan.waitForURL(`**/events/${eventId}/seats`, { timeout: 15_000 });
});

test('before the sale opens a fan sees the countdown in the pre-queue, then gets a number when it opens', async ({ stack }) => {
  const eventId = stack.newEventId('prequeue');
  await stack.setUpEvent(eventId, { sections: ['A'], rows: 1, seatsPerRow: 4 }, { opensInMs: 7_000 });
  const fan = await (await stack.phone()).newPage();
  await fan.goto(`/events/${eventId}`);
  await fan.getByTestId('room-state').filter({ hasText: 'has not opened yet' }).waitFor();
  await fan.getByRole('button', { name: 'Join the queue' }).click();
  await fan.waitForURL(`**/events/${eventId}/queue`);
  await fan.getByTestId('state-banner').filter({ hasText: 'pre-queue' }).waitFor();
  const countdown = fan.getByTestId('opens-countdown');
  await countdown.waitFor();
  expect(await countdown.textContent()).toMatch(/^00:0[1-7]$/);
  expect(await fan.getByTestId('queue-number').count()).toBe(0);
  await stack.screenshot(fan, 'e1-prequeue-countdown');

  await fan.getByTestId('queue-number').waitFor({ timeout: 15_000 });
  expect(await fan.getByTestId('queue-number').textContent()).toBe('1');
  expect(await fan.getByTestId('state-banner').count()).toBe(0);
  await stack.screenshot(fan, 'e2-prequeue-numbered');
});

test('a hold that runs out tells the fan it expired and the seats go back on sale', async ({ stack }) => {
  const eventId = stack.newEventId('expiry');
  await stack.setUpEvent(eventId, { sections: ['A'], rows: 1, seatsPerRow: 4 });
  await stack.setHoldTtlSeconds(eventId, 4);
  const fan = await (await stack.phone()).newPage();
  await admitFan(stack, fan, eventId);
  await fan.locator('[data-seat="A#1#2"][data-state="available"]').click();
  await fan.getByRole('button', { name: 'Hold 1 selected seat' }).click();
  await fan.getByTestId('hold').waitFor();
  expect(await fan.getByTestId('hold-countdown').textContent()).toMatch(/^00:0[0-5]$/);

  await fan.getByTestId('shop-notice').filter({ hasText: 'Your hold expired' }).waitFor({ timeout: 10_000 });
  expect(await fan.getByTestId('hold').count()).toBe(0);
  await stack.screenshot(fan, 'f1-hold-expired');
  // The expiry worker hands the seat back; the map shows it again.
  await fan.locator('[data-seat="A#1#2"][data-state="available"]').waitFor({ timeout: 10_000 });
  expect((await seatCounts(stack, eventId)).held).toBe(0);
});

test('on a phone, rows of 30 seats stay usable: every seat reachable by touch and keyboard, no page-wide scroll', async ({ stack }) => {
  const eventId = stack.newEventId('wide');
  await stack.setUpEvent(eventId, { sections: ['A'], rows: 3, seatsPerRow: 30 });
  const fan = await (await stack.phone()).newPage();
  await admitFan(stack, fan, eventId);
  await fan.locator('[data-seat="A#3#30"]').waitFor();
  await stack.screenshot(fan, 'g1-phone-wide-rows');

  // The page itself never scrolls sideways; only the seat map does, and it says so.
  expect(await fan.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  await fan.getByTestId('seat-scroll-hint').waitFor();
  for (const box of await fan.locator('button.seat').evaluateAll((seats) => seats.map((seat) => seat.getBoundingClientRect()))) {
    expect(box.width).toBeGreaterThanOrEqual(24);
    expect(box.height).toBeGreaterThanOrEqual(24);
  }

  // Keyboard: arrows move along a row and between rows; the focused seat scrolls into view.
  await fan.locator('[data-seat="A#1#1"]').focus();
  await fan.keyboard.press('End');
  await fan.keyboard.press('ArrowDown');
  expect(await focusedSeat(fan)).toBe('A#2#30');
  await fan.keyboard.press('Space');
  expect(await fan.locator('[data-seat="A#2#30"]').getAttribute('aria-pressed')).toBe('true');
  await fan.keyboard.press('ArrowLeft');
  expect(await focusedSeat(fan)).toBe('A#2#29');
  const seat30 = await fan.locator('[data-seat="A#2#30"]').boundingBox();
  expect(seat30!.x + seat30!.width).toBeLessThanOrEqual(390);
  await stack.screenshot(fan, 'g2-phone-wide-rows-seat-30');

  // Touch: the scroll buttons bring the far end of the rows into view.
  await fan.getByRole('button', { name: 'Scroll the seat map left' }).click();
  await fan.getByRole('button', { name: 'Scroll the seat map right' }).click();
  await fan.locator('[data-seat="A#3#30"]').click();
  expect(await fan.getByRole('button', { name: 'Hold 2 selected seats' }).isEnabled()).toBe(true);
});

test('an organizer signs in with email and password and runs their event; fans find it by name on the home page', async ({ stack }) => {
  const event = await stack.publishCatalogEvent('gala');
  const organizer = await (await stack.desktop()).newPage();
  await organizer.goto('/organizer');
  await organizer.getByLabel('Email').fill(event.email);
  await organizer.getByLabel('Password').fill(event.password);
  await organizer.getByRole('button', { name: 'Sign in' }).click();
  await organizer.getByTestId('signed-in-as').waitFor();
  await organizer.getByRole('link', { name: event.name }).click();
  await organizer.waitForURL(`**/organizer/events/${event.eventId}`);
  // The session cookie of the api's host reaches the admission role: no token was pasted.
  await organizer.getByTestId('stat-waiting').waitFor();
  // Session only: the page offers no token field any more.
  expect(await organizer.getByLabel('Organizer token').count()).toBe(0);
  expect(await organizer.getByRole('heading', { level: 1 }).textContent()).toBe(event.name);
  // A published sale lets fans in at the default rate; hold them so the dashboard shows one waiting.
  await organizer.getByLabel('Admission rate (fans per minute)').fill('0');
  await organizer.getByRole('button', { name: 'Set rate' }).click();
  await organizer.getByTestId('control-message').filter({ hasText: 'done' }).waitFor();
  await stack.screenshot(organizer, 'h1-organizer-signed-in');

  const fan = await (await stack.phone()).newPage();
  await fan.goto('/');
  await fan.getByTestId('event-list').waitFor();
  await stack.screenshot(fan, 'h2-home-catalog');
  await fan.getByRole('link', { name: event.name }).click();
  await fan.waitForURL(`**/events/${event.eventId}`);
  await fan.getByRole('heading', { level: 1, name: event.name }).waitFor();
  await fan.getByRole('button', { name: 'Join the queue' }).click();
  await fan.waitForURL(`**/events/${event.eventId}/queue`);
  await fan.getByText(`Waiting room · ${event.name}`).waitFor();
  await organizer.getByTestId('stat-waiting').filter({ hasText: /^1$/ }).waitFor();

  await organizer.getByLabel('Admission rate (fans per minute)').fill('600');
  await organizer.getByRole('button', { name: 'Set rate' }).click();
  await organizer.getByTestId('control-message').filter({ hasText: 'set to 600' }).waitFor();
  await fan.waitForURL(`**/events/${event.eventId}/seats`, { timeout: 15_000 });
  await fan.getByText(`Choose seats · ${event.name}`).waitFor();
  await stack.screenshot(fan, 'h3-seats-with-name');
});

test('the home page lists every event: "Show more" loads the next page until all are shown', async ({ stack }) => {
  // Sixty listed events put straight into MySQL (listing reads only the catalog), far enough in the
  // future to sort after everything else, so the last page is sure to hold some of them.
  const prisma = createPrisma(loadConfig().DATABASE_URL);
  const tag = stack.newEventId('paging');
  const organization = await prisma.organization.create({ data: { name: `Paging ${tag}` } });
  const venue = await prisma.venue.create({ data: { organizationId: organization.id, name: `Paging Hall ${tag}`, city: 'Braga', layout: gridLayout(['A'], 1, 2, () => 'std'), seatCount: 2 } });
  const names = Array.from({ length: 60 }, (_, index) => `Paging ${tag} #${String(index + 1).padStart(2, '0')}`);
  try {
    await prisma.event.createMany({
      data: names.map((name, index) => ({ organizationId: organization.id, venueId: venue.id, name, description: '', category: 'paging', city: 'Braga', startsAt: new Date(Date.UTC(2099, 0, 1, 0, index)), saleOpensAt: new Date(Date.UTC(2098, 0, 1)), status: 'published' })),
    });
    const fan = await (await stack.desktop()).newPage();
    await fan.goto('/');
    await fan.getByTestId('event-list').waitFor();
    const total = Number((await fan.getByTestId('event-count').textContent())!.replace(/\D/g, ''));
    expect(total).toBeGreaterThanOrEqual(60);
    expect(await fan.locator('.event-card').count()).toBeLessThan(total);
    for (let clicks = 0; (await fan.getByTestId('show-more').count()) > 0; clicks += 1) {
      expect(clicks).toBeLessThan(20);
      const before = await fan.locator('.event-card').count();
      await fan.getByTestId('show-more').click();
      await fan.waitForFunction((count) => document.querySelectorAll('.event-card').length > count || !document.querySelector('[data-testid="show-more"]'), before);
    }
    // No event twice (pages can shift while events are added), and every one of ours is there.
    const links = await fan.locator('.event-card h2 a').evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('href')));
    expect(new Set(links).size).toBe(links.length);
    expect(links.length).toBeGreaterThanOrEqual(total);
    const shown = await fan.locator('.event-card h2').allTextContents();
    for (const name of names) expect(shown).toContain(name);
    await stack.screenshot(fan, 'h4-home-all-pages');
  } finally {
    await prisma.event.deleteMany({ where: { organizationId: organization.id } });
    await prisma.venue.delete({ where: { id: venue.id } });
    await prisma.organization.delete({ where: { id: organization.id } });
    await prisma.$disconnect();
  }
});
