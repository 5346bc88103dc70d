// The per-event waiting room configuration, validated with zod both when an organizer writes it and
// when it is read back from the Redis hash (where every field is a string).
import { z } from 'zod';
import { proofOfWorkBitsSchema } from './proof-of-work.js';

export const roomStates = ['scheduled', 'prequeue', 'open', 'paused', 'closed', 'soldout'] as const;
export const roomStateSchema = z.enum(roomStates);
export type RoomState = z.infer<typeof roomStateSchema>;

const DEFAULT_CLAIM_WINDOW_SECONDS = 300;

const roomConfigFields = {
  state: roomStateSchema,
  // Integers so the ticker's carry arithmetic (rate × elapsed ms, modulo 60 000) stays exact in Lua.
  admissionRatePerMinute: z.number().int().min(0).max(10_000_000),
  maxActiveShoppers: z.number().int().min(1).max(10_000_000),
  passTtlSeconds: z.number().int().min(1).max(24 * 3600),
  opensAt: z.number().int().min(0),
  // How long an admitted fan's unclaimed place still holds capacity before it counts as abandoned.
  claimWindowSeconds: z.number().int().min(1).max(24 * 3600),
  // Leading zero bits a fan's browser must find before joining (proof-of-work.ts); 0 = off.
  proofOfWorkBits: proofOfWorkBitsSchema,
};

export const roomConfigSchema = z.object({
  ...roomConfigFields,
  claimWindowSeconds: roomConfigFields.claimWindowSeconds.default(DEFAULT_CLAIM_WINDOW_SECONDS),
  proofOfWorkBits: roomConfigFields.proofOfWorkBits.default(0),
});
export type RoomConfig = z.infer<typeof roomConfigSchema>;
export type RoomConfigInput = z.input<typeof roomConfigSchema>;

// Built from the fields without defaults: a partial update must never reset an omitted field.
export const roomConfigUpdateSchema = z.object(roomConfigFields).partial();
export type RoomConfigUpdate = z.input<typeof roomConfigUpdateSchema>;

const roomConfigHashSchema = z.object({
  state: roomStateSchema,
  admissionRatePerMinute: z.coerce.number(),
  maxActiveShoppers: z.coerce.number(),
  passTtlSeconds: z.coerce.number(),
  opensAt: z.coerce.number(),
  claimWindowSeconds: z.coerce.number().optional(),
  proofOfWorkBits: z.coerce.number().optional(),
});

/** Parses HGETALL output; null when the event has no waiting room configured. */
export function roomConfigFromHash(hash: Record<string, string>): RoomConfig | null {
  if (hash['state'] === undefined) return null;
  return roomConfigSchema.parse(roomConfigHashSchema.parse(hash));
}

/** Flattens a validated update into HSET field/value pairs. */
export function roomConfigToFields(update: RoomConfigUpdate): string[] {
  const parsed = roomConfigUpdateSchema.parse(update);
  return Object.entries(parsed).flatMap(([field, value]) => (value === undefined ? [] : [field, String(value)]));
}
