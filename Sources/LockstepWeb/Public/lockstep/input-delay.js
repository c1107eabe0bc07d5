// The adaptive input delay (the Swift InputDelayController): it grows by one at once when this
// client's input arrives late (its slot in a confirmed frame is filled or moved), and shrinks by
// one after `shrinkAfter` good ticks in a row, but only if one tick less still covers the round
// trip with a tick to spare; always within minimum...maximum.

/** Adapts the input delay, in ticks. */
export class InputDelayController {
    constructor({ initial, minimum = 1, maximum = 12, shrinkAfter = 120 }) {
        this.minimum = Math.max(0, Math.min(minimum, maximum));
        this.maximum = Math.max(minimum, maximum);
        this.shrinkAfter = Math.max(1, shrinkAfter);
        /** The delay to use now, in ticks. */
        this.delay = Math.min(Math.max(initial, this.minimum), this.maximum);
        this.goodTicks = 0;
        /** Times the delay grew and shrank. */
        this.increases = 0;
        this.decreases = 0;
    }

    /** This client's input for a tick arrived late (or not at all). Returns whether the delay changed. */
    inputWasLate() {
        this.goodTicks = 0;
        if (this.delay >= this.maximum) return false;
        this.delay += 1;
        this.increases += 1;
        return true;
    }

    /**
     * This client's input arrived in time; `roundTrip` and `period` (BigInt ns) judge the slack.
     * Returns whether the delay changed.
     */
    inputWasOnTime(roundTrip, period) {
        this.goodTicks += 1;
        if (this.goodTicks < this.shrinkAfter || this.delay <= this.minimum || period <= 0n) return false;
        const needed = Number((roundTrip + period - 1n) / period) + 1;
        this.goodTicks = 0;
        if (this.delay - 1 < needed) return false;
        this.delay -= 1;
        this.decreases += 1;
        return true;
    }
}
