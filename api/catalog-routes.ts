// Catalog over HTTP. Organizers (members of the owning organization, checked on every call) manage
// organizations, venues and events and publish them; anyone may list and read published events.
// Ids that are not UUIDs are answered like ids that do not exist (404).
import type { Express, Request } from 'express';
import { z } from 'zod';
import { readSession, requireSession, type SessionTokens } from '../accounts/sessions.js';
import type { Catalog, PublishHooks } from '../catalog/catalog.js';
import type { CatalogReads } from '../catalog/catalog-reads.js';
import { NotFoundError } from '../lib/errors.js';
import { parseInput } from '../lib/validation.js';

export interface CatalogRouteDeps {
  catalog: Catalog;
  reads: CatalogReads;
  sessions: SessionTokens;
  hooks: PublishHooks;
}

const organizationBodySchema = z.object({ name: z.string() }).strict();

function idParam(req: Request, name: string, what: string): string {
  const parsed = z.uuid().safeParse(req.params[name]);
  if (!parsed.success) throw new NotFoundError(`no such ${what}`);
  return parsed.data;
}

export function mountCatalogRoutes(app: Express, deps: CatalogRouteDeps): void {
  const { catalog, reads } = deps;
  const withSession = readSession(deps.sessions);

  app.get('/api/events', async (req, res) => {
    res.json(await reads.listPublishedEvents(req.query));
  });
  app.get('/api/events/:id', async (req, res) => {
    res.json(await reads.publishedEvent(idParam(req, 'id', 'event')));
  });

  app.post('/api/organizations', ...withSession, async (req, res) => {
    const { userId } = requireSession(res.locals);
    const { name } = parseInput(organizationBodySchema, req.body, 'organization');
    const organization = await catalog.createOrganization(userId, name);
    res.status(201).location(`/api/organizations/${organization.id}`).json(organization);
  });
  app.get('/api/organizations', ...withSession, async (_req, res) => {
    res.json({ organizations: await reads.organizationsOf(requireSession(res.locals).userId) });
  });

  /** The organization in the path, after checking the caller is one of its organizers (403). */
  async function memberOrganization(req: Request, locals: Record<string, unknown>) {
    const { userId } = requireSession(locals);
    const organizationId = idParam(req, 'orgId', 'organization');
    await catalog.requireMember(userId, organizationId);
    return { userId, organizationId };
  }

  app.get('/api/organizations/:orgId/venues', ...withSession, async (req, res) => {
    const { organizationId } = await memberOrganization(req, res.locals);
    res.json({ venues: await reads.venuesOf(organizationId) });
  });
  app.post('/api/organizations/:orgId/venues', ...withSession, async (req, res) => {
    const { userId, organizationId } = await memberOrganization(req, res.locals);
    const venue = await catalog.createVenue(userId, organizationId, req.body);
    res.status(201).location(`/api/organizations/${organizationId}/venues/${venue.id}`).json(venue);
  });
  app.get('/api/organizations/:orgId/venues/:venueId', ...withSession, async (req, res) => {
    const { organizationId } = await memberOrganization(req, res.locals);
    res.json(await reads.venue(organizationId, idParam(req, 'venueId', 'venue')));
  });

  app.get('/api/organizations/:orgId/events', ...withSession, async (req, res) => {
    const { organizationId } = await memberOrganization(req, res.locals);
    res.json({ events: await reads.eventsOf(organizationId) });
  });
  app.post('/api/organizations/:orgId/events', ...withSession, async (req, res) => {
    const { userId, organizationId } = await memberOrganization(req, res.locals);
    const event = await catalog.createEvent(userId, organizationId, req.body);
    res.status(201).location(`/api/events/${event.id}`).json(event);
  });

  app.patch('/api/events/:id', ...withSession, async (req, res) => {
    const { userId } = requireSession(res.locals);
    res.json(await catalog.updateEvent(userId, idParam(req, 'id', 'event'), req.body));
  });
  app.delete('/api/events/:id', ...withSession, async (req, res) => {
    const { userId } = requireSession(res.locals);
    await catalog.deleteEvent(userId, idParam(req, 'id', 'event'));
    res.status(204).end();
  });
  app.post('/api/events/:id/publish', ...withSession, async (req, res) => {
    const { userId } = requireSession(res.locals);
    res.json(await catalog.publishEvent(userId, idParam(req, 'id', 'event'), deps.hooks));
  });
}
