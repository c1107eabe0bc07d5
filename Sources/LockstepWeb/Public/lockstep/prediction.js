// Prediction and rollback (the Swift PredictionSession), over two instances of the game's
// Simulation (docs/JAVASCRIPT.md): the **confirmed** one has every confirmed frame applied and
// nothing else (its hash is what the client reports and what the server's replay verifies); the
// **predicted** one runs ahead to the tick due now on predicted frames: this client's own input
// where it sent one, and for the others the predictor's guess (default: repeat the last confirmed
// input). A confirmed frame equal to its prediction costs nothing; one that differs marks the
// head dirty, and the next advance() restores the predicted instance from a snapshot of the
// confirmed one and re-simulates the predicted ticks (a rollback). Prediction never runs more than
// `maxPrediction` ticks past the last confirmed frame: a lagging peer makes this client wait
// rather than roll back deeper every tick.

import { InputStatus } from './protocol.js';

/** The default predictor: a remote player keeps doing what it did last (GGPO's and GGRS's default). */
export function repeatLastInput(slot, tick, lastPayload) {
    return lastPayload;
}

/** Whether two byte arrays are equal. */
export function bytesEqual(a, b) {
    if (a.length !== b.length) return false;
    for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
    return true;
}

/** Whether two frames hold the same statuses and payloads for the same tick. */
export function framesEqual(a, b) {
    if (a.tick !== b.tick || a.statuses.length !== b.statuses.length) return false;
    for (let slot = 0; slot < a.statuses.length; slot++) {
        if (a.statuses[slot] !== b.statuses[slot] || !bytesEqual(a.payloads[slot], b.payloads[slot])) return false;
    }
    return true;
}

const EMPTY = new Uint8Array(0);
// Own inputs are remembered for this many ticks: far more than the lead window a room allows
// inputs to be sent ahead (32 by default), so a tick's entry is never overwritten before it is used.
const LOCAL_INPUT_RING = 1024;

/** Runs a game's simulation ahead of the server, and rolls back when a confirmed frame differs. */
export class PredictionSession {
    /**
     * @param {object} options
     * @param {object} options.confirmed the Simulation that takes confirmed frames only
     * @param {object|null} options.predicted a second, independent instance for the predicted
     *   head (null: no prediction, as for a spectator)
     * @param {number} options.slotCount slots in every frame
     * @param {number|null} options.localSlot this client's slot, null for a spectator
     * @param {number} [options.start] the first tick to be confirmed
     * @param {number} [options.maxPrediction] the most ticks the head may run ahead
     * @param {Function} [options.predictor] (slot, tick, lastPayload, lastStatus) => Uint8Array
     */
    constructor({ confirmed, predicted = null, slotCount, localSlot = null, start = 0, maxPrediction = 8, predictor = repeatLastInput }) {
        this.confirmed = confirmed;
        this.predictedSimulation = predicted;
        this.slotCount = slotCount;
        this.localSlot = localSlot;
        this.maxPrediction = predicted === null ? 0 : Math.max(0, maxPrediction);
        this.predictor = predictor;
        /** The next tick to be confirmed. */
        this.confirmedNext = start;
        /** The first tick the predicted state has not applied. */
        this.head = start;
        /** What prediction and rollback cost. */
        this.statistics = { rollbacks: 0, maxDepth: 0, resimulatedTicks: 0, predictedTicks: 0, stalls: 0 };
        this.predictedFrames = new Array(this.maxPrediction + 1).fill(null);
        this.localInputs = new Array(LOCAL_INPUT_RING).fill(null);
        this.lastPayloads = new Array(slotCount).fill(EMPTY);
        this.lastStatuses = new Array(slotCount).fill(InputStatus.missingFilled);
        this.dirty = false;
        // The predicted instance is brought level with the confirmed one lazily (a restore per
        // frame would cost a snapshot each during a long catch-up).
        this.behind = false;
    }

    /** The state to render: the predicted head (or the confirmed state without prediction). */
    get predicted() {
        if (this.predictedSimulation === null) return this.confirmed;
        this.level();
        return this.predictedSimulation;
    }

    /** The last confirmed tick, or null before any frame. */
    get lastConfirmedTick() {
        return this.confirmedNext > 0 ? this.confirmedNext - 1 : null;
    }

    /** Records this client's own input for `tick` (what it sent), used in its predictions. */
    setLocalInput(payload, tick) {
        this.localInputs[tick % LOCAL_INPUT_RING] = { tick, payload };
    }

    /**
     * Applies a confirmed frame. Frames must come in tick order; an older one is ignored.
     * @returns {boolean} false for a frame out of order (a gap) or with another slot count.
     */
    confirm(frame) {
        if (frame.tick < this.confirmedNext) return true;
        if (frame.tick !== this.confirmedNext || frame.statuses.length !== this.slotCount) return false;
        this.confirmed.step(frame);
        for (let slot = 0; slot < this.slotCount; slot++) {
            this.lastPayloads[slot] = frame.payloads[slot];
            this.lastStatuses[slot] = frame.statuses[slot];
        }
        if (frame.tick < this.head) {
            const guess = this.predictedFrames[frame.tick % this.predictedFrames.length];
            if (guess === null || !framesEqual(guess, frame)) this.dirty = true;
        }
        this.confirmedNext = frame.tick + 1;
        if (this.head <= this.confirmedNext) {
            this.head = this.confirmedNext;
            this.dirty = false;
            this.behind = this.predictedSimulation !== null;
        }
        return true;
    }

    /**
     * Simulates the head up to (not including) `target`, re-simulating first if a confirmed frame
     * contradicted a prediction. Stops at the prediction cap.
     * @returns {boolean} whether a rollback happened
     */
    advance(target) {
        if (this.predictedSimulation === null) return false;
        this.level();
        let rolledBack = false;
        if (this.dirty) {
            this.dirty = false;
            const depth = this.head - this.confirmedNext;
            this.predictedSimulation.restore(this.confirmed.snapshot());
            for (let tick = this.confirmedNext; tick < this.head; tick++) {
                const frame = this.predictFrame(tick);
                this.predictedSimulation.step(frame);
                this.predictedFrames[tick % this.predictedFrames.length] = frame;
            }
            this.statistics.rollbacks += 1;
            this.statistics.maxDepth = Math.max(this.statistics.maxDepth, depth);
            this.statistics.resimulatedTicks += depth;
            rolledBack = true;
        }
        while (this.head < target) {
            if (this.head - this.confirmedNext >= this.maxPrediction) {
                this.statistics.stalls += 1;
                break;
            }
            const frame = this.predictFrame(this.head);
            this.predictedSimulation.step(frame);
            this.predictedFrames[this.head % this.predictedFrames.length] = frame;
            this.statistics.predictedTicks += 1;
            this.head += 1;
        }
        return rolledBack;
    }

    /** The frame assumed for `tick`: this client's own input, the predictor's guess for the others. */
    predictFrame(tick) {
        const statuses = new Uint8Array(this.slotCount);
        const payloads = new Array(this.slotCount);
        for (let slot = 0; slot < this.slotCount; slot++) {
            const own = slot === this.localSlot ? this.localInputs[tick % LOCAL_INPUT_RING] : null;
            if (own !== null && own.tick === tick) {
                statuses[slot] = InputStatus.onTime;
                payloads[slot] = own.payload;
            } else {
                const last = this.lastStatuses[slot];
                statuses[slot] = last === InputStatus.disconnected ? InputStatus.disconnected : InputStatus.onTime;
                payloads[slot] = this.predictor(slot, tick, this.lastPayloads[slot], last);
            }
        }
        return { tick, statuses, payloads };
    }

    level() {
        if (!this.behind) return;
        this.behind = false;
        this.predictedSimulation.restore(this.confirmed.snapshot());
    }
}
