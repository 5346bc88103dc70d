// Organizations, venues and events in MySQL. Only members of the owning organization may change
// them. Publishing provisions the event's seats and waiting room first (both idempotent, so a
// failed publish can simply be retried), then flips the status and writes `event.published` to the
// outbox in one MySQL transaction, so the change and its announcement commit together.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../lib/errors.js';
import type { PrismaClient } from '../lib/mysql.js';
import { parseInput } from '../lib/validation.js';
import { seatCount, tierCodes, venueLayoutSchema, type VenueLayout } from './venue-layout.js';

const isoDate = z.iso.datetime({ offset: true }).transform((value) => new Date(value));

export const venueInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  city: z.string().trim().min(1).max(120),
  layout: venueLayoutSchema,
});

const priceTierSchema = z.object({
  code: z.string().trim().min(1).max(40),
  name: z.string().trim().min(1).max(120),
  priceCents: z.number().int().min(0).max(100_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
});

export const eventInputSchema = z
  .object({
    venueId: z.uuid(),
    name: z.string().trim().min(1).max(200),
    description: z.string().trim().max(10_000).default(''),
    category: z.string().trim().min(1).max(60),
    startsAt: isoDate,
    saleOpensAt: isoDate,
    priceTiers: z.array(priceTierSchema).min(1).max(50),
  })
  .refine((event) => event.saleOpensAt < event.startsAt, { path: ['saleOpensAt'], message: 'must be before startsAt' });
export type EventInput = z.infer<typeof eventInputSchema>;

// Which fields a draft edit may name; the merged result is validated by eventInputSchema.
const eventPatchSchema = z
  .object({ venueId: z.unknown(), name: z.unknown(), description: z.unknown(), category: z.unknown(), startsAt: z.unknown(), saleOpensAt: z.unknown(), priceTiers: z.unknown() })
  .partial()
  .strict();

const eventSummary = { id: true, organizationId: true, venueId: true, name: true, status: true, category: true, city: true, startsAt: true, saleOpensAt: true } as const;

/** The `data` of an `event.published` message (docs/events.md). */
export interface EventPublishedData {
  name: string;
  description: string;
  category: string;
  city: string;
  venueName: string;
  startsAt: string;
  saleOpensAt: string;
  seatCount: number;
  minPriceCents: number;
  maxPriceCents: number;
  currency: string;
}

export interface PublishedEvent {
  id: string;
  organizationId: string;
  name: string;
  category: string;
  city: string;
  startsAt: Date;
  saleOpensAt: Date;
  layout: VenueLayout;
  /** Price of each tier code the layout uses. */
  priceCentsByTier: Record<string, number>;
}

/** What publishing does outside MySQL; both steps must be idempotent. */
export interface PublishHooks {
  provisionSeats(event: PublishedEvent): Promise<void>;
  configureWaitingRoom(event: PublishedEvent): Promise<void>;
}

export class Catalog {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async createOrganization(userId: string, name: string): Promise<{ id: string; name: string }> {
    const organization = await this.prisma.organization.create({
      data: { name: parseInput(z.string().trim().min(1).max(200), name, 'organization name'), memberships: { create: { userId, role: 'organizer' } } },
    });
    await this.prisma.user.updateMany({ where: { id: userId, role: 'fan' }, data: { role: 'organizer' } });
    return { id: organization.id, name: organization.name };
  }

  async requireMember(userId: string, organizationId: string): Promise<void> {
    const membership = await this.prisma.membership.findUnique({ where: { userId_organizationId: { userId, organizationId } } });
    if (!membership) throw new ForbiddenError('only organizers of this organization may do that');
  }

  async createVenue(userId: string, organizationId: string, input: unknown) {
    await this.requireMember(userId, organizationId);
    const venue = parseInput(venueInputSchema, input, 'venue');
    return this.prisma.venue.create({
      data: { organizationId, name: venue.name, city: venue.city, layout: venue.layout, seatCount: seatCount(venue.layout) },
      select: { id: true, name: true, city: true, seatCount: true },
    });
  }

  /** Venue of the organization and priced tiers checked against its layout. */
  private async checkedEvent(organizationId: string, input: unknown) {
    const event = parseInput(eventInputSchema, input, 'event');
    const venue = await this.prisma.venue.findFirst({ where: { id: event.venueId, organizationId } });
    if (!venue) throw new NotFoundError('no such venue in this organization');
    const layoutTiers = tierCodes(venueLayoutSchema.parse(venue.layout));
    const pricedTiers = new Set(event.priceTiers.map((tier) => tier.code));
    const unpriced = [...layoutTiers].filter((code) => !pricedTiers.has(code));
    if (unpriced.length > 0) throw new ValidationError(`the venue layout uses tiers with no price: ${unpriced.join(', ')}`);
    if (pricedTiers.size !== event.priceTiers.length) throw new ValidationError('price tier codes must be unique');
    return { event, venue };
  }

  async createEvent(userId: string, organizationId: string, input: unknown) {
    await this.requireMember(userId, organizationId);
    const { event, venue } = await this.checkedEvent(organizationId, input);
    return this.prisma.event.create({
      data: {
        organizationId,
        venueId: venue.id,
        name: event.name,
        description: event.description,
        category: event.category,
        city: venue.city,
        startsAt: event.startsAt,
        saleOpensAt: event.saleOpensAt,
        priceTiers: { create: event.priceTiers },
      },
      select: eventSummary,
    });
  }

  /** Drafts only: a published event's seats and room are already provisioned from it. */
  async updateEvent(userId: string, eventId: string, patch: unknown) {
    const existing = await this.draftOf(userId, eventId);
    const changes = parseInput(eventPatchSchema, patch, 'event');
    const merged = {
      venueId: existing.venueId,
      name: existing.name,
      description: existing.description,
      category: existing.category,
      startsAt: existing.startsAt.toISOString(),
      saleOpensAt: existing.saleOpensAt.toISOString(),
      priceTiers: existing.priceTiers.map(({ code, name, priceCents, currency }) => ({ code, name, priceCents, currency })),
      ...changes,
    };
    const { event, venue } = await this.checkedEvent(existing.organizationId, merged);
    return this.prisma.$transaction(async (tx) => {
      await tx.priceTier.deleteMany({ where: { eventId } });
      const updated = await tx.event.updateMany({
        where: { id: eventId, status: 'draft' },
        data: { venueId: venue.id, name: event.name, description: event.description, category: event.category, city: venue.city, startsAt: event.startsAt, saleOpensAt: event.saleOpensAt },
      });
      if (updated.count === 0) throw new ConflictError('event was published meanwhile', 'not-draft');
      await tx.priceTier.createMany({ data: event.priceTiers.map((tier) => ({ ...tier, eventId })) });
      return tx.event.findUniqueOrThrow({ where: { id: eventId }, select: eventSummary });
    });
  }

  async deleteEvent(userId: string, eventId: string): Promise<void> {
    await this.draftOf(userId, eventId);
    const deleted = await this.prisma.event.deleteMany({ where: { id: eventId, status: 'draft' } });
    if (deleted.count === 0) throw new ConflictError('event was published meanwhile', 'not-draft');
  }

  private async draftOf(userId: string, eventId: string) {
    const event = await this.prisma.event.findUnique({ where: { id: eventId }, include: { priceTiers: true } });
    if (!event) throw new NotFoundError('no such event');
    await this.requireMember(userId, event.organizationId);
    if (event.status !== 'draft') throw new ConflictError(`only drafts can be changed; this event is ${event.status}`, 'not-draft');
    return event;
  }

  /**
   * Runs the publish hooks again for every published event that has not started: seats and rooms
   * live in DynamoDB and Redis, which a local restart empties while MySQL keeps the catalog. Both
   * hooks are idempotent, so on a live system this changes nothing.
   */
  async reprovisionPublished(hooks: PublishHooks, limit = 100): Promise<string[]> {
    const events = await this.prisma.event.findMany({
      where: { status: 'published', startsAt: { gt: this.clock() } },
      include: { venue: true, priceTiers: true },
      orderBy: { startsAt: 'asc' },
      take: limit,
    });
    for (const event of events) {
      const published = publishedEventOf(event);
      await hooks.provisionSeats(published);
      await hooks.configureWaitingRoom(published);
    }
    return events.map((event) => event.id);
  }

  async publishEvent(userId: string, eventId: string, hooks: PublishHooks) {
    const event = await this.prisma.event.findUnique({ where: { id: eventId }, include: { venue: true, priceTiers: true } });
    if (!event) throw new NotFoundError('no such event');
    await this.requireMember(userId, event.organizationId);
    if (event.status !== 'draft') throw new ConflictError(`event is already ${event.status}`, 'already-published');
    if (event.startsAt <= this.clock()) throw new ConflictError('event has already started', 'event-in-past');
    const published = publishedEventOf(event);
    await hooks.provisionSeats(published);
    await hooks.configureWaitingRoom(published);
    return this.prisma.$transaction(async (tx) => {
      // The status condition makes concurrent publishes of one event write one outbox message.
      const flipped = await tx.event.updateMany({ where: { id: eventId, status: 'draft' }, data: { status: 'published' } });
      if (flipped.count === 0) throw new ConflictError('event was published concurrently', 'already-published');
      const messageId = randomUUID();
      await tx.outboxMessage.create({
        data: {
          id: messageId,
          topic: 'event.published',
          messageKey: eventId,
          payload: {
            id: messageId,
            type: 'event.published',
            version: 1,
            time: this.clock().toISOString(),
            eventId,
            data: {
              name: event.name,
              description: event.description,
              category: event.category,
              city: event.city,
              venueName: event.venue.name,
              startsAt: event.startsAt.toISOString(),
              saleOpensAt: event.saleOpensAt.toISOString(),
              seatCount: event.venue.seatCount,
              minPriceCents: Math.min(...event.priceTiers.map((tier) => tier.priceCents)),
              maxPriceCents: Math.max(...event.priceTiers.map((tier) => tier.priceCents)),
              currency: event.priceTiers[0]?.currency ?? 'EUR',
            } satisfies EventPublishedData,
          },
        },
      });
      return { id: eventId, status: 'published' as const, outboxMessageId: messageId };
    });
  }
}

/** An event row with its venue and price tiers, as the publish queries load it. */
type EventWithVenue = Omit<PublishedEvent, 'layout' | 'priceCentsByTier'> & {
  venue: { layout: unknown };
  priceTiers: Array<{ code: string; priceCents: number }>;
};

function publishedEventOf(event: EventWithVenue): PublishedEvent {
  return {
    id: event.id,
    organizationId: event.organizationId,
    name: event.name,
    category: event.category,
    city: event.city,
    startsAt: event.startsAt,
    saleOpensAt: event.saleOpensAt,
    layout: venueLayoutSchema.parse(event.venue.layout),
    priceCentsByTier: Object.fromEntries(event.priceTiers.map((tier) => [tier.code, tier.priceCents])),
  };
}
