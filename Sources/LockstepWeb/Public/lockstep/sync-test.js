// GGPO's and GGRS's sync test (the Swift SyncTester): every tick, roll back `checkDistance` ticks
// and re-simulate, comparing the state hashes with those of the first run. A simulation that reads
// a clock, Math.random, state outside its snapshot, or an object's key order shows up as a
// mismatch at the first tick where it matters.

/** Steps frames through a Simulation and checks that re-simulating them gives the same hashes. */
export class SyncTester {
    /**
     * @param {object} simulation a Simulation instance used only by the tester
     * @param {number} [checkDistance] ticks rolled back at each step
     */
    constructor(simulation, checkDistance = 2) {
        this.simulation = simulation;
        this.checkDistance = Math.max(1, checkDistance);
        this.snapshots = [];
        this.frames = [];
        this.hashes = [];
        /** Ticks checked so far. */
        this.checkedTicks = 0;
    }

    /**
     * Steps one frame, then rolls back and re-simulates the last `checkDistance` frames.
     * @returns {{ tick: number, first: bigint, resimulated: bigint } | null} the first mismatch
     */
    step(frame) {
        this.snapshots.push(this.simulation.snapshot());
        this.frames.push(frame);
        this.simulation.step(frame);
        this.hashes.push(this.simulation.hash());
        if (this.frames.length > this.checkDistance) {
            this.snapshots.shift();
            this.frames.shift();
            this.hashes.shift();
        }
        const current = this.simulation.snapshot();
        this.simulation.restore(this.snapshots[0]);
        let mismatch = null;
        this.frames.forEach((replayed, index) => {
            this.simulation.step(replayed);
            const hash = this.simulation.hash();
            if (hash !== this.hashes[index] && mismatch === null) {
                mismatch = { tick: replayed.tick, first: this.hashes[index], resimulated: hash };
            }
        });
        this.simulation.restore(current);
        this.checkedTicks += 1;
        return mismatch;
    }
}
