// interpolateArena: what the watch, play and replays pages draw between two ticks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolateArena } from '../../../Sources/LockstepWeb/Public/app/interpolate.js';
import { normalizeRenderState } from '../../../Sources/LockstepWeb/Public/app/arena-view.js';

const player = (x, y, aim, alive = true) => ({ x, y, aim, health: 100, alive, score: 0, deaths: 0 });

test('positions blend linearly between two ticks', () => {
    const from = { players: [player(100, 200, 0)], projectiles: [] };
    const to = { players: [player(106, 194, 0)], projectiles: [] };
    const half = interpolateArena(from, to, 0.5);
    assert.equal(half.players[0].x, 103);
    assert.equal(half.players[0].y, 197);
    assert.equal(interpolateArena(from, to, 0).players[0].x, 100);
    assert.equal(interpolateArena(from, to, 1).players[0].x, 106);
    assert.equal(interpolateArena(from, to, 7).players[0].x, 106, 'alpha is clamped to 1');
});

test('the aim turns along the shorter arc across the wrap at 0', () => {
    const from = { players: [player(0, 0, 65000)], projectiles: [] };
    const to = { players: [player(0, 0, 500)], projectiles: [] };
    // 65000 → 500 is +1036 units the short way: halfway is 65518, not 32750.
    assert.equal(interpolateArena(from, to, 0.5).players[0].aim, 65518);
    assert.equal(interpolateArena(from, to, 0.75).players[0].aim, 241);
});

test('a respawn or a death is drawn where it is, never slid across the map', () => {
    const jumped = interpolateArena({ players: [player(60, 60, 0)], projectiles: [] },
        { players: [player(900, 580, 0)], projectiles: [] }, 0.5);
    assert.equal(jumped.players[0].x, 900);
    const died = interpolateArena({ players: [player(100, 100, 0, true)], projectiles: [] },
        { players: [player(104, 100, 0, false)], projectiles: [] }, 0.5);
    assert.equal(died.players[0].x, 104);
});

test('projectiles are drawn back along their velocity by the rest of the tick', () => {
    const to = { players: [], projectiles: [{ x: 118, y: 50, vx: 18, vy: 0, owner: 1 }] };
    const drawn = interpolateArena({ players: [], projectiles: [] }, to, 0.25);
    assert.equal(drawn.projectiles[0].x, 104.5);
});

test("arena.js's renderState normalises to what the view draws", () => {
    const state = normalizeRenderState({
        tick: 3, players: [{ slot: 0, x: 60, y: 60, angle: Math.PI / 2, aim: 16384, alive: false, health: 0, timer: 40, score: 2, deaths: 1 }],
        projectiles: [{ owner: 0, x: 1, y: 2, vx: 3, vy: 4, ticksLeft: 9 }],
    });
    assert.deepEqual(state.players[0], { x: 60, y: 60, aim: 16384, health: 0, alive: false, score: 2, deaths: 1 });
    assert.deepEqual(state.projectiles[0], { x: 1, y: 2, vx: 3, vy: 4, owner: 0 });
});
