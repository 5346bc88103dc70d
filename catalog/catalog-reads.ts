// Reads of the catalog: the public list and page of published events, and an organization's own
// organizations, venues and events (drafts included) for its members. Drafts are never public:
// a draft asked for by id is answered 404, exactly like an id that does not exist. Ended events
// leave the list but keep their page (fans with tickets still open it).
import { z } from 'zod';
import { NotFoundError } from '../lib/errors.js';
import type { PrismaClient } from '../lib/mysql.js';
import { parseInput } from '../lib/validation.js';
import { LISTED_STATUSES, PUBLIC_STATUSES } from './event-statuses.js';

export const eventListQuerySchema = z
  .object({
    city: z.string().trim().min(1).max(120).optional(),
    category: z.string().trim().min(1).max(60).optional(),
    page: z.coerce.number().int().min(1).max(1_000).default(1),
    size: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

const publicEventSelect = {
  id: true,
  organizationId: true,
  name: true,
  description: true,
  category: true,
  city: true,
  startsAt: true,
  saleOpensAt: true,
  status: true,
  venue: { select: { id: true, name: true, city: true, seatCount: true } },
  priceTiers: { select: { code: true, name: true, priceCents: true, currency: true }, orderBy: { priceCents: 'asc' } },
} as const;

export class CatalogReads {
  constructor(private readonly prisma: PrismaClient) {}

  /** Published, on-sale and sold-out events, soonest first. */
  async listPublishedEvents(rawQuery: unknown) {
    const query = parseInput(eventListQuerySchema, rawQuery, 'event list query');
    const where = {
      status: { in: [...LISTED_STATUSES] },
      ...(query.city ? { city: query.city } : {}),
      ...(query.category ? { category: query.category } : {}),
    };
    const [total, events] = await Promise.all([
      this.prisma.event.count({ where }),
      this.prisma.event.findMany({ where, select: publicEventSelect, orderBy: [{ startsAt: 'asc' }, { id: 'asc' }], skip: (query.page - 1) * query.size, take: query.size }),
    ]);
    return { total, page: query.page, size: query.size, events };
  }

  /** Any event past draft, ended ones included; `status` says which. */
  async publishedEvent(eventId: string) {
    const event = await this.prisma.event.findFirst({ where: { id: eventId, status: { in: [...PUBLIC_STATUSES] } }, select: publicEventSelect });
    if (!event) throw new NotFoundError('no such event');
    return event;
  }

  organizationsOf(userId: string) {
    return this.prisma.organization.findMany({
      where: { memberships: { some: { userId } } },
      select: { id: true, name: true, createdAt: true },
      orderBy: { createdAt: 'asc' },
    });
  }

  venuesOf(organizationId: string) {
    return this.prisma.venue.findMany({ where: { organizationId }, select: { id: true, name: true, city: true, seatCount: true }, orderBy: { createdAt: 'asc' } });
  }

  async venue(organizationId: string, venueId: string) {
    const venue = await this.prisma.venue.findFirst({ where: { id: venueId, organizationId }, select: { id: true, name: true, city: true, seatCount: true, layout: true } });
    if (!venue) throw new NotFoundError('no such venue in this organization');
    return venue;
  }

  eventsOf(organizationId: string) {
    return this.prisma.event.findMany({ where: { organizationId }, select: publicEventSelect, orderBy: [{ startsAt: 'asc' }, { id: 'asc' }] });
  }

  /** The owning organization of an event, or null: what organizer checks elsewhere look up. */
  async organizationOfEvent(eventId: string): Promise<string | null> {
    const event = await this.prisma.event.findUnique({ where: { id: eventId }, select: { organizationId: true } });
    return event?.organizationId ?? null;
  }
}
