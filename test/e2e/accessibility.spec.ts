// Every page a fan or organizer sees, checked by axe-core (WCAG 2.x A and AA: contrast, names,
// labels, landmarks; @axe-core/playwright) in the real pages served by the real roles, at phone and
// desktop widths.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';

/** axe's WCAG A/AA violations on the page as it is now, one readable line each. */
async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.map((violation) => {
    const where = violation.nodes.slice(0, 5).map((node) => node.target.join(' '));
    const more = violation.nodes.length > 5 ? ` and ${violation.nodes.length - 5} more` : '';
    return `${violation.id} (${violation.impact}): ${violation.help} at ${where.join(', ')}${more}`;
  });
}

test('the fan pages (event, waiting, seat map, hold) have no WCAG A/AA violations on a phone', async ({ stack }) => {
  const eventId = stack.newEventId('a11y');
  await stack.setUpEvent(eventId, { sections: ['A', 'B'], rows: 3, seatsPerRow: 12 });
  const fan = await (await stack.phone()).newPage();

  await fan.goto(`/events/${eventId}`);
  await fan.getByRole('button', { name: 'Join the queue' }).waitFor();
  expect(await violations(fan)).toEqual([]);

  await fan.getByRole('button', { name: 'Join the queue' }).click();
  await fan.waitForURL(`**/events/${eventId}/queue`);
  await fan.getByTestId('queue-number').waitFor();
  expect(await violations(fan)).toEqual([]);

  await stack.organizer(eventId, 'rate', { admissionRatePerMinute: 600 });
  await fan.waitForURL(`**/events/${eventId}/seats`, { timeout: 15_000 });
  await fan.locator('[data-seat="A#1#4"]').waitFor();
  await fan.locator('[data-seat="A#1#4"]').click();
  expect(await violations(fan)).toEqual([]);

  await fan.getByRole('button', { name: 'Hold 1 selected seat' }).click();
  await fan.getByTestId('hold').waitFor({ timeout: 20_000 });
  expect(await violations(fan)).toEqual([]);

  await fan.getByLabel('Card number').fill('4242 4242 4242 4242');
  await fan.getByRole('button', { name: /^Pay/ }).click();
  await fan.getByTestId('booking').waitFor();
  expect(await violations(fan)).toEqual([]);
});

test('the home page and the organizer sign-in and dashboard have no WCAG A/AA violations on a desktop', async ({ stack }) => {
  const eventId = stack.newEventId('a11y-org');
  await stack.setUpEvent(eventId, { sections: ['A'], rows: 2, seatsPerRow: 10 });
  const page = await (await stack.desktop()).newPage();

  await page.goto('/');
  await page.getByRole('heading', { level: 1 }).waitFor();
  expect(await violations(page)).toEqual([]);

  await page.goto(`/organizer/events/${eventId}`);
  await page.getByLabel('Email').waitFor();
  expect(await violations(page)).toEqual([]);

  await page.getByLabel('Email').fill(stack.admin.email);
  await page.getByLabel('Password').fill(stack.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('stat-waiting').waitFor();
  expect(await violations(page)).toEqual([]);
});
