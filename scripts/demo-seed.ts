// The demo catalog `npm start` and `seed-cli` create: an organizer, an organization, a venue of
// 3,000 seats and one published event. Idempotent: each piece is looked up by its fixed name first,
// so running it on every start changes nothing once the demo exists.
import { Accounts } from '../accounts/accounts.js';
import { Catalog } from '../catalog/catalog.js';
import { platformPublishHooks } from '../api/publish-hooks.js';
import { gridLayout } from '../catalog/venue-layout.js';
import type { Platform } from '../lib/platform.js';

export const DEMO_ORGANIZER = { email: 'demo-organizer@corral.local', password: 'corral-demo-password', displayName: 'Demo Organizer' };
const DEMO_ORGANIZATION = 'Corral Demo Productions';
const DEMO_VENUE = 'Demo Arena';
const DEMO_EVENT = 'Corral Demo Night';
const DAY_MS = 24 * 3600 * 1000;

export interface DemoSeed {
  organizerEmail: string;
  organizerPassword: string;
  organizationId: string;
  venueId: string;
  eventId: string;
  seatCount: number;
}

export async function seedDemo(platform: Platform, clock: () => number = Date.now): Promise<DemoSeed> {
  const prisma = platform.prisma();
  const catalog = new Catalog(prisma);
  const existingUser = await prisma.user.findUnique({ where: { email: DEMO_ORGANIZER.email } });
  const userId = existingUser?.id ?? (await new Accounts(prisma, platform.redis()).signUp(DEMO_ORGANIZER)).id;

  const membership = await prisma.membership.findFirst({ where: { userId, organization: { name: DEMO_ORGANIZATION } } });
  const organizationId = membership?.organizationId ?? (await catalog.createOrganization(userId, DEMO_ORGANIZATION)).id;

  const existingVenue = await prisma.venue.findFirst({ where: { organizationId, name: DEMO_VENUE } });
  const venue =
    existingVenue ??
    (await catalog.createVenue(userId, organizationId, {
      name: DEMO_VENUE,
      city: 'Lisbon',
      // 5 sections × 20 rows × 30 seats; the two central sections are the dearer tier.
      layout: gridLayout(['A', 'B', 'C', 'D', 'E'], 20, 30, (section, row) => (row <= 5 ? 'front' : ['B', 'C', 'D'].includes(section) ? 'middle' : 'side')),
    }));

  const existingEvent = await prisma.event.findFirst({ where: { organizationId, name: DEMO_EVENT } });
  const now = clock();
  const event =
    existingEvent ??
    (await catalog.createEvent(userId, organizationId, {
      venueId: venue.id,
      name: DEMO_EVENT,
      description: 'A demo concert to try the waiting room and checkout: strings, brass and a very fair queue.',
      category: 'concert',
      startsAt: new Date(now + 30 * DAY_MS).toISOString(),
      // The sale opens a couple of minutes after start-up, so the pre-queue can be seen first.
      saleOpensAt: new Date(now + 2 * 60 * 1000).toISOString(),
      priceTiers: [
        { code: 'front', name: 'Front rows', priceCents: 9_500, currency: 'EUR' },
        { code: 'middle', name: 'Middle', priceCents: 6_000, currency: 'EUR' },
        { code: 'side', name: 'Side', priceCents: 3_500, currency: 'EUR' },
      ],
    }));
  if (event.status === 'draft') await catalog.publishEvent(userId, event.id, platformPublishHooks(platform));
  // After a local restart DynamoDB and Redis start empty; put seats and rooms back for every
  // published event (the demo's included).
  await catalog.reprovisionPublished(platformPublishHooks(platform), 100, (eventId, error) =>
    platform.log.warn({ err: error, eventId }, 'could not put back the seats and room of a published event; skipped'));

  return {
    organizerEmail: DEMO_ORGANIZER.email,
    organizerPassword: DEMO_ORGANIZER.password,
    organizationId,
    venueId: venue.id,
    eventId: event.id,
    seatCount: venue.seatCount,
  };
}
