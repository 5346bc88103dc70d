import { randomUUID } from 'node:crypto';
import { gridLayout } from '../../../catalog/venue-layout.js';
import { readEventSeats } from '../../../workers/booking/seat-availability.js';
import { http, startCatalogStack } from './catalog-stack.js';

describe('catalog and organizer roles over HTTP (real MariaDB, Redis and DynamoDB)', () => {
  let stack: Awaited<ReturnType<typeof startCatalogStack>>;

  beforeAll(async () => {
    stack = await startCatalogStack();
  });
  afterAll(() => stack.close());

  /** A signed-up user's session token, with an organization of their own if asked. */
  async function signedIn(withOrganization: boolean) {
    const email = `org-${randomUUID()}@example.test`;
    await http(`${stack.apiUrl}/api/accounts`, { method: 'POST', body: { email, password: 'a long enough secret' } });
    const token = (await http(`${stack.apiUrl}/api/sessions`, { method: 'POST', body: { email, password: 'a long enough secret' } })).body!.token as string;
    if (!withOrganization) return { token, organizationId: '' };
    const organization = await http(`${stack.apiUrl}/api/organizations`, { method: 'POST', token, body: { name: 'Night Owls' } });
    expect(organization.status).toBe(201);
    return { token, organizationId: organization.body!.id as string };
  }

  const layout = gridLayout(['A', 'B'], 3, 10, (section) => (section === 'A' ? 'front' : 'back'));
  const eventBody = (venueId: string, overrides: Record<string, unknown> = {}) => ({
    venueId,
    name: `Midnight Orchestra ${randomUUID().slice(0, 6)}`,
    category: 'concert',
    startsAt: '2031-03-01T20:00:00Z',
    saleOpensAt: '2031-02-01T10:00:00Z',
    priceTiers: [
      { code: 'front', name: 'Front', priceCents: 9_000, currency: 'EUR' },
      { code: 'back', name: 'Back', priceCents: 4_500, currency: 'EUR' },
    ],
    ...overrides,
  });

  it('lets a member create and publish an event: seats in DynamoDB, a waiting room, publicly readable', async () => {
    const { token, organizationId } = await signedIn(true);
    const venue = await http(`${stack.apiUrl}/api/organizations/${organizationId}/venues`, { method: 'POST', token, body: { name: 'Coliseu', city: 'Lisbon', layout } });
    expect(venue).toMatchObject({ status: 201, body: { seatCount: 60 } });
    const event = await http(`${stack.apiUrl}/api/organizations/${organizationId}/events`, { method: 'POST', token, body: eventBody(venue.body!.id) });
    expect(event).toMatchObject({ status: 201, body: { status: 'draft' } });
    const eventId = event.body!.id as string;
    expect((await http(`${stack.apiUrl}/api/events/${eventId}`)).status).toBe(404);

    const renamed = await http(`${stack.apiUrl}/api/events/${eventId}`, { method: 'PATCH', token, body: { name: 'Renamed Orchestra' } });
    expect(renamed).toMatchObject({ status: 200, body: { name: 'Renamed Orchestra' } });

    expect(await http(`${stack.apiUrl}/api/events/${eventId}/publish`, { method: 'POST', token })).toMatchObject({ status: 200, body: { status: 'published' } });
    const seats = await readEventSeats(stack.store, eventId);
    expect(seats).toHaveLength(60);
    expect(seats.filter((seat) => seat.priceTier === 'front').every((seat) => seat.priceCents === 9_000)).toBe(true);
    expect(await stack.queueStore.readConfig(eventId)).toMatchObject({ state: 'prequeue', opensAt: Date.parse('2031-02-01T10:00:00Z') });

    expect(await http(`${stack.apiUrl}/api/events/${eventId}`)).toMatchObject({ status: 200, body: { name: 'Renamed Orchestra', venue: { seatCount: 60 } } });
    expect((await http(`${stack.apiUrl}/api/events/${eventId}`, { method: 'PATCH', token, body: { name: 'Too late' } })).status).toBe(409);
  });

  it('refuses organizers of another organization (403) and anonymous callers (401)', async () => {
    const owner = await signedIn(true);
    const other = await signedIn(true);
    const venue = await http(`${stack.apiUrl}/api/organizations/${owner.organizationId}/venues`, { method: 'POST', token: owner.token, body: { name: 'Hall', city: 'Porto', layout } });
    const event = await http(`${stack.apiUrl}/api/organizations/${owner.organizationId}/events`, { method: 'POST', token: owner.token, body: eventBody(venue.body!.id) });
    const eventId = event.body!.id as string;

    expect((await http(`${stack.apiUrl}/api/organizations/${owner.organizationId}/venues`, { method: 'POST', token: other.token, body: { name: 'V', city: 'C', layout } })).status).toBe(403);
    expect((await http(`${stack.apiUrl}/api/events/${eventId}/publish`, { method: 'POST', token: other.token })).status).toBe(403);
    expect((await http(`${stack.apiUrl}/api/events/${eventId}`, { method: 'DELETE', token: other.token })).status).toBe(403);
    expect((await http(`${stack.apiUrl}/api/events/${eventId}/publish`, { method: 'POST' })).status).toBe(401);
    expect((await http(`${stack.apiUrl}/api/events/${eventId}/publish`, { method: 'POST', token: owner.token })).status).toBe(200);

    // The waiting room's organizer endpoints: the owner's session, the ops token; not the other org.
    const stats = `${stack.admissionUrl}/api/organizer/events/${eventId}/stats`;
    expect(await http(stats, { token: owner.token })).toMatchObject({ status: 200, body: { eventId, state: 'prequeue' } });
    expect((await http(stats, { token: stack.opsToken })).status).toBe(200);
    expect(await http(stats, { token: other.token })).toMatchObject({ status: 403 });
    expect((await http(`${stack.admissionUrl}/api/organizer/events/${eventId}/rate`, { method: 'POST', token: other.token, body: { admissionRatePerMinute: 5 } })).status).toBe(403);
    expect((await http(`${stack.admissionUrl}/api/organizer/events/${eventId}/rate`, { method: 'POST', token: owner.token, body: { admissionRatePerMinute: 5 } })).status).toBe(200);
    expect((await http(stats)).status).toBe(401);
  });

  it.each([
    ['a layout with a duplicate seat', 'venue', { name: 'V', city: 'C', layout: { sections: [{ section: 'A', rows: [{ row: '1', seats: [{ number: 1, tier: 't' }, { number: 1, tier: 't' }] }] }] } }, 'layout.sections.0.rows.0.seats.1.number'],
    ['a malformed date', 'event', { startsAt: '1 March 2031' }, 'startsAt'],
    ['a sale opening after the start', 'event', { saleOpensAt: '2031-03-02T00:00:00Z' }, 'saleOpensAt'],
  ])('answers %s with 400 naming the field', async (_label, kind, body, field) => {
    const { token, organizationId } = await signedIn(true);
    let reply;
    if (kind === 'venue') {
      reply = await http(`${stack.apiUrl}/api/organizations/${organizationId}/venues`, { method: 'POST', token, body });
    } else {
      const venue = await http(`${stack.apiUrl}/api/organizations/${organizationId}/venues`, { method: 'POST', token, body: { name: 'V', city: 'C', layout } });
      reply = await http(`${stack.apiUrl}/api/organizations/${organizationId}/events`, { method: 'POST', token, body: eventBody(venue.body!.id, body) });
    }
    expect(reply.status).toBe(400);
    expect(reply.body!.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: field })]));
  });
});
