// Exponential backoff with jitter for reconnecting (the Swift ReconnectPolicy): attempt n waits
// about base × 2ⁿ, capped at `maximum`, spread by ±jitter so that many clients dropped together do
// not all come back at the same instant. The random source is seeded, so tests are repeatable.

const MASK64 = 0xffffffffffffffffn;

/** SplitMix64: a small seeded generator (BigInt u64 values). */
export class SplitMix64 {
    constructor(seed = 0n) {
        this.state = BigInt.asUintN(64, BigInt(seed));
    }

    /** The next 64 random bits. */
    next() {
        this.state = (this.state + 0x9e3779b97f4a7c15n) & MASK64;
        let z = this.state;
        z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
        z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
        return z ^ (z >> 31n);
    }

    /** A value in 0..<bound (BigInt; bias below 2⁻⁴⁰ for the bounds used here). */
    below(bound) {
        return bound <= 0n ? 0n : this.next() % bound;
    }
}

/** When to try again after a connection was lost. Delays are BigInt ns. */
export class ReconnectPolicy {
    constructor({ baseNanos = 100_000_000n, maximumNanos = 5_000_000_000n, jitterPermille = 500, maxAttempts = 12, seed = 0n } = {}) {
        this.baseNanos = BigInt(baseNanos) < 1n ? 1n : BigInt(baseNanos);
        this.maximumNanos = BigInt(maximumNanos) < this.baseNanos ? this.baseNanos : BigInt(maximumNanos);
        this.jitterPermille = BigInt(Math.min(Math.max(0, jitterPermille), 1000));
        this.maxAttempts = Math.max(1, maxAttempts);
        this.random = new SplitMix64(seed);
    }

    /** The wait before attempt `attempt` (0-based), or null once attempts are exhausted. */
    delay(attempt) {
        if (attempt >= this.maxAttempts) return null;
        const raw = this.baseNanos << BigInt(Math.min(attempt, 40));
        const capped = raw > this.maximumNanos ? this.maximumNanos : raw;
        const spread = (capped / 1000n) * this.jitterPermille;
        if (spread === 0n) return capped;
        return capped - spread + this.random.below(2n * spread + 1n);
    }
}
