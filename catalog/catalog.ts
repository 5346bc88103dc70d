// Organizations, venues and events in MySQL. Only members of the owning organization may change
// them. Publishing provisions the event's seats and waiting room first (both idempotent, so a
// failed publish can simply be retried), then flips the status and writes `event.published` to the
// outbox in one MySQL transaction, so the change and its announcement commit together. After that,
// edits may only touch what seats and the room were not provisioned from, each with `event.updated`.
import { z } from 'zod';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../lib/errors.js';
import type { PrismaClient } from '../lib/mysql.js';
import { parseInput } from '../lib/validation.js';
import { writeEventMessage } from './event-messages.js';
import { LISTED_STATUSES, type EventStatus } from './event-statuses.js';
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

const eventFieldsSchema = z.object({
  venueId: z.uuid(),
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(10_000).default(''),
  category: z.string().trim().min(1).max(60),
  startsAt: isoDate,
  saleOpensAt: isoDate,
  priceTiers: z.array(priceTierSchema).min(1).max(50),
});

export const eventInputSchema = eventFieldsSchema.refine((event) => event.saleOpensAt < event.startsAt, { path: ['saleOpensAt'], message: 'must be before startsAt' });
export type EventInput = z.infer<typeof eventInputSchema>;

// Which fields an edit may name; the merged result is validated by eventInputSchema.
const eventPatchSchema = z
  .object({ venueId: z.unknown(), name: z.unknown(), description: z.unknown(), category: z.unknown(), startsAt: z.unknown(), saleOpensAt: z.unknown(), priceTiers: z.unknown() })
  .partial()
  .strict();

/** Fields seats and the waiting room were provisioned from: fixed once an event is published. */
export const PROVISIONED_FIELDS = ['venueId', 'saleOpensAt', 'priceTiers'] as const;

const eventSummary = { id: true, organizationId: true, venueId: true, name: true, status: true, category: true, city: true, startsAt: true, saleOpensAt: true } as const;

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

  /**
   * A draft may change anything. A published, on-sale or sold-out event may change its name,
   * description, category and start (still after the sale opens, and in the future); changing what
   * its seats and room were provisioned from is a 409 naming those fields. Ended events are read-only.
   */
  async updateEvent(userId: string, eventId: string, patch: unknown) {
    const existing = await this.eventOf(userId, eventId);
    if (existing.status === 'ended') throw new ConflictError('the event has ended; it can no longer be changed', 'event-ended');
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
    if (existing.status !== 'draft') {
      // Malformed values are a 400 first; then whatever would actually change is refused.
      const requested = parseInput(eventFieldsSchema, merged, 'event');
      const locked = changedProvisionedFields(existing, requested);
      if (locked.length > 0) {
        throw new AppError(409, 'provisioned-field', `${locked.join(', ')} cannot change after publishing: the event's seats and waiting room were provisioned from them`, { fields: locked });
      }
      this.checkPublishedStart(requested.startsAt, existing.saleOpensAt);
    }
    const { event, venue } = await this.checkedEvent(existing.organizationId, merged);
    if (existing.status !== 'draft') return this.updatePublished(eventId, event);
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

  private checkPublishedStart(startsAt: Date, saleOpensAt: Date): void {
    const issue = (message: string) => new ValidationError('invalid event: startsAt', [{ path: 'startsAt', message }]);
    if (startsAt <= saleOpensAt) throw issue(`must be after the sale opens (${saleOpensAt.toISOString()}), which cannot move once published`);
    if (startsAt <= this.clock()) throw issue('must be in the future');
  }

  /** The edit and its `event.updated` in one transaction; the status condition keeps ended events read-only. */
  private updatePublished(eventId: string, event: EventInput) {
    return this.prisma.$transaction(async (tx) => {
      const updated = await tx.event.updateMany({
        where: { id: eventId, status: { in: [...LISTED_STATUSES] } },
        data: { name: event.name, description: event.description, category: event.category, startsAt: event.startsAt },
      });
      if (updated.count === 0) throw new ConflictError('the event has ended; it can no longer be changed', 'event-ended');
      await writeEventMessage(tx, 'event.updated', eventId, this.clock);
      return tx.event.findUniqueOrThrow({ where: { id: eventId }, select: eventSummary });
    });
  }

  async deleteEvent(userId: string, eventId: string): Promise<void> {
    await this.draftOf(userId, eventId);
    const deleted = await this.prisma.event.deleteMany({ where: { id: eventId, status: 'draft' } });
    if (deleted.count === 0) throw new ConflictError('event was published meanwhile', 'not-draft');
  }

  private async draftOf(userId: string, eventId: string) {
    const event = await this.eventOf(userId, eventId);
    if (event.status !== 'draft') throw new ConflictError(`only drafts can be deleted; this event is ${event.status}`, 'not-draft');
    return event;
  }

  private async eventOf(userId: string, eventId: string) {
    const event = await this.prisma.event.findUnique({ where: { id: eventId }, include: { priceTiers: true } });
    if (!event) throw new NotFoundError('no such event');
    await this.requireMember(userId, event.organizationId);
    return { ...event, status: event.status as EventStatus };
  }

  /**
   * Runs the publish hooks again for every published or on-sale event that has not started: seats
   * and rooms live in DynamoDB and Redis, which a local restart empties while MySQL keeps the
   * catalog. Both hooks are idempotent, so on a live system this changes nothing. Sold-out events are
   * left alone: a fresh room and all-available seats would put them back on sale.
   */
  /**
   * Puts seats and rooms back for the published events; one that cannot be (its stored venue no
   * longer parses, a hook fails) is reported to `onSkip` and the others still come back: a bad row
   * must not stop a whole start-up.
   */
  async reprovisionPublished(hooks: PublishHooks, limit = 100, onSkip: (eventId: string, error: unknown) => void = () => undefined): Promise<string[]> {
    const events = await this.prisma.event.findMany({
      where: { status: { in: ['published', 'on_sale'] satisfies EventStatus[] }, startsAt: { gt: this.clock() } },
      include: { venue: true, priceTiers: true },
      orderBy: { startsAt: 'asc' },
      take: limit,
    });
    const done: string[] = [];
    for (const event of events) {
      try {
        const published = publishedEventOf(event);
        await hooks.provisionSeats(published);
        await hooks.configureWaitingRoom(published);
        done.push(event.id);
      } catch (error) {
        onSkip(event.id, error);
      }
    }
    return done;
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
      const messageId = await writeEventMessage(tx, 'event.published', eventId, this.clock);
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

type TierFields = Pick<EventInput['priceTiers'][number], 'code' | 'name' | 'priceCents' | 'currency'>;

/** The provisioned fields whose requested value differs from the stored one (restating one is fine). */
function changedProvisionedFields(
  existing: { venueId: string; saleOpensAt: Date; priceTiers: TierFields[] },
  requested: Pick<EventInput, 'venueId' | 'saleOpensAt' | 'priceTiers'>,
): Array<(typeof PROVISIONED_FIELDS)[number]> {
  const tiers = (list: TierFields[]) => JSON.stringify(list.map(({ code, name, priceCents, currency }) => [code, name, priceCents, currency]).sort());
  return PROVISIONED_FIELDS.filter((field) => {
    if (field === 'venueId') return requested.venueId !== existing.venueId;
    if (field === 'saleOpensAt') return requested.saleOpensAt.getTime() !== existing.saleOpensAt.getTime();
    return tiers(requested.priceTiers) !== tiers(existing.priceTiers);
  });
}
