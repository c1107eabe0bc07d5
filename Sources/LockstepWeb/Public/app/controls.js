// Keyboard and mouse to the arena's 5-byte input (Sources/LockstepSimulation/ArenaInput.swift,
// encoded by arena.js): move x and y (−127…127, +y up), aim (a binary angle, 65536 per turn,
// counter-clockwise from +x), fire. The page always sends all five bytes: a shorter payload is
// the neutral input, and a 5-byte one always sets the aim, so the aim is tracked here and sent
// every tick.
import { angleToAim, encodeArenaInput } from '../arena/arena.js';

const MOVE_KEYS = {
    KeyW: [0, 1], ArrowUp: [0, 1],
    KeyS: [0, -1], ArrowDown: [0, -1],
    KeyA: [-1, 0], ArrowLeft: [-1, 0],
    KeyD: [1, 0], ArrowRight: [1, 0],
};
/** Aim turns by this many BinaryAngle units per sampled tick while Q or E is held (6°). */
const AIM_STEP = 1092;

/**
 * Samples the keyboard and mouse once per tick: WASD or arrows move, the mouse aims (or Q / E
 * turn), Space or the left button fires.
 */
export class ArenaControls {
    /**
     * @param {HTMLCanvasElement} canvas where the mouse aims
     * @param {(x: number, y: number) => {x: number, y: number}} toWorld canvas offset → world units
     */
    constructor(canvas, toWorld) {
        this.held = new Set();
        this.mouse = null;
        this.mouseDown = false;
        this.aim = 0;
        const keyHandler = (down) => (event) => {
            if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) return;
            if (MOVE_KEYS[event.code] || event.code === 'Space') event.preventDefault();
            if (down) this.held.add(event.code);
            else this.held.delete(event.code);
        };
        window.addEventListener('keydown', keyHandler(true));
        window.addEventListener('keyup', keyHandler(false));
        window.addEventListener('blur', () => this.held.clear());
        canvas.addEventListener('mousemove', (e) => { this.mouse = toWorld(e.offsetX, e.offsetY); });
        canvas.addEventListener('mousedown', (e) => { if (e.button === 0) this.mouseDown = true; });
        window.addEventListener('mouseup', () => { this.mouseDown = false; });
    }

    /**
     * This tick's input as five bytes.
     * @param {{x: number, y: number} | null} you the local player's position (aims the mouse from it)
     */
    sample(you) {
        let x = 0;
        let y = 0;
        for (const code of this.held) {
            const move = MOVE_KEYS[code];
            if (move) { x += move[0]; y += move[1]; }
        }
        if (this.held.has('KeyQ')) this.aim = (this.aim + AIM_STEP) & 0xffff;
        if (this.held.has('KeyE')) this.aim = (this.aim - AIM_STEP) & 0xffff;
        if (this.mouse && you && !this.held.has('KeyQ') && !this.held.has('KeyE')) {
            const dx = this.mouse.x - you.x;
            const dy = this.mouse.y - you.y;
            if (dx * dx + dy * dy > 1) this.aim = angleToAim(Math.atan2(dy, dx));
        }
        const fire = this.held.has('Space') || this.mouseDown;
        return encodeArenaInput({ moveX: Math.sign(x) * 127, moveY: Math.sign(y) * 127, aim: this.aim, fire });
    }
}
