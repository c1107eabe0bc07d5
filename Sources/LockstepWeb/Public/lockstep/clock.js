// Clock alignment with PING/PONG (docs/PROTOCOL.md, Clock alignment; the Swift ClockSynchronizer).
// Times are BigInt ns. Network queues only ever add delay, so the samples with the smallest round
// trip are the most truthful: the estimate is the median offset of the fastest quarter of the
// last `capacity` samples, and a sample whose round trip is over `outlierFactor` × the median
// round trip (plus 0.1 ms) is rejected, unless `REGIME_CHANGE` are in a row: then the path itself
// may have changed, and the run is kept after all (as the Swift client does). Kept runs move the
// median round trip to the new path within `capacity / 2` samples, while the offset still comes
// from the fastest samples: a few seconds of slow answers on a busy host do not skew it.

/** Outliers in a row that mean the network changed rather than a queue passed. */
export const REGIME_CHANGE = 4;

/** Estimates the offset between this client's clock and the server's. */
export class ClockSynchronizer {
    constructor({ capacity = 16, outlierFactor = 3n } = {}) {
        this.capacity = Math.max(1, capacity);
        this.outlierFactor = BigInt(outlierFactor) < 1n ? 1n : BigInt(outlierFactor);
        /** @type {{ roundTrip: bigint, offset: bigint }[]} */
        this.samples = [];
        this.next = 0;
        /** Samples rejected as outliers. */
        this.rejected = 0;
        /** The outliers rejected since the last sample kept, oldest first. */
        this.outliersInARow = [];
        /** Runs of `REGIME_CHANGE` outliers kept because they were a run. */
        this.keptRuns = 0;
        /** A rough offset used until the first PONG (the WELCOME's server time), or null. */
        this.provisionalOffset = null;
    }

    /**
     * Adds the sample of a PING sent at `sentAt`, answered with `serverTime`, received at
     * `receivedAt` (client ns). Returns whether it was kept.
     */
    add(sentAt, serverTime, receivedAt) {
        if (receivedAt < sentAt) return false;
        const roundTrip = receivedAt - sentAt;
        const sample = { roundTrip, offset: serverTime - (sentAt + roundTrip / 2n) };
        const median = this.medianRoundTrip;
        if (this.samples.length >= 4 && median !== null && roundTrip > median * this.outlierFactor + 100_000n) {
            this.rejected += 1;
            this.outliersInARow.push(sample);
            if (this.outliersInARow.length < REGIME_CHANGE) return false;
            // Every recent sample is slow: not a passing queue. Keep the run, or the round trip
            // the input delay is judged by would stay the old, short one for ever.
            this.keptRuns += 1;
            for (const kept of this.outliersInARow) this.keep(kept);
            this.outliersInARow = [];
            return true;
        }
        this.outliersInARow = [];
        this.keep(sample);
        return true;
    }

    keep(sample) {
        if (this.samples.length < this.capacity) {
            this.samples.push(sample);
        } else {
            this.samples[this.next] = sample;
            this.next = (this.next + 1) % this.capacity;
        }
    }

    /**
     * Seeds a provisional offset from a server time received at `receivedAt` (the WELCOME's):
     * off by the one-way latency, it keeps a client whose clock is not the server's from
     * scheduling inputs against offset 0 until its first PONG.
     */
    seed(serverTime, receivedAt) {
        this.provisionalOffset = serverTime - receivedAt;
    }

    /** The number of samples kept. */
    get sampleCount() {
        return this.samples.length;
    }

    /** The median round trip of the kept samples (ns), or null. */
    get medianRoundTrip() {
        if (this.samples.length === 0) return null;
        const sorted = this.samples.map((sample) => sample.roundTrip).sort(compareBig);
        return sorted[Math.floor(sorted.length / 2)];
    }

    /** The smallest round trip among the kept samples (ns), or null. */
    get bestRoundTrip() {
        if (this.samples.length === 0) return null;
        return this.samples.reduce((best, sample) => (sample.roundTrip < best ? sample.roundTrip : best), this.samples[0].roundTrip);
    }

    /** The estimated server time minus client time (ns), or null with no sample yet. */
    get offset() {
        if (this.samples.length === 0) return this.provisionalOffset;
        const fastest = [...this.samples].sort((a, b) => compareBig(a.roundTrip, b.roundTrip)).slice(0, Math.max(1, Math.floor(this.samples.length / 4)));
        const offsets = fastest.map((sample) => sample.offset).sort(compareBig);
        return offsets[Math.floor(offsets.length / 2)];
    }

    /** The server time at client time `clientTime` (offset 0 before any estimate). */
    serverTime(clientTime) {
        return clientTime + (this.offset ?? 0n);
    }

    /** The client time at server time `serverTime`. */
    clientTime(serverTime) {
        return serverTime - (this.offset ?? 0n);
    }
}

function compareBig(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
}
