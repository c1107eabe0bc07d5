// Blends two normalised arena render states for drawing between ticks: positions linearly, the
// aim along the shortest arc (wrapDelta), and no blending across a respawn or a death (the
// player jumps), so a respawn never draws a player sliding across the map.
import { lerpAngle, normalizeAngle } from '../lockstep/interpolation.js';

/** A full turn in the arena's binary angle units. */
const TURN = 65536;

/** A jump longer than this (world units) between two ticks is a teleport, drawn without blending. */
const TELEPORT = 48;

/**
 * @param {object} from the state at tick t
 * @param {object} to the state at tick t + 1
 * @param {number} alpha 0…1, how far between them
 */
export function interpolateArena(from, to, alpha) {
    if (!from || from.players.length !== to.players.length) return to;
    const a = Math.max(0, Math.min(1, alpha));
    const players = to.players.map((p, slot) => {
        const q = from.players[slot];
        const dx = p.x - q.x;
        const dy = p.y - q.y;
        if (q.alive !== p.alive || dx * dx + dy * dy > TELEPORT * TELEPORT) return p;
        const aim = normalizeAngle(lerpAngle(q.aim, p.aim, a, TURN), TURN);
        return { ...p, x: q.x + dx * a, y: q.y + dy * a, aim };
    });
    // Projectiles live a few ticks and have no identity across ticks: draw the newer set, moved
    // back along their path by the remaining fraction of the tick.
    const back = 1 - a;
    const projectiles = to.projectiles.map((s) => ({ ...s, x: s.x - s.vx * back, y: s.y - s.vy * back }));
    return { players, projectiles };
}
