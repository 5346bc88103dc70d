// A venue's seat layout: sections → rows → seats, each seat with a price tier code. It is the
// source from which an event's seats are provisioned, so it is validated strictly: no duplicate
// sections, rows or seats, names safe to use inside DynamoDB sort keys (SEAT#<section>#<row>#<n>).
import { z } from 'zod';

const keySafe = z.string().trim().min(1).max(20).regex(/^[A-Za-z0-9_-]+$/, 'may hold only letters, digits, _ and -');

const rowSchema = z.object({
  row: keySafe,
  seats: z.array(z.object({ number: z.number().int().min(1).max(9_999), tier: keySafe })).min(1).max(500),
});

const sectionSchema = z.object({ section: keySafe, name: z.string().trim().min(1).max(120).optional(), rows: z.array(rowSchema).min(1).max(500) });

export const venueLayoutSchema = z
  .object({ sections: z.array(sectionSchema).min(1).max(200) })
  .superRefine((layout, context) => {
    const sections = new Set<string>();
    layout.sections.forEach((section, sectionIndex) => {
      if (sections.has(section.section)) context.addIssue({ code: 'custom', path: ['sections', sectionIndex, 'section'], message: `duplicate section ${section.section}` });
      sections.add(section.section);
      const rows = new Set<string>();
      section.rows.forEach((row, rowIndex) => {
        if (rows.has(row.row)) context.addIssue({ code: 'custom', path: ['sections', sectionIndex, 'rows', rowIndex, 'row'], message: `duplicate row ${section.section}/${row.row}` });
        rows.add(row.row);
        const seats = new Set<number>();
        row.seats.forEach((seat, seatIndex) => {
          if (seats.has(seat.number)) {
            context.addIssue({ code: 'custom', path: ['sections', sectionIndex, 'rows', rowIndex, 'seats', seatIndex, 'number'], message: `duplicate seat ${section.section}/${row.row}/${seat.number}` });
          }
          seats.add(seat.number);
        });
      });
    });
    const total = layout.sections.reduce((sum, section) => sum + section.rows.reduce((rowsSum, row) => rowsSum + row.seats.length, 0), 0);
    if (total > 200_000) context.addIssue({ code: 'custom', path: ['sections'], message: `layout has ${total} seats; the limit is 200000` });
  });

export type VenueLayout = z.infer<typeof venueLayoutSchema>;

export function seatCount(layout: VenueLayout): number {
  return layout.sections.reduce((sum, section) => sum + section.rows.reduce((rowsSum, row) => rowsSum + row.seats.length, 0), 0);
}

export function tierCodes(layout: VenueLayout): Set<string> {
  return new Set(layout.sections.flatMap((section) => section.rows.flatMap((row) => row.seats.map((seat) => seat.tier))));
}

/** A rectangular layout: handy for seeds and tests (`sections` × `rows` × `seatsPerRow`). */
export function gridLayout(sections: string[], rows: number, seatsPerRow: number, tierOf: (section: string, row: number) => string): VenueLayout {
  return {
    sections: sections.map((section) => ({
      section,
      rows: Array.from({ length: rows }, (_, rowIndex) => ({
        row: String(rowIndex + 1),
        seats: Array.from({ length: seatsPerRow }, (_, seatIndex) => ({ number: seatIndex + 1, tier: tierOf(section, rowIndex + 1) })),
      })),
    })),
  };
}
