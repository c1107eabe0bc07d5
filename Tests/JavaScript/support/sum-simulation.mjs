// A tiny deterministic JavaScript simulation for the client tests: each slot's state folds in its
// inputs in order (sum × 31 + first payload byte + status), so a frame applied twice, skipped or
// out of order changes the hash. The match is over at `endTick`; after that steps change nothing.

import { StateHasher } from '../../../Sources/LockstepWeb/Public/lockstep/index.js';

export const SUM_SIMULATION_ID = 'test.sum';
export const SUM_SIMULATION_VERSION = 1;

export class SumSimulation {
    constructor({ players, seed, endTick = 90 }) {
        this.simulationID = SUM_SIMULATION_ID;
        this.simulationVersion = SUM_SIMULATION_VERSION;
        this.players = players;
        this.seed = BigInt(seed);
        this.endTick = endTick;
        this.tick = 0;
        this.sums = new Int32Array(players);
    }

    step(frame) {
        if (this.isOver) return;
        if (frame.tick !== this.tick) throw new Error(`stepped tick ${frame.tick}, expected ${this.tick}`);
        for (let slot = 0; slot < this.players; slot++) {
            const payload = frame.payloads[slot];
            const value = payload.length > 0 ? payload[0] : 0;
            this.sums[slot] = Math.imul(this.sums[slot], 31) + value + frame.statuses[slot] * 1000;
        }
        this.tick += 1;
    }

    hash() {
        const hasher = new StateHasher().u64(this.seed).u32(this.tick);
        for (const sum of this.sums) hasher.u32(sum);
        return hasher.value;
    }

    snapshot() {
        return { tick: this.tick, sums: this.sums.slice() };
    }

    restore(snapshot) {
        this.tick = snapshot.tick;
        this.sums = snapshot.sums.slice();
    }

    get isOver() {
        return this.tick >= this.endTick;
    }

    renderState() {
        return { tick: this.tick, sums: Array.from(this.sums) };
    }
}

/** A factory for the client: ({ players, seed }) => SumSimulation ending at `endTick`. */
export function sumSimulation(endTick = 90) {
    return ({ players, seed }) => new SumSimulation({ players, seed, endTick });
}
