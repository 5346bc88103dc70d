// Who may use the admission role's organizer endpoints: a session of an organizer of the event's
// organization, or of an admin (role read from MySQL, cached for 30 s on the stack's hand-moved
// clock). Real MariaDB, Redis and servers; the retired "organizer token" is refused like any stranger.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { grantAdmin, issueAdminSession, revokeAdmin } from '../../../accounts/admin-roles.js';
import { signToken } from '../../../lib/tokens/signed-tokens.js';
import { Catalog } from '../../../catalog/catalog.js';
import { gridLayout } from '../../../catalog/venue-layout.js';
import { uniqueName } from '../platform-env.js';
import { FanClient, startWaitingRoomStack, type WaitingRoomStack } from './http-stack.js';
import { uniqueEventId } from './redis-fixture.js';

const room = { opensAt: 0, admissionRatePerMinute: 0, maxActiveShoppers: 100, passTtlSeconds: 600 };
const CACHE_TTL_MS = 30_000;

describe('organizer endpoints: organizers of the owning organization and admins only (real MySQL and Redis)', () => {
  let stack: WaitingRoomStack;
  let catalog: Catalog;
  const client = new FanClient();
  const userIds: string[] = [];
  const organizationIds: string[] = [];
  const eventIds: string[] = [];

  beforeAll(async () => {
    stack = await startWaitingRoomStack();
    catalog = new Catalog(stack.prisma);
  });
  afterAll(async () => {
    await stack.prisma.event.deleteMany({ where: { id: { in: eventIds } } });
    await stack.prisma.venue.deleteMany({ where: { organizationId: { in: organizationIds } } });
    await stack.prisma.organization.deleteMany({ where: { id: { in: organizationIds } } });
    await stack.prisma.user.deleteMany({ where: { id: { in: userIds } } });
    await stack.close();
  });

  async function user(label: string) {
    const email = `${uniqueName(label)}@corral.test`;
    const created = await stack.prisma.user.create({ data: { email } });
    userIds.push(created.id);
    return created;
  }

  async function sessionOf(account: { id: string; email: string; role: string }): Promise<string> {
    return (await stack.sessions.issue({ id: account.id, email: account.email, role: account.role as 'fan', displayName: null })).token;
  }

  /** A signed-in organizer whose organization owns a draft catalog event. */
  async function organizerWithEvent(label: string) {
    const account = await user(label);
    const organization = await catalog.createOrganization(account.id, `Access ${label}`);
    organizationIds.push(organization.id);
    const venue = await catalog.createVenue(account.id, organization.id, { name: 'Hall', city: 'Porto', layout: gridLayout(['A'], 1, 4, () => 'std') });
    const event = await catalog.createEvent(account.id, organization.id, {
      venueId: venue.id,
      name: `Access ${label}`,
      category: 'concert',
      startsAt: '2031-03-01T20:00:00Z',
      saleOpensAt: '2031-02-01T10:00:00Z',
      priceTiers: [{ code: 'std', name: 'Standard', priceCents: 1_000, currency: 'EUR' }],
    });
    eventIds.push(event.id);
    // Sessions carry the role of sign-in time; creating an organization made this user an organizer.
    return { token: await sessionOf({ ...account, role: 'organizer' }), eventId: event.id };
  }

  const organizerUrl = (eventId: string, action: string) => `${stack.admissionUrl}/api/organizer/events/${eventId}/${action}`;
  const stats = (eventId: string, credentials: { token?: string; headers?: Record<string, string> } = {}) => client.request(organizerUrl(eventId, 'stats'), credentials);
  const putRoom = (eventId: string, token: string) => client.request(organizerUrl(eventId, 'room'), { method: 'PUT', token, body: room });

  it('lets the owning organizer run the room, by Bearer and by the session cookie', async () => {
    const owner = await organizerWithEvent('owner');
    expect(await putRoom(owner.eventId, owner.token)).toMatchObject({ status: 201, body: { eventId: owner.eventId } });
    expect(await stats(owner.eventId, { token: owner.token })).toMatchObject({ status: 200, body: { eventId: owner.eventId, state: 'prequeue' } });
    expect((await stats(owner.eventId, { headers: { cookie: `corral_session=${owner.token}` } })).status).toBe(200);
    expect((await client.request(organizerUrl(owner.eventId, 'open'), { method: 'POST', token: owner.token })).body).toMatchObject({ eventId: owner.eventId, config: { state: 'open' } });
  });

  it('refuses 401 without a session, with a bad one and with a token of the retired corral-organizer audience', async () => {
    const owner = await organizerWithEvent('anonymous');
    await putRoom(owner.eventId, owner.token);
    const anonymous = await stats(owner.eventId);
    expect(anonymous).toMatchObject({ status: 401, body: { type: 'https://corral.dev/problems/unauthorized' } });
    expect(anonymous.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await stats(owner.eventId, { token: 'not-a-jwt' })).toMatchObject({ status: 401, body: { type: 'https://corral.dev/problems/invalid-session' } });
    expect((await stats(owner.eventId, { headers: { cookie: 'corral_session=not-a-jwt' } })).status).toBe(401);
    // What scripts/organizer-token.ts used to print: same keys, same issuer, the old audience.
    const legacy = await signToken(stack.keys, { audience: 'corral-organizer', subject: 'org-test', claims: { role: 'organizer' }, ttlSeconds: 12 * 3600, nowMs: stack.clock.now() });
    expect(await stats(owner.eventId, { token: legacy })).toMatchObject({ status: 401, body: { detail: 'token refused: claim aud is invalid' } });
    expect((await client.request(organizerUrl(owner.eventId, 'close'), { method: 'POST', token: legacy })).status).toBe(401);
    expect((await stats(owner.eventId, { token: owner.token })).body).toMatchObject({ state: 'prequeue' });
  });

  it('refuses 403 a signed-in fan and an organizer of another organization, and changes nothing', async () => {
    const owner = await organizerWithEvent('target');
    const rival = await organizerWithEvent('rival');
    const fan = await user('fan');
    const fanToken = await sessionOf(fan);
    await putRoom(owner.eventId, owner.token);

    for (const token of [fanToken, rival.token]) {
      const refused = await stats(owner.eventId, { token });
      expect(refused).toMatchObject({ status: 403, body: { type: 'https://corral.dev/problems/forbidden' } });
      expect((await client.request(organizerUrl(owner.eventId, 'rate'), { method: 'POST', token, body: { admissionRatePerMinute: 500 } })).status).toBe(403);
      expect((await client.request(organizerUrl(owner.eventId, 'close'), { method: 'POST', token })).status).toBe(403);
    }
    // Events unknown to the catalog are for admins only.
    expect((await putRoom(uniqueEventId('stranger'), fanToken)).status).toBe(403);
    expect((await putRoom(uniqueEventId('stranger'), rival.token)).status).toBe(403);
    expect(await stack.store.readConfig(owner.eventId)).toMatchObject({ state: 'prequeue', admissionRatePerMinute: 0 });
  });

  it('lets an admin run any room, a catalog event or one configured directly', async () => {
    const owner = await organizerWithEvent('admin-target');
    await putRoom(owner.eventId, owner.token);
    expect(await stats(owner.eventId, { token: stack.adminToken })).toMatchObject({ status: 200, body: { eventId: owner.eventId } });
    expect((await client.request(organizerUrl(owner.eventId, 'rate'), { method: 'POST', token: stack.adminToken, body: { admissionRatePerMinute: 120 } })).status).toBe(200);

    const direct = uniqueEventId('direct');
    expect((await putRoom(direct, stack.adminToken)).status).toBe(201);
    expect((await stats(direct, { headers: { cookie: `corral_session=${stack.adminToken}` } })).status).toBe(200);
  });

  it('takes an admin demoted with revoke-admin out within the cache TTL, though the session still says admin', async () => {
    const ops = await user('ops');
    expect(await grantAdmin(stack.prisma, ops.email)).toEqual({ email: ops.email, previousRole: 'fan', role: 'admin' });
    const { token } = await issueAdminSession(stack.prisma, stack.sessions, ops.email);
    const eventId = uniqueEventId('demoted');
    expect((await putRoom(eventId, token)).status).toBe(201);

    expect(await revokeAdmin(stack.prisma, ops.email)).toEqual({ email: ops.email, previousRole: 'admin', role: 'fan' });
    // Cached: the revocation is honoured after at most the TTL, not on the next call.
    expect((await stats(eventId, { token })).status).toBe(200);
    stack.clock.advance(CACHE_TTL_MS + 1);
    expect((await stack.sessions.verify(token)).role).toBe('admin');
    expect(await stats(eventId, { token })).toMatchObject({ status: 403, body: { type: 'https://corral.dev/problems/forbidden' } });
    expect((await client.request(organizerUrl(eventId, 'close'), { method: 'POST', token })).status).toBe(403);
    expect(await stack.store.readConfig(eventId)).toMatchObject({ state: 'prequeue' });
  });
});
