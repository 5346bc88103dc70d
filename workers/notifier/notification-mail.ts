// What the fan reads: one text and one HTML body per notification, built from the Kafka message and
// what MySQL knows (the fan's name, the event's name and venue). Every value that reaches the HTML
// is escaped; the text part says the same, so either alone is the whole message.
import { parseSeatSk } from '../../booking/booking-keys.js';
import type { NotificationMessage } from './notification-messages.js';

export interface EventDetails {
  name: string;
  venueName: string;
  startsAt: Date;
  currency: string;
}

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export interface MailInput {
  message: NotificationMessage;
  displayName: string | null;
  /** Absent for an event the catalog does not know (rooms and seats made without it). */
  event?: EventDetails;
  /** The fan's page of the event. */
  eventUrl: string;
}

/** `SEAT#A#3#12` as a person says it. */
export function seatLabel(seatKey: string): string {
  const seat = parseSeatSk(seatKey);
  return `Section ${seat.section}, row ${seat.row}, seat ${seat.number}`;
}

export function formatAmount(amountCents: number, currency: string | undefined): string {
  if (!currency) return (amountCents / 100).toFixed(2);
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).format(amountCents / 100);
  } catch {
    return `${(amountCents / 100).toFixed(2)} ${currency}`;
  }
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (character) => escapes[character]!);

function whenAndWhere(event: EventDetails | undefined): string | undefined {
  if (!event) return undefined;
  const startsAt = event.startsAt.toISOString().replace('T', ' ').slice(0, 16);
  return `${event.venueName}, ${startsAt} UTC`;
}

export function renderMail(input: MailInput): MailContent {
  const { message, event } = input;
  const eventName = event?.name ?? message.eventId;
  const greeting = input.displayName ? `Hello ${input.displayName},` : 'Hello,';
  const seats = message.data.seatKeys.map(seatLabel);
  const place = whenAndWhere(event);
  const lines: string[] = [greeting, ''];
  let subject: string;
  let lead: string;
  const facts: Array<[string, string]> = [];
  if (message.type === 'booking.confirmed') {
    subject = `Your booking for ${eventName} is confirmed`;
    lead = `Your booking for ${eventName} is confirmed.`;
    facts.push(['Booking', message.data.holdId], ['Paid', formatAmount(message.data.amountCents, event?.currency)]);
  } else {
    subject = `Your hold for ${eventName} expired`;
    lead = `Your hold for ${eventName} expired before checkout, so its seats went back on sale.`;
    facts.push(['Hold', message.data.holdId]);
  }
  if (place) facts.unshift(['When and where', place]);
  lines.push(lead, '');
  for (const [label, value] of facts) lines.push(`${label}: ${value}`);
  if (seats.length > 0) lines.push('', 'Seats:', ...seats.map((seat) => `  - ${seat}`));
  lines.push('', `Event page: ${input.eventUrl}`, '', 'Corral');

  const html = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family: system-ui, sans-serif; line-height: 1.5">',
    `<p>${escapeHtml(greeting)}</p>`,
    `<p>${escapeHtml(lead)}</p>`,
    '<table>',
    ...facts.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`),
    '</table>',
    ...(seats.length > 0 ? ['<p>Seats:</p>', '<ul>', ...seats.map((seat) => `<li>${escapeHtml(seat)}</li>`), '</ul>'] : []),
    `<p><a href="${escapeHtml(input.eventUrl)}">Event page</a></p>`,
    '<p>Corral</p>',
    '</body></html>',
  ].join('\n');
  return { subject, text: lines.join('\n'), html };
}
