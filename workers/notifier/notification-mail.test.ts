import { classifySendError, notificationMessageId } from './mail-sender.js';
import { renderMail, seatLabel } from './notification-mail.js';
import { parseNotificationMessage } from './notification-messages.js';

const confirmed = {
  id: 'h_abc123def456:confirmed',
  type: 'booking.confirmed',
  version: 1,
  time: '2026-12-03T12:00:00.000Z',
  eventId: 'event-1',
  data: { holdId: 'h_abc123def456', fanId: 'u:user-1', seatKeys: ['SEAT#A#3#12', 'SEAT#A#3#13'], amountCents: 9000 },
};

describe('notification messages', () => {
  it('reads booking.confirmed and hold.expired, and names what is wrong with anything else', () => {
    expect(parseNotificationMessage(JSON.stringify(confirmed))).toMatchObject({ ok: true, message: { type: 'booking.confirmed' } });
    const expired = { ...confirmed, id: 'h_abc123def456:expired', type: 'hold.expired', data: { holdId: 'h_abc123def456', seatKeys: [] } };
    expect(parseNotificationMessage(JSON.stringify(expired))).toMatchObject({ ok: true, message: { type: 'hold.expired' } });
    expect(parseNotificationMessage('{not json')).toEqual({ ok: false, detail: 'not JSON' });
    expect(parseNotificationMessage(JSON.stringify({ ...confirmed, data: { ...confirmed.data, seatKeys: ['A-3-12'] } }))).toMatchObject({ ok: false, detail: expect.stringContaining('data.seatKeys.0') });
  });
});

describe('notification mail', () => {
  it('says the event, every seat and the amount in the text and the HTML, and escapes what it puts in HTML', () => {
    const parsed = parseNotificationMessage(JSON.stringify(confirmed));
    if (!parsed.ok) throw new Error(parsed.detail);
    const mail = renderMail({
      message: parsed.message,
      displayName: 'Ana <b>',
      event: { name: 'Rock & Roll Night', venueName: 'Hall', startsAt: new Date('2027-01-10T20:00:00Z'), currency: 'EUR' },
      eventUrl: 'http://127.0.0.1:3000/events/event-1',
    });
    expect(mail.subject).toBe('Your booking for Rock & Roll Night is confirmed');
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('Section A, row 3, seat 12');
      expect(part).toContain('Section A, row 3, seat 13');
      expect(part).toContain('€90.00');
      expect(part).toContain('h_abc123def456');
    }
    expect(mail.text).toContain('Hello Ana <b>,');
    expect(mail.html).toContain('Hello Ana &lt;b&gt;,');
    expect(mail.html).toContain('Rock &amp; Roll Night');
    expect(mail.html).not.toContain('<b>');
  });

  it('labels seats as people say them', () => {
    expect(seatLabel('SEAT#Balcony#B#7')).toBe('Section Balcony, row B, seat 7');
  });
});

describe('SMTP failures', () => {
  it('tells a refusal for good (5xx) from a temporary one (4xx) from a server that is not there', () => {
    expect(classifySendError(Object.assign(new Error('550 no such user'), { code: 'EENVELOPE', responseCode: 550 })).kind).toBe('rejected');
    expect(classifySendError(Object.assign(new Error('451 try later'), { code: 'EENVELOPE', responseCode: 451 })).kind).toBe('transient');
    expect(classifySendError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' })).kind).toBe('unreachable');
    expect(classifySendError(Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' })).kind).toBe('unreachable');
    expect(classifySendError(Object.assign(new Error('odd reply'), { code: 'EPROTOCOL' })).kind).toBe('transient');
  });

  it('derives one RFC 5322 Message-ID per Kafka message', () => {
    expect(notificationMessageId('h_abc:confirmed')).toBe('<h_abc.confirmed@notifier.corral>');
    expect(notificationMessageId('h_abc:confirmed')).not.toBe(notificationMessageId('h_abc:expired'));
  });
});
