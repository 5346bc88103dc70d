// The ids every domain and token shares: an event id is safe inside a Redis hash tag and a DynamoDB
// key; a fan id is the visitor or account id a queue number, pass and hold are issued to.
import { z } from 'zod';

// Braces would break the hash tag; a bounded charset keeps keys readable in redis-cli.
export const eventIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'event id: 1-128 of [A-Za-z0-9_.:-]');
export const fanIdSchema = z.string().min(1).max(256);
