import { gridLayout, seatCount, tierCodes, venueLayoutSchema } from './venue-layout.js';

describe('venue layouts', () => {
  it('accepts a grid and counts its seats and tiers', () => {
    const layout = gridLayout(['A', 'B'], 10, 20, (section) => (section === 'A' ? 'front' : 'back'));
    expect(venueLayoutSchema.parse(layout)).toEqual(layout);
    expect(seatCount(layout)).toBe(400);
    expect(tierCodes(layout)).toEqual(new Set(['front', 'back']));
  });

  it('refuses a duplicate seat in a row, naming it', () => {
    const layout = { sections: [{ section: 'A', rows: [{ row: '1', seats: [{ number: 1, tier: 't' }, { number: 1, tier: 't' }] }] }] };
    const parsed = venueLayoutSchema.safeParse(layout);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual([expect.objectContaining({ message: 'duplicate seat A/1/1', path: ['sections', 0, 'rows', 0, 'seats', 1, 'number'] })]);
  });

  it('refuses duplicate sections and rows', () => {
    const row = { row: '1', seats: [{ number: 1, tier: 't' }] };
    expect(venueLayoutSchema.safeParse({ sections: [{ section: 'A', rows: [row] }, { section: 'A', rows: [row] }] }).error?.issues[0]?.message).toBe('duplicate section A');
    expect(venueLayoutSchema.safeParse({ sections: [{ section: 'A', rows: [row, row] }] }).error?.issues[0]?.message).toBe('duplicate row A/1');
  });

  it('refuses names that would break a DynamoDB sort key', () => {
    const parsed = venueLayoutSchema.safeParse({ sections: [{ section: 'A#1', rows: [{ row: '1', seats: [{ number: 1, tier: 't' }] }] }] });
    expect(parsed.success).toBe(false);
  });
});
