// Who may run an event's waiting room: the organizers (members) of the organization that owns it,
// and platform admins (users whose role in MySQL is `admin`, the ops stand-in for any organizer).
// Looked up in MySQL and cached briefly per process, since the admission role asks on every
// organizer call; a revoked membership or a demoted admin is honoured within `ttlMs`.
import type { PrismaClient } from '../lib/mysql.js';

interface Cached<T> {
  value: T;
  expiresAtMs: number;
}

export class EventOrganizers {
  private readonly organizationOfEvent = new Map<string, Cached<string | null>>();
  private readonly memberships = new Map<string, Cached<boolean>>();
  private readonly admins = new Map<string, Cached<boolean>>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly ttlMs = 30_000,
    private readonly clock: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  /**
   * A member of the owning organization, or an admin. Admins may also manage an event the catalog
   * does not know: ops configure rooms directly (load tests, recovery), and nobody else can.
   */
  async mayManage(userId: string, eventId: string): Promise<boolean> {
    return (await this.isOrganizerOf(userId, eventId)) || (await this.isAdmin(userId));
  }

  async isOrganizerOf(userId: string, eventId: string): Promise<boolean> {
    const organizationId = await this.cached(this.organizationOfEvent, eventId, async () => {
      const event = await this.prisma.event.findUnique({ where: { id: eventId }, select: { organizationId: true } });
      return event?.organizationId ?? null;
    });
    if (organizationId === null) return false;
    return this.cached(this.memberships, `${userId}/${organizationId}`, async () => {
      const membership = await this.prisma.membership.findUnique({ where: { userId_organizationId: { userId, organizationId } } });
      return membership !== null;
    });
  }

  /** Read from MySQL, never from the session's `role` claim: that claim outlives a demotion by days. */
  async isAdmin(userId: string): Promise<boolean> {
    return this.cached(this.admins, userId, async () => {
      const user = await this.prisma.user.findUnique({ where: { id: userId }, select: { role: true } });
      return user?.role === 'admin';
    });
  }

  private async cached<T>(cache: Map<string, Cached<T>>, key: string, load: () => Promise<T>): Promise<T> {
    const now = this.clock();
    const hit = cache.get(key);
    if (hit && hit.expiresAtMs > now) return hit.value;
    const value = await load();
    // A crude bound: dropping the whole cache now and then costs a few queries, never correctness.
    if (cache.size >= this.maxEntries) cache.clear();
    cache.set(key, { value, expiresAtMs: now + this.ttlMs });
    return value;
  }
}
