// Draws a lockstep.arena match on a <canvas> from a Simulation's renderState().
//
// The arena's world is 960 × 640 units with y pointing up (ArenaRules.swift); the canvas keeps
// that aspect and flips y so "up" on the stick is up on the screen. The walls come from the
// simulation's `geometry` (arena.js) once a match is open; until then (an empty canvas) the view
// draws the layout below, ArenaRules' at the time of writing.

/** The arena's geometry before a simulation gives its own (Sources/LockstepSimulation/ArenaRules.swift). */
export const ARENA = Object.freeze({
    width: 960,
    height: 640,
    playerRadius: 16,
    maxHealth: 100,
    walls: Object.freeze([
        [200, 150, 260, 490],
        [700, 150, 760, 490],
        [400, 300, 560, 340],
        [440, 40, 520, 100],
        [440, 540, 520, 600],
    ]),
});

/** One colour per slot (8 slots at most in an arena room). */
export const SLOT_COLORS = Object.freeze([
    '#4fc3f7', '#ff8a65', '#aed581', '#ba68c8', '#ffd54f', '#4db6ac', '#f06292', '#90a4ae',
]);

/** A full turn in BinaryAngle units (1/65536 of a turn). */
const TURN = 65536;

/**
 * Normalises whatever field names the simulation's renderState() uses into
 * `{ players: [{ x, y, aim, health, alive, score, deaths }], projectiles: [{ x, y, vx, vy, owner }] }`,
 * with `aim` in BinaryAngle units (0 = +x, counter-clockwise).
 */
export function normalizeRenderState(state) {
    const players = (state?.players ?? []).map((p) => ({
        x: Number(p.x),
        y: Number(p.y),
        aim: Number(p.aim ?? p.angle ?? 0),
        health: Number(p.health ?? 0),
        alive: Boolean(p.alive ?? p.isAlive ?? true),
        score: Number(p.score ?? 0),
        deaths: Number(p.deaths ?? 0),
    }));
    const projectiles = (state?.projectiles ?? [])
        .filter((s) => s.active ?? s.isActive ?? true)
        .map((s) => ({
            x: Number(s.x), y: Number(s.y), vx: Number(s.vx ?? 0), vy: Number(s.vy ?? 0), owner: Number(s.owner ?? 0),
        }));
    return { players, projectiles };
}

/** Draws arena states on one canvas; keeps no game state of its own. */
export class ArenaView {
    /** @param {HTMLCanvasElement} canvas */
    constructor(canvas) {
        this.canvas = canvas;
        this.context = canvas.getContext('2d');
        this.geometry = ARENA;
    }

    /** Uses a simulation's `geometry` (arena.js: width, height, playerRadius, maxHealth, walls). */
    setGeometry(geometry) {
        if (!geometry?.walls) return;
        this.geometry = {
            width: geometry.width, height: geometry.height, playerRadius: geometry.playerRadius, maxHealth: geometry.maxHealth,
            walls: geometry.walls.map((w) => [w.minX, w.minY, w.maxX, w.maxY]),
        };
    }

    /** Canvas pixels per world unit. */
    get scale() {
        return this.canvas.width / this.geometry.width;
    }

    /** Converts a point in canvas CSS pixels (e.g. a mouse event's offsetX/Y) to world units. */
    toWorld(offsetX, offsetY) {
        const rect = this.canvas.getBoundingClientRect();
        const { width, height } = this.geometry;
        const x = (offsetX / rect.width) * width;
        const y = height - (offsetY / rect.height) * height;
        return { x, y };
    }

    /**
     * Draws one frame.
     * @param {object} state a normalised render state (see normalizeRenderState)
     * @param {{ you?: number, caption?: string }} options `you`: the local player's slot, ringed
     */
    draw(state, { you = -1, caption = '' } = {}) {
        const g = this.context;
        const s = this.scale;
        const { width, height: h, walls } = this.geometry;
        g.save();
        g.fillStyle = '#10151c';
        g.fillRect(0, 0, this.canvas.width, this.canvas.height);
        g.strokeStyle = '#1d2733';
        g.lineWidth = 1;
        for (let x = 0; x <= width; x += 80) line(g, x * s, 0, x * s, h * s);
        for (let y = 0; y <= h; y += 80) line(g, 0, y * s, width * s, y * s);
        g.fillStyle = '#3b4756';
        for (const [x0, y0, x1, y1] of walls) g.fillRect(x0 * s, (h - y1) * s, (x1 - x0) * s, (y1 - y0) * s);
        for (const shot of state.projectiles) {
            g.fillStyle = SLOT_COLORS[shot.owner % SLOT_COLORS.length];
            disc(g, shot.x * s, (h - shot.y) * s, 4 * s);
        }
        state.players.forEach((p, slot) => this.drawPlayer(p, slot, slot === you));
        if (caption) {
            g.fillStyle = '#c9d4e0';
            g.font = `${Math.round(14 * s)}px system-ui, sans-serif`;
            g.fillText(caption, 10 * s, 22 * s);
        }
        g.restore();
    }

    drawPlayer(p, slot, isYou) {
        const g = this.context;
        const s = this.scale;
        const cx = p.x * s;
        const cy = (this.geometry.height - p.y) * s;
        const r = this.geometry.playerRadius * s;
        const color = SLOT_COLORS[slot % SLOT_COLORS.length];
        g.globalAlpha = p.alive ? 1 : 0.25;
        g.fillStyle = color;
        disc(g, cx, cy, r);
        const radians = (p.aim / TURN) * 2 * Math.PI;
        g.strokeStyle = color;
        g.lineWidth = 3 * s;
        line(g, cx, cy, cx + Math.cos(radians) * r * 1.7, cy - Math.sin(radians) * r * 1.7);
        if (isYou) {
            g.strokeStyle = '#ffffff';
            g.lineWidth = 2 * s;
            g.beginPath();
            g.arc(cx, cy, r + 4 * s, 0, 2 * Math.PI);
            g.stroke();
        }
        if (p.alive) {
            const fraction = Math.max(0, Math.min(1, p.health / this.geometry.maxHealth));
            g.fillStyle = '#222b';
            g.fillRect(cx - r, cy - r - 9 * s, 2 * r, 4 * s);
            g.fillStyle = fraction > 0.3 ? '#66bb6a' : '#ef5350';
            g.fillRect(cx - r, cy - r - 9 * s, 2 * r * fraction, 4 * s);
        }
        g.globalAlpha = 1;
    }
}

function line(g, x0, y0, x1, y1) {
    g.beginPath();
    g.moveTo(x0, y0);
    g.lineTo(x1, y1);
    g.stroke();
}

function disc(g, x, y, r) {
    g.beginPath();
    g.arc(x, y, r, 0, 2 * Math.PI);
    g.fill();
}
