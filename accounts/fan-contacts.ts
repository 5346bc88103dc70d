// Where a fan can be reached. Fan ids say who booked: `u:<userId>` for a signed-in user (the
// waiting room writes it from the session), `v:<visitorId>` for an anonymous visitor, who left no
// address. Only users have an e-mail address, in MySQL `users`.
import type { PrismaClient } from '../lib/mysql.js';

export const USER_FAN_PREFIX = 'u:';

export type FanContact =
  | { kind: 'user'; userId: string; email: string; displayName: string | null }
  /** A `u:` id whose user no longer exists (deleted account). */
  | { kind: 'unknown-user'; userId: string }
  /** A visitor, or any other fan id: no address to write to. */
  | { kind: 'no-address' };

/** The user id inside a `u:` fan id; undefined for visitors and anything else. */
export function userIdOfFan(fanId: string): string | undefined {
  if (!fanId.startsWith(USER_FAN_PREFIX)) return undefined;
  const userId = fanId.slice(USER_FAN_PREFIX.length);
  return userId.length > 0 ? userId : undefined;
}

export async function fanContact(prisma: PrismaClient, fanId: string): Promise<FanContact> {
  const userId = userIdOfFan(fanId);
  if (userId === undefined) return { kind: 'no-address' };
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { email: true, displayName: true } });
  return user ? { kind: 'user', userId, email: user.email, displayName: user.displayName } : { kind: 'unknown-user', userId };
}
