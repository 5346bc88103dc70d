// Browser spec of the join's proof of work: the organizer turns it on from the dashboard, and a fan
// on that event gets through the page's Web Worker and into the queue; a join without work is refused.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';

const BITS = 12;

test('on an event with proof of work a fan passes the browser check in a Web Worker and joins; a bare join is refused', async ({ stack }) => {
  const eventId = stack.newEventId('pow');
  await stack.setUpEvent(eventId, { sections: ['A'], rows: 2, seatsPerRow: 10 });

  // The organizer sets the difficulty on the dashboard (as the stack's admin: this room has no organization).
  const organizer = await (await stack.desktop()).newPage();
  await organizer.goto(`/organizer/events/${eventId}`);
  await organizer.getByLabel('Email').fill(stack.admin.email);
  await organizer.getByLabel('Password').fill(stack.admin.password);
  await organizer.getByRole('button', { name: 'Sign in' }).click();
  await organizer.getByTestId('stat-waiting').waitFor();
  await organizer.getByLabel(/Browser check before joining/).fill(String(BITS));
  await organizer.getByRole('button', { name: 'Set check' }).click();
  await expect(organizer.getByTestId('proof-of-work-message')).toHaveText(`Browser check set to ${BITS} bits: new joins need about 4,096 hashes.`);
  await expect(organizer.getByLabel(/Browser check before joining/)).toHaveAttribute('placeholder', String(BITS));
  // Above the 24-bit ceiling the field itself refuses (the API would answer 400 too).
  await organizer.getByLabel(/Browser check before joining/).fill('25');
  expect(await organizer.getByLabel(/Browser check before joining/).evaluate((input) => (input as HTMLInputElement).validity.rangeOverflow)).toBe(true);
  await stack.screenshot(organizer, 'p1-dashboard-proof-of-work');

  const fan = await (await stack.phone()).newPage();
  const workers: string[] = [];
  fan.on('worker', (worker) => workers.push(worker.url()));
  const joins: number[] = [];
  fan.on('response', (response) => {
    if (response.request().method() === 'POST' && response.url().endsWith(`/api/events/${eventId}/queue`)) joins.push(response.status());
  });
  await fan.goto(`/events/${eventId}`);
  await fan.getByRole('button', { name: 'Join the queue' }).click();
  await fan.waitForURL(`**/events/${eventId}/queue`);
  expect(await fan.getByTestId('queue-number').textContent()).toBe('1');
  await stack.screenshot(fan, 'p2-joined-after-browser-check');
  // First the 428 with the challenge, then the join carrying the solution the worker found.
  expect(joins).toEqual([428, 200]);
  expect(workers.some((url) => /solver-worker/.test(url))).toBe(true);

  // A reload keeps the place without new work.
  await fan.reload();
  expect(await fan.getByTestId('queue-number').textContent()).toBe('1');

  // Without a solution, a script (no page, no worker) gets no number.
  const bare = await fetch(`${await waitingRoomUrl(fan)}/api/events/${eventId}/queue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(bare.status).toBe(428);
  expect(await bare.json()).toMatchObject({ type: 'https://corral.dev/problems/proof-of-work-required', bits: BITS });
});

/** The waiting room's URL as the page was told it (/config.json). */
async function waitingRoomUrl(page: Page): Promise<string> {
  return page.evaluate(async () => ((await (await fetch('/config.json')).json()) as { waitingRoomUrl: string }).waitingRoomUrl);
}
