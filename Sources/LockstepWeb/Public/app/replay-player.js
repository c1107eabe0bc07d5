// Plays a replay back through a Simulation: verifies it once from start to end (every checkpoint
// hash and the footer's final hash), keeping a snapshot every `snapshotInterval` ticks on the
// way, so any later seek restores the nearest snapshot at or before the target and re-simulates
// at most `snapshotInterval − 1` frames.
//
// The replay is the reader-neutral shape made by `replay-source.js`:
//   { frameCount, frameAt(index) -> frame, checkpoints: [{ tick, hash: BigInt }],
//     finalHash: BigInt (0n: not recorded), complete: boolean }
// and `sim` any object with the Simulation interface (step, hash, snapshot, restore).

/** Ticks between kept snapshots: at most this many frames are re-simulated per seek. */
export const DEFAULT_SNAPSHOT_INTERVAL = 300;

/** Formats a 64-bit hash as the CLI prints it: 0x and 16 lowercase hex digits. */
export function formatHash(hash) {
    return '0x' + BigInt.asUintN(64, BigInt(hash)).toString(16).padStart(16, '0');
}

export class ReplayPlayer {
    /**
     * @param {object} replay the reader-neutral replay (see above)
     * @param {object} sim a fresh Simulation built from the replay's header (seed, players)
     * @param {{ snapshotInterval?: number }} options
     */
    constructor(replay, sim, { snapshotInterval = DEFAULT_SNAPSHOT_INTERVAL } = {}) {
        this.replay = replay;
        this.sim = sim;
        this.snapshotInterval = snapshotInterval;
        /** Frames applied to `sim` so far: the state shown is the state after tick `position − 1`. */
        this.position = 0;
        this.snapshots = [sim.snapshot()];
        this.verification = null;
    }

    /** Frames in the replay. */
    get length() {
        return this.replay.frameCount;
    }

    /**
     * Re-simulates the whole replay once from tick 0, comparing every checkpoint and the final
     * hash; keeps the snapshots for seeking. Yields to the event loop every `chunk` frames.
     * @returns {Promise<{verified: boolean, ticks: number, checkpoints: number, finalHash: string,
     *   finalHashRecorded: boolean, mismatch?: {tick: number, expected: string, actual: string}}>}
     */
    async verify({ chunk = 5000, onProgress = () => {} } = {}) {
        this.restoreTo(0);
        const expected = new Map(this.replay.checkpoints.map((c) => [c.tick, BigInt(c.hash)]));
        let mismatch = null;
        while (this.position < this.length) {
            const end = Math.min(this.length, this.position + chunk);
            while (this.position < end) {
                const tick = this.position;
                this.stepOne();
                const want = expected.get(tick);
                if (want !== undefined && mismatch === null) {
                    const actual = BigInt.asUintN(64, this.sim.hash());
                    if (actual !== want) mismatch = { tick, expected: formatHash(want), actual: formatHash(actual) };
                }
            }
            onProgress(this.position / Math.max(1, this.length));
            if (this.position < this.length) await new Promise((resolve) => setTimeout(resolve, 0));
        }
        const finalHash = BigInt.asUintN(64, this.sim.hash());
        const recorded = BigInt(this.replay.finalHash ?? 0n);
        if (mismatch === null && this.replay.complete && recorded !== 0n && recorded !== finalHash) {
            mismatch = { tick: this.length - 1, expected: formatHash(recorded), actual: formatHash(finalHash) };
        }
        this.verification = {
            verified: mismatch === null && this.replay.complete,
            ticks: this.length,
            checkpoints: expected.size,
            finalHash: formatHash(finalHash),
            finalHashRecorded: recorded !== 0n,
            ...(mismatch ? { mismatch } : {}),
        };
        return this.verification;
    }

    /** Moves to `position` (0…length): restores the nearest snapshot and re-simulates the rest. */
    seek(position) {
        const target = Math.max(0, Math.min(this.length, Math.trunc(position)));
        if (target < this.position || target - this.position > this.snapshotInterval) this.restoreTo(target);
        while (this.position < target) this.stepOne();
    }

    /** Applies up to `count` more frames; returns how many were applied. */
    advance(count) {
        const end = Math.min(this.length, this.position + count);
        const applied = end - this.position;
        while (this.position < end) this.stepOne();
        return applied;
    }

    get atEnd() {
        return this.position >= this.length;
    }

    renderState() {
        return this.sim.renderState();
    }

    /** Restores the last snapshot at or before `position` (without stepping). */
    restoreTo(position) {
        const index = Math.min(this.snapshots.length - 1, Math.floor(position / this.snapshotInterval));
        this.sim.restore(this.snapshots[index]);
        this.position = index * this.snapshotInterval;
    }

    stepOne() {
        this.sim.step(this.replay.frameAt(this.position));
        this.position += 1;
        if (this.position % this.snapshotInterval === 0 && this.position / this.snapshotInterval === this.snapshots.length) {
            this.snapshots.push(this.sim.snapshot());
        }
    }
}
