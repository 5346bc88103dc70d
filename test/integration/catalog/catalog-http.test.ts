import { randomUUID } from 'node:crypto';
import { gridLayout } from '../../../catalog/venue-layout.js';
import { readEventSeats } from '../../../booking/seat-availability.js';
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

    expect(await http(`${stack.apiUrl}/api/events/${eventId}`)).toMatchObject({ status: 200, body: { name: 'Renamed Orchestra', status: 'published', venue: { seatCount: 60 } } });
    expect((await http(`${stack.apiUrl}/api/events/${eventId}`, { method: 'DELETE', token })).status).toBe(409);
  });

  it('lets an organizer edit a published event\'s name, description, category and start, announcing each edit as event.updated', async () => {
    const { token, organizationId } = await signedIn(true);
    const venueId = (await http(`${stack.apiUrl}/api/organizations/${organizationId}/venues`, { method: 'POST', token, body: { name: 'Coliseu', city: 'Lisbon', layout } })).body!.id as string;
    const eventId = (await http(`${stack.apiUrl}/api/organizations/${organizationId}/events`, { method: 'POST', token, body: eventBody(venueId) })).body!.id as string;
    expect((await http(`${stack.apiUrl}/api/events/${eventId}/publish`, { method: 'POST', token })).status).toBe(200);

    const edited = await http(`${stack.apiUrl}/api/events/${eventId}`, { method: 'PATCH', token, body: { name: 'Late Orchestra', description: 'Now with a choir', category: 'classical', startsAt: '2031-03-02T20:00:00Z' } });
    expect(edited).toMatchObject({ status: 200, body: { name: 'Late Orchestra', category: 'classical', status: 'published', startsAt: '2031-03-02T20:00:00.000Z' } });
    expect(await http(`${stack.apiUrl}/api/events/${eventId}`)).toMatchObject({ status: 200, body: { name: 'Late Orchestra', description: 'Now with a choir' } });
    const outbox = await stack.prisma.outboxMessage.findMany({ where: { messageKey: eventId }, orderBy: { createdAt: 'asc' } });
    expect(outbox.map((message) => message.topic)).toEqual(['event.published', 'event.updated']);
    expect(outbox[1]!.payload).toMatchObject({ type: 'event.updated', version: 1, eventId, data: { name: 'Late Orchestra', category: 'classical', startsAt: '2031-03-02T20:00:00.000Z', venueName: 'Coliseu', seatCount: 60, status: 'published' } });
  });

  it('answers 409 naming the fields when a published event\'s venue, sale time or price tiers would change, and 400 for a start before the sale', async () => {
    const { token, organizationId } = await signedIn(true);
    const venueId = (await http(`${stack.apiUrl}/api/organizations/${organizationId}/venues`, { method: 'POST', token, body: { name: 'Hall', city: 'Porto', layout } })).body!.id as string;
    const otherVenueId = (await http(`${stack.apiUrl}/api/organizations/${organizationId}/venues`, { method: 'POST', token, body: { name: 'Annex', city: 'Porto', layout } })).body!.id as string;
    const body = eventBody(venueId);
    const eventId = (await http(`${stack.apiUrl}/api/organizations/${organizationId}/events`, { method: 'POST', token, body })).body!.id as string;
    expect((await http(`${stack.apiUrl}/api/events/${eventId}/publish`, { method: 'POST', token })).status).toBe(200);
    const patch = (patchBody: unknown) => http(`${stack.apiUrl}/api/events/${eventId}`, { method: 'PATCH', token, body: patchBody });

    const moved = await patch({ name: 'Moved', venueId: otherVenueId, saleOpensAt: '2031-01-15T10:00:00Z' });
    expect(moved).toMatchObject({ status: 409, body: { type: 'https://corral.dev/problems/provisioned-field', fields: ['venueId', 'saleOpensAt'] } });
    expect(moved.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const repriced = await patch({ priceTiers: body.priceTiers.map((tier) => ({ ...tier, priceCents: tier.priceCents + 100 })) });
    expect(repriced).toMatchObject({ status: 409, body: { fields: ['priceTiers'] } });
    expect(await patch({ startsAt: '2031-01-31T20:00:00Z' })).toMatchObject({ status: 400, body: { issues: [expect.objectContaining({ path: 'startsAt' })] } });
    expect(await patch({ startsAt: '2020-01-01T20:00:00Z' })).toMatchObject({ status: 400, body: { issues: [expect.objectContaining({ path: 'startsAt' })] } });
    expect(await patch({ startsAt: 'tomorrow evening' })).toMatchObject({ status: 400, body: { issues: [expect.objectContaining({ path: 'startsAt' })] } });

    // None of it changed the event or announced anything.
    expect(await stack.prisma.event.findUniqueOrThrow({ where: { id: eventId } })).toMatchObject({ name: body.name, venueId, saleOpensAt: new Date(body.saleOpensAt) });
    expect(await stack.prisma.outboxMessage.count({ where: { messageKey: eventId, topic: 'event.updated' } })).toBe(0);
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

    // The waiting room's organizer endpoints: the owner's session, an admin's; not the other org.
    const stats = `${stack.admissionUrl}/api/organizer/events/${eventId}/stats`;
    expect(await http(stats, { token: owner.token })).toMatchObject({ status: 200, body: { eventId, state: 'prequeue' } });
    expect((await http(stats, { token: stack.adminToken })).status).toBe(200);
    expect(await http(stats, { token: other.token })).toMatchObject({ status: 403 });
    expect((await http(`${stack.admissionUrl}/api/organizer/events/${eventId}/rate`, { method: 'POST', token: other.token, body: { admissionRatePerMinute: 5 } })).status).toBe(403);
    expect((await http(`${stack.admissionUrl}/api/organizer/events/${eventId}/rate`, { method: 'POST', token: owner.token, body: { admissionRatePerMinute: 5 } })).status).toBe(200);
    expect((await http(stats)).status).toBe(401);
  });

  it('keeps each organization to its own events: no publishing or editing the other one\'s, no events on its venues', async () => {
    const owner = await signedIn(true);
    const rival = await signedIn(true);
    const ownerVenue = await http(`${stack.apiUrl}/api/organizations/${owner.organizationId}/venues`, { method: 'POST', token: owner.token, body: { name: 'Hall', city: 'Porto', layout } });
    const rivalVenue = await http(`${stack.apiUrl}/api/organizations/${rival.organizationId}/venues`, { method: 'POST', token: rival.token, body: { name: 'Shed', city: 'Braga', layout } });
    const eventId = (await http(`${stack.apiUrl}/api/organizations/${owner.organizationId}/events`, { method: 'POST', token: owner.token, body: eventBody(ownerVenue.body!.id) })).body!.id as string;

    const patched = await http(`${stack.apiUrl}/api/events/${eventId}`, { method: 'PATCH', token: rival.token, body: { name: 'Hijacked' } });
    expect(patched).toMatchObject({ status: 403, body: { type: 'https://corral.dev/problems/forbidden' } });
    expect(patched.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await http(`${stack.apiUrl}/api/events/${eventId}/publish`, { method: 'POST', token: rival.token })).status).toBe(403);
    expect((await http(`${stack.apiUrl}/api/organizations/${owner.organizationId}/events`, { method: 'POST', token: rival.token, body: eventBody(rivalVenue.body!.id) })).status).toBe(403);
    expect((await http(`${stack.apiUrl}/api/organizations/${owner.organizationId}/events`, { method: 'GET', token: rival.token })).status).toBe(403);
    // A member of one organization cannot put an event on another's venue, nor move one there.
    expect((await http(`${stack.apiUrl}/api/organizations/${rival.organizationId}/events`, { method: 'POST', token: rival.token, body: eventBody(ownerVenue.body!.id) })).status).toBe(404);
    expect((await http(`${stack.apiUrl}/api/events/${eventId}`, { method: 'PATCH', token: owner.token, body: { venueId: rivalVenue.body!.id } })).status).toBe(404);

    // Nothing the rival tried changed the event or its status.
    const stored = await stack.prisma.event.findUniqueOrThrow({ where: { id: eventId } });
    expect(stored).toMatchObject({ status: 'draft', venueId: ownerVenue.body!.id });
    expect(stored.name).not.toBe('Hijacked');
    expect(await stack.prisma.outboxMessage.count({ where: { messageKey: eventId } })).toBe(0);
  });

  it('refuses a fan (no organization) any organizer action', async () => {
    const owner = await signedIn(true);
    const fan = await signedIn(false);
    expect((await http(`${stack.apiUrl}/api/sessions/current`, { token: fan.token })).body).toMatchObject({ account: { role: 'fan', memberships: [] } });
    const venuePath = `${stack.apiUrl}/api/organizations/${owner.organizationId}/venues`;
    const refused = await http(venuePath, { method: 'POST', token: fan.token, body: { name: 'Fan Hall', city: 'Porto', layout } });
    expect(refused).toMatchObject({ status: 403, body: { type: 'https://corral.dev/problems/forbidden' } });
    expect(await stack.prisma.venue.count({ where: { organizationId: owner.organizationId } })).toBe(0);

    const venueId = (await http(venuePath, { method: 'POST', token: owner.token, body: { name: 'Hall', city: 'Porto', layout } })).body!.id as string;
    expect((await http(`${stack.apiUrl}/api/organizations/${owner.organizationId}/events`, { method: 'POST', token: fan.token, body: eventBody(venueId) })).status).toBe(403);
    expect((await http(`${venuePath}/${venueId}`, { token: fan.token })).status).toBe(403);
    const eventId = (await http(`${stack.apiUrl}/api/organizations/${owner.organizationId}/events`, { method: 'POST', token: owner.token, body: eventBody(venueId) })).body!.id as string;
    expect((await http(`${stack.apiUrl}/api/events/${eventId}/publish`, { method: 'POST', token: fan.token })).status).toBe(403);
    expect((await http(`${stack.apiUrl}/api/events/${eventId}`, { method: 'PATCH', token: fan.token, body: { name: 'Mine now' } })).status).toBe(403);
  });

  it('refuses a signed-out session on organizer routes, by header and by cookie', async () => {
    const email = `org-${randomUUID()}@example.test`;
    await http(`${stack.apiUrl}/api/accounts`, { method: 'POST', body: { email, password: 'a long enough secret' } });
    const signIn = await http(`${stack.apiUrl}/api/sessions`, { method: 'POST', body: { email, password: 'a long enough secret' } });
    const token = signIn.body!.token as string;
    const cookie = signIn.headers.getSetCookie().find((header) => header.startsWith('corral_session='))!.split(';')[0]!;
    const organizationId = (await http(`${stack.apiUrl}/api/organizations`, { method: 'POST', token, body: { name: 'Short-lived' } })).body!.id as string;
    expect((await http(`${stack.apiUrl}/api/organizations/${organizationId}/venues`, { token })).status).toBe(200);

    expect((await http(`${stack.apiUrl}/api/sessions`, { method: 'DELETE', token })).status).toBe(204);
    for (const credentials of [{ token }, { cookie }]) {
      const venue = await http(`${stack.apiUrl}/api/organizations/${organizationId}/venues`, { method: 'POST', ...credentials, body: { name: 'Late', city: 'Porto', layout } });
      expect(venue).toMatchObject({ status: 401, body: { detail: expect.stringMatching(/signed out/) } });
      expect((await http(`${stack.apiUrl}/api/organizations`, { method: 'POST', ...credentials, body: { name: 'Another' } })).status).toBe(401);
    }
    expect(await stack.prisma.venue.count({ where: { organizationId } })).toBe(0);
    // The public catalog still answers a request that carries the stale cookie.
    expect((await http(`${stack.apiUrl}/api/events`, { cookie })).status).toBe(200);
  });

  it.each([
    ['a layout with a duplicate seat', 'venue', { name: 'V', city: 'C', layout: { sections: [{ section: 'A', rows: [{ row: '1', seats: [{ number: 1, tier: 't' }, { number: 1, tier: 't' }] }] }] } }, 'layout.sections.0.rows.0.seats.1.number'],
    ['a malformed date', 'event', { startsAt: '1 March 2031' }, 'startsAt'],
    ['a sale opening after the start', 'event', { saleOpensAt: '2031-03-02T00:00:00Z' }, 'saleOpensAt'],
    ['a layout with a duplicate row', 'venue', { name: 'V', city: 'C', layout: { sections: [{ section: 'A', rows: [{ row: '1', seats: [{ number: 1, tier: 't' }] }, { row: '1', seats: [{ number: 2, tier: 't' }] }] }] } }, 'layout.sections.0.rows.1.row'],
    ['a layout with a duplicate section', 'venue', { name: 'V', city: 'C', layout: { sections: [{ section: 'A', rows: [{ row: '1', seats: [{ number: 1, tier: 't' }] }] }, { section: 'A', rows: [{ row: '2', seats: [{ number: 1, tier: 't' }] }] }] } }, 'layout.sections.1.section'],
    ['a date without a time zone', 'event', { saleOpensAt: '2031-02-01T10:00:00' }, 'saleOpensAt'],
    ['a malformed date in an edit', 'patch', { startsAt: 'next tuesday' }, 'startsAt'],
  ])('answers %s with 400 naming the field', async (_label, kind, body, field) => {
    const { token, organizationId } = await signedIn(true);
    let reply;
    if (kind === 'venue') {
      reply = await http(`${stack.apiUrl}/api/organizations/${organizationId}/venues`, { method: 'POST', token, body });
    } else {
      const venue = await http(`${stack.apiUrl}/api/organizations/${organizationId}/venues`, { method: 'POST', token, body: { name: 'V', city: 'C', layout } });
      if (kind === 'event') {
        reply = await http(`${stack.apiUrl}/api/organizations/${organizationId}/events`, { method: 'POST', token, body: eventBody(venue.body!.id, body) });
      } else {
        const eventId = (await http(`${stack.apiUrl}/api/organizations/${organizationId}/events`, { method: 'POST', token, body: eventBody(venue.body!.id) })).body!.id as string;
        reply = await http(`${stack.apiUrl}/api/events/${eventId}`, { method: 'PATCH', token, body });
      }
    }
    expect(reply.status).toBe(400);
    expect(reply.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(reply.body!.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: field })]));
  });
});
