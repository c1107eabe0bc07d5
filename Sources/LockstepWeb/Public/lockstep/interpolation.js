// Rendering between ticks (the Swift Interpolation and SnapshotInterpolator). Rendering is not
// part of the deterministic simulation, so floating point is fine here: these helpers never feed
// back into the game state.

/** A full turn in radians. */
export const TURN = 2 * Math.PI;

/** `a + (b − a) × t`; `t` is not clamped, so values past 1 extrapolate. */
export function lerp(a, b, t) {
    return a + (b - a) * t;
}

/**
 * The shortest signed difference from angle `from` to angle `to`, in (−turn/2, turn/2]: from 350°
 * to 10° it is +20°, not −340°. Works for any inputs, not only one turn's range. `turn` is 2π for
 * radians, 360 for degrees, 65536 for 16-bit binary angles.
 */
export function wrapDelta(from, to, turn = TURN) {
    const half = turn / 2;
    let delta = (to - from) % turn;
    if (delta > half) delta -= turn;
    else if (delta <= -half) delta += turn;
    return delta;
}

/** Interpolates between two angles along the shorter arc (the result is not normalised). */
export function lerpAngle(a, b, t, turn = TURN) {
    return a + wrapDelta(a, b, turn) * t;
}

/** `angle` brought into [0, turn). */
export function normalizeAngle(angle, turn = TURN) {
    const wrapped = angle % turn;
    return wrapped < 0 ? wrapped + turn : wrapped;
}

/**
 * Blends two plain render states field by field: numbers linearly, the fields named in `angles`
 * (name → turn, e.g. { angle: TURN, aim: 65536 }) along the shorter arc, arrays and objects
 * recursively, anything else (strings, booleans, ids) snapped to the nearer state.
 */
export function blendStates(a, b, t, { angles = {} } = {}) {
    return blendValue(a, b, t, angles, undefined);
}

function blendValue(a, b, t, angles, key) {
    if (typeof a === 'number' && typeof b === 'number') {
        const turn = key === undefined ? undefined : angles[key];
        return turn === undefined ? lerp(a, b, t) : lerpAngle(a, b, t, turn);
    }
    if (Array.isArray(a) && Array.isArray(b)) {
        if (a.length !== b.length) return t < 0.5 ? a : b;
        return b.map((value, index) => blendValue(a[index], value, t, angles, key));
    }
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !ArrayBuffer.isView(a)) {
        const blended = {};
        for (const name of Object.keys(b)) blended[name] = name in a ? blendValue(a[name], b[name], t, angles, name) : b[name];
        return blended;
    }
    return t < 0.5 ? a : b;
}

/**
 * Renders a smooth view of states that arrive at tick positions, a fixed delay behind the newest.
 *
 * Push each state with its position (its tick number); sample at the client's tick position
 * (LockstepClient.tickPosition()). The view is drawn `renderDelay` ticks in the past, so there
 * are usually two states around it to blend. When the next state is late the view extrapolates
 * from the last two, but never more than `maxExtrapolation` ticks past the newest; then it holds.
 */
export class SnapshotInterpolator {
    /**
     * @param {object} [options]
     * @param {number} [options.renderDelay] ticks behind the sampled position (1: between the last two states)
     * @param {number} [options.maxExtrapolation] the most ticks the view may run past the newest state
     * @param {number} [options.capacity] states kept
     * @param {Function} [options.blend] (a, b, t) => state; default blendStates with `angles`
     * @param {object} [options.angles] fields that are angles, name → turn (for the default blend)
     */
    constructor({ renderDelay = 1, maxExtrapolation = 1, capacity = 32, blend, angles = {} } = {}) {
        this.renderDelay = renderDelay;
        this.maxExtrapolation = Math.max(0, maxExtrapolation);
        this.capacity = Math.max(2, capacity);
        this.blend = blend ?? ((a, b, t) => blendStates(a, b, t, { angles }));
        this.positions = [];
        this.states = [];
    }

    /** The number of states held. */
    get count() {
        return this.states.length;
    }

    /** Forgets every state (after a seek, or a new match). */
    clear() {
        this.positions.length = 0;
        this.states.length = 0;
    }

    /** Adds `state` at `position`; states at or after it are replaced (a rollback corrected them). */
    push(position, state) {
        while (this.positions.length > 0 && this.positions[this.positions.length - 1] >= position) {
            this.positions.pop();
            this.states.pop();
        }
        if (this.positions.length === this.capacity) {
            this.positions.shift();
            this.states.shift();
        }
        this.positions.push(position);
        this.states.push(state);
    }

    /** The view at `position` (minus the render delay), or null with no state yet. */
    sample(position) {
        const count = this.states.length;
        if (count === 0) return null;
        const newest = this.states[count - 1];
        if (count === 1) return newest;
        const target = position - this.renderDelay;
        if (target <= this.positions[0]) return this.states[0];
        const newestPosition = this.positions[count - 1];
        if (target >= newestPosition) {
            const span = newestPosition - this.positions[count - 2];
            if (span <= 0) return newest;
            const ahead = Math.min(target - newestPosition, this.maxExtrapolation);
            return this.blend(this.states[count - 2], newest, 1 + ahead / span);
        }
        let upper = count - 1;
        while (upper > 0 && this.positions[upper - 1] > target) upper -= 1;
        const lower = upper - 1;
        const t = (target - this.positions[lower]) / (this.positions[upper] - this.positions[lower]);
        return this.blend(this.states[lower], this.states[upper], t);
    }
}
