// Browser tests of the fan and organizer pages against the real roles (Chromium via playwright-core).
// Each scenario uses its own event; screenshots of every page land in test-results/e2e/.
import type { Page } from 'playwright-core';
import { startE2eStack, type E2eStack } from './e2e-stack.js';

let stack: E2eStack;

beforeAll(async () => {
  stack = await startE2eStack();
}, 60_000);

afterAll(async () => {
  await stack?.close();
}, 30_000);

async function seatCounts(eventId: string): Promise<{ held: number; sold: number; available: number }> {
  const reply = (await (await fetch(`${stack.apiUrl}/api/events/${eventId}/seats`)).json()) as { sections: Array<{ held: number; sold: number; available: number }> };
  return reply.sections.reduce((sum, s) => ({ held: sum.held + s.held, sold: sum.sold + s.sold, available: sum.available + s.available }), { held: 0, sold: 0, available: 0 });
}

async function openDashboard(page: Page, eventId: string): Promise<void> {
  await page.goto(`/organizer/events/${eventId}`);
  await page.getByLabel('Organizer token').fill(stack.organizerToken);
  await page.getByTestId('stat-waiting').waitFor();
}

async function joinFromEventPage(page: Page, eventId: string): Promise<void> {
  await page.goto(`/events/${eventId}`);
  await page.getByRole('button', { name: 'Join the queue' }).click();
  await page.waitForURL(`**/events/${eventId}/queue`);
  await page.getByTestId('queue-number').waitFor();
}

test('a fan joins, waits, is admitted when the organizer raises the rate, picks seats, pays and sees the booking', async () => {
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

  await openDashboard(organizer, eventId);
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
  expect((await seatCounts(eventId)).sold).toBe(2);
}, 90_000);

test('two fans race for the last seat: exactly one gets it, the other is told it was taken', async () => {
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
  expect(await seatCounts(eventId)).toEqual({ held: 1, sold: 0, available: 0 });
}, 60_000);

test('sold out reaches fans who are still waiting', async () => {
  const eventId = stack.newEventId('soldout');
  await stack.setUpEvent(eventId, { sections: ['A'], rows: 1, seatsPerRow: 2 });
  const fan = await (await stack.phone()).newPage();
  await joinFromEventPage(fan, eventId);
  await fan.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();

  const organizer = await (await stack.desktop()).newPage();
  await openDashboard(organizer, eventId);
  await organizer.getByRole('button', { name: 'Mark sold out' }).click();
  await organizer.getByTestId('room-state').filter({ hasText: 'soldout' }).waitFor();

  await fan.getByTestId('state-banner').filter({ hasText: 'Every ticket has been sold' }).waitFor({ timeout: 5_000 });
  expect(await fan.getByRole('heading', { level: 1 }).textContent()).toBe('Sold out');
  await stack.screenshot(fan, 'c1-sold-out-waiting');
  await stack.screenshot(organizer, 'c2-dashboard-sold-out');
}, 60_000);
