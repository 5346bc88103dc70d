// The statuses a catalog event goes through, and which of them the public sees: the vocabulary
// shared by the lifecycle (event-status.ts), its outbox messages and the search index.
export const EVENT_STATUSES = ['draft', 'published', 'on_sale', 'sold_out', 'ended'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

/** Published and not yet started: listed publicly, provisioned, and editable in part. */
export const LISTED_STATUSES = ['published', 'on_sale', 'sold_out'] as const satisfies readonly EventStatus[];

/** Readable by anyone by id and kept in search (an ended event's page still answers its fans). */
export const PUBLIC_STATUSES = [...LISTED_STATUSES, 'ended'] as const satisfies readonly EventStatus[];
