// Plays a replay back through a Simulation with a scrubbable position: keeps a snapshot every
// `snapshotInterval` ticks as it first passes them, so a seek restores the nearest snapshot at or
// before the target and re-simulates at most `snapshotInterval − 1` frames (plus, the first time
// the playback goes far ahead, the frames it has never simulated).
//
// `replay` is what lockstep/replay.js reads (`frameCount`, `frame(index, into)`); `sim` any
// object with the Simulation interface (step, snapshot, restore, renderState).

/** Ticks between kept snapshots: at most this many frames are re-simulated per seek. */
export const DEFAULT_SNAPSHOT_INTERVAL = 300;

/** Formats a 64-bit hash as the CLI prints it: 0x and 16 lowercase hex digits. */
export function formatHash(hash) {
    return '0x' + BigInt.asUintN(64, BigInt(hash)).toString(16).padStart(16, '0');
}

export class ReplayPlayer {
    /**
     * @param {{frameCount: number, frame: (index: number, into?: object) => object}} replay
     * @param {object} sim a fresh Simulation built from the replay's header (seed, players)
     * @param {{ snapshotInterval?: number }} options
     */
    constructor(replay, sim, { snapshotInterval = DEFAULT_SNAPSHOT_INTERVAL } = {}) {
        this.replay = replay;
        this.sim = sim;
        this.snapshotInterval = snapshotInterval;
        /** Frames applied to `sim`: the state shown is the state after tick `position − 1`. */
        this.position = 0;
        this.snapshots = [sim.snapshot()];
        this.frameObject = undefined;
    }

    /** Frames in the replay. */
    get length() {
        return this.replay.frameCount;
    }

    get atEnd() {
        return this.position >= this.length;
    }

    /** Moves to `position` (clamped to 0…length): restores the nearest snapshot, re-simulates the rest. */
    seek(position) {
        const target = Math.max(0, Math.min(this.length, Math.trunc(position)));
        const nearest = Math.min(this.snapshots.length - 1, Math.floor(target / this.snapshotInterval));
        if (target < this.position || nearest * this.snapshotInterval > this.position) {
            this.sim.restore(this.snapshots[nearest]);
            this.position = nearest * this.snapshotInterval;
        }
        while (this.position < target) this.stepOne();
    }

    /** Applies up to `count` more frames; returns how many were applied. */
    advance(count) {
        const end = Math.min(this.length, this.position + count);
        const applied = end - this.position;
        while (this.position < end) this.stepOne();
        return applied;
    }

    renderState() {
        return this.sim.renderState();
    }

    stepOne() {
        this.frameObject = this.replay.frame(this.position, this.frameObject);
        this.sim.step(this.frameObject);
        this.position += 1;
        if (this.position === this.snapshots.length * this.snapshotInterval) this.snapshots.push(this.sim.snapshot());
    }
}
