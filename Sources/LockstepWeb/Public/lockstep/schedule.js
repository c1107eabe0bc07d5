// When each tick is due (docs/PROTOCOL.md, SCHEDULE): tick `baseTick + n` is due at
// `epoch + floor(n × 10⁹ / tickRate)` ns of the server's monotonic clock. Times are BigInt ns.

const NANOS = 1_000_000_000n;

/** A room's tick schedule, from a SCHEDULE message or a running room's WELCOME. */
export class TickSchedule {
    /**
     * @param {{ baseTick: number, epoch: bigint, tickRate: number }} schedule
     */
    constructor({ baseTick, epoch, tickRate }) {
        if (!Number.isInteger(tickRate) || tickRate < 1 || tickRate > 240) throw new RangeError(`tick rate out of range: ${tickRate}`);
        this.baseTick = baseTick;
        this.epoch = BigInt(epoch);
        this.tickRate = tickRate;
        this.rate = BigInt(tickRate);
    }

    /** The period in ns (rounded down), for judging slack. */
    get periodNanos() {
        return NANOS / this.rate;
    }

    /** The server time (ns) at which `tick` is due; ticks before the base tick map to the epoch. */
    deadline(tick) {
        const n = BigInt(Math.max(0, tick - this.baseTick));
        return this.epoch + (n * NANOS) / this.rate;
    }

    /** The last tick whose deadline is at or before server time `time`, or null before the epoch. */
    tickAt(time) {
        if (time < this.epoch) return null;
        // Largest n with floor(n × 10⁹ / rate) ≤ Δ, i.e. n × 10⁹ < (Δ + 1) × rate.
        const n = ((time - this.epoch + 1n) * this.rate - 1n) / NANOS;
        return this.baseTick + Number(n);
    }

    /** Where server time `time` falls, in ticks (the tick due plus the fraction elapsed), e.g. 41.25. */
    position(time) {
        const period = 1e9 / this.tickRate;
        const due = this.tickAt(time);
        if (due === null) return this.baseTick - Number(this.epoch - time) / period;
        return due + Number(time - this.deadline(due)) / period;
    }
}
