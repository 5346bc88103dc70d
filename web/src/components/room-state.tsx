// How each waiting-room state reads to a fan.
import type { RoomState } from '../queue-feed';

export function roomStateText(state: RoomState): string {
  switch (state) {
    case 'scheduled':
    case 'prequeue':
      return 'The sale has not opened yet. Join now: everyone who joins before it opens gets a fair, random place.';
    case 'open':
      return 'The sale is open. Join the queue to get your place in line.';
    case 'paused':
      return 'The queue is paused for a moment. Everyone keeps their place.';
    case 'closed':
      return 'The waiting room is closed.';
    case 'soldout':
      return 'Sold out: every ticket has been sold.';
  }
}
