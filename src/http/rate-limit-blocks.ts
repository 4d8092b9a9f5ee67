// Spends rate-limit points from memory, reserving them from the shared (database) limiter a block at a time.
//
// Counting every request in the database cost a write per request (on PostgreSQL a durable commit per GET). Here
// an instance takes `block` points from the shared counter at once and hands them out locally, so only one request
// in `block` touches the database. The shared counter never admits more than `points` per window across all
// instances; the price is the other way round: each instance may hold up to `block` points its callers have not
// spent yet, so across N instances a caller may be refused up to N × block requests early, never admitted late.
// The block is 1% of the limit at most, and 1 (today's behaviour exactly) for limits under 200.
import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';

/** Where a caller stands after one request: admitted or not, what is left, and when the window ends. */
export interface Standing {
  admitted: boolean;
  /** Points left in this window as far as this instance knows: exact when it is the only one. */
  remaining: number;
  msBeforeReset: number;
}

/** No instance holds more than this many unspent points for one caller, however high the limit. */
const MAX_BLOCK = 1000;

/** Points reserved at once: at most 1% of the limit, so that unspent points held by an instance stay negligible. */
export function blockSize(points: number): number {
  return Math.max(1, Math.min(MAX_BLOCK, Math.floor(points / 100)));
}

/**
 * A refused reservation may still have caught a few free points, which are kept and the rest given back. Giving
 * back lands after a round trip; if the window ended meanwhile, the database would start the next window below
 * zero and admit that much too many in it. So near the end of a window nothing is given back and the caller waits.
 */
const GIVE_BACK_BEFORE_MS = 500;

/** Ended reservations are swept out once the map has grown to this size, or to twice what it held after the last sweep. */
const FIRST_SWEEP = 256;

interface Reservation {
  /** Points taken from the shared counter that this instance has not handed out yet. */
  unspent: number;
  /** What the shared counter had left when they were taken (other instances may have spent some since). */
  remaining: number;
  /** When the window ends (Date.now()): unspent points lapse with it, as the shared count does. */
  endsAt: number;
}

export class BlockLimiter {
  readonly points: number;
  readonly block: number;
  /** Only callers with unspent points in a window not yet ended (and ended ones until the next sweep). */
  private readonly reservations = new Map<string, Reservation>();
  /** Reservations on their way to the database: concurrent requests for the key wait for it rather than reserve too. */
  private readonly pending = new Map<string, Promise<Standing | undefined>>();
  private sweepAt = FIRST_SWEEP;

  constructor(private readonly shared: RateLimiterAbstract) {
    this.points = shared.points;
    this.block = blockSize(shared.points);
  }

  /** Callers this instance holds points for: bounded by those active in the last window, not by all ever seen. */
  get held(): number {
    return this.reservations.size;
  }

  /**
   * Counts one request by `key`. Resolves with the caller's standing (refused past the limit); rejects with the
   * shared limiter's own error when its database fails, for the caller to answer as it answers any such failure.
   */
  async spend(key: string): Promise<Standing> {
    for (;;) {
      const admitted = this.spendUnspent(key);
      if (admitted) return admitted;
      let reservation = this.pending.get(key);
      if (!reservation) {
        reservation = this.reserve(key).finally(() => this.pending.delete(key));
        this.pending.set(key, reservation);
      }
      // A refusal answers everyone who waited for it; a reservation made means try again: others may have spent it.
      const refused = await reservation;
      if (refused) return refused;
    }
  }

  /**
   * Counts one request by `key` from the points this instance holds, at once; undefined when it holds none (then
   * `spend`, which reserves more). Most requests are counted here, with no promise to wait for.
   */
  spendUnspent(key: string): Standing | undefined {
    const reservation = this.reservations.get(key);
    if (!reservation) return undefined;
    const msBeforeReset = reservation.endsAt - Date.now();
    if (msBeforeReset <= 0) {
      this.reservations.delete(key);
      return undefined;
    }
    reservation.unspent -= 1;
    if (reservation.unspent === 0) this.reservations.delete(key);
    return { admitted: true, remaining: reservation.remaining + reservation.unspent, msBeforeReset };
  }

  /** Takes a block from the shared counter; resolves with a refusal when none of it was free. */
  private async reserve(key: string): Promise<Standing | undefined> {
    try {
      const taken = await this.shared.consume(key, this.block);
      this.keep(key, {
        unspent: this.block,
        remaining: taken.remainingPoints,
        endsAt: Date.now() + taken.msBeforeNext,
      });
      return undefined;
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      // The counter went past the limit by `excess`: the first block - excess points of this block were still free.
      const excess = refusal.consumedPoints - this.points;
      if (excess >= this.block || refusal.msBeforeNext < GIVE_BACK_BEFORE_MS) {
        return { admitted: false, remaining: 0, msBeforeReset: refusal.msBeforeNext };
      }
      await this.shared.reward(key, excess);
      this.keep(key, { unspent: this.block - excess, remaining: 0, endsAt: Date.now() + refusal.msBeforeNext });
      return undefined;
    }
  }

  private keep(key: string, reservation: Reservation): void {
    this.reservations.set(key, reservation);
    if (this.reservations.size >= this.sweepAt) this.sweep();
  }

  /** Drops reservations whose window ended. Run as the map doubles, its cost per reservation stays constant. */
  private sweep(): void {
    const now = Date.now();
    for (const [key, reservation] of this.reservations) if (reservation.endsAt <= now) this.reservations.delete(key);
    this.sweepAt = Math.max(FIRST_SWEEP, 2 * this.reservations.size);
  }
}
