// arena.js: loading, the Simulation interface's contract and errors, inputs and what it draws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import {
    angleToAim, createArena, encodeArenaInput, loadArenaModule,
} from '../../../Sources/LockstepWeb/Public/arena/arena.js';
import { arenaWasmURL } from './support.mjs';

function frame(tick, payloads, statuses = new Uint8Array(payloads.length)) {
    return { tick, statuses, payloads };
}

test('the arena reports the server simulation id and version', async () => {
    const sim = await createArena({ players: 2, seed: 1n });
    assert.equal(sim.simulationID, 'lockstep.arena');
    assert.equal(sim.simulationVersion, 1);
    assert.equal(sim.players, 2);
    assert.equal(sim.tick, 0);
    assert.equal(sim.isOver, false);
    assert.equal(typeof sim.hash(), 'bigint');
});

test('the module loads from bytes, a file URL, a compiled module or next to arena.js', async () => {
    const bytes = new Uint8Array(await readFile(arenaWasmURL));
    const hashes = [];
    for (const wasm of [bytes, bytes.buffer, arenaWasmURL, arenaWasmURL.href, await loadArenaModule(bytes), undefined]) {
        hashes.push((await createArena({ players: 3, seed: 5n, wasm })).hash());
    }
    assert.equal(new Set(hashes).size, 1);
});

test('two arenas are independent instances', async () => {
    const a = await createArena({ players: 2, seed: 1n });
    const b = await createArena({ players: 2, seed: 1n });
    a.step(frame(0, [encodeArenaInput({ moveX: 127 }), new Uint8Array(0)]));
    assert.notEqual(a.hash(), b.hash());
    assert.equal(b.tick, 0);
});

test('a player count or seed the arena refuses is a RangeError with the simulation message', async () => {
    await assert.rejects(createArena({ players: 1, seed: 1n }), { name: 'RangeError', message: 'players must be 2 to 8 for lockstep.arena, not 1' });
    await assert.rejects(createArena({ players: 9, seed: 1n }), /must be 2 to 8/);
    await assert.rejects(createArena({ players: 2.5, seed: 1n }), /players must be an integer/);
    await assert.rejects(createArena({ players: 2, seed: -1n }), /seed must be an unsigned 64-bit integer/);
    await assert.rejects(createArena({ players: 2, seed: 2n ** 64n }), /seed must be an unsigned 64-bit integer/);
});

test('the whole u64 seed range reaches the simulation (a seed above 2^63 differs from its low bits)', async () => {
    const high = await createArena({ players: 2, seed: 0xffffffffffffffffn });
    const low = await createArena({ players: 2, seed: 0x7fffffffffffffffn });
    assert.notEqual(high.hash(), low.hash());
    const small = await createArena({ players: 2, seed: 7 });
    assert.equal(small.hash(), (await createArena({ players: 2, seed: 7n })).hash());
});

test('frames must come in tick order; a refused frame leaves the state unchanged', async () => {
    const sim = await createArena({ players: 2, seed: 1n });
    const empty = [new Uint8Array(0), new Uint8Array(0)];
    sim.step(frame(0, empty));
    const before = sim.hash();
    assert.throws(() => sim.step(frame(5, empty)), { name: 'RangeError', message: /frame for tick 5 stepped at tick 1/ });
    assert.throws(() => sim.step(frame(1, empty, Uint8Array.of(0, 4))), /not an InputStatus/);
    assert.throws(() => sim.step(frame(1, [new Uint8Array(1025), new Uint8Array(0)])), /exceeds 1024/);
    assert.throws(() => sim.step(frame(1, [new Uint8Array(0)], Uint8Array.of(0, 0))), /one payload per status/);
    assert.throws(() => sim.step(frame(1, new Array(65).fill(new Uint8Array(0)))), /at most 64 slots/);
    assert.equal(sim.tick, 1);
    assert.equal(sim.hash(), before);
    sim.step(frame(1, empty));
    assert.equal(sim.tick, 2);
});

test('a frame with fewer slots than players leaves the others neutral; extra slots are ignored', async () => {
    const short = await createArena({ players: 3, seed: 2n });
    const full = await createArena({ players: 3, seed: 2n });
    const move = encodeArenaInput({ moveX: 100, moveY: -50, aim: 1000, fire: true });
    short.step(frame(0, [move]));
    full.step(frame(0, [move, new Uint8Array(0), new Uint8Array(0), move]));
    assert.equal(short.hash(), full.hash());
});

test('encodeArenaInput writes the ArenaInput payload the simulation reads', async () => {
    assert.deepEqual([...encodeArenaInput({ moveX: -127, moveY: 127, aim: 0x1234, fire: true })], [0x81, 0x7f, 0x34, 0x12, 1]);
    assert.deepEqual([...encodeArenaInput({ moveX: -500, moveY: 300 })], [0x81, 0x7f, 0, 0, 0]);
    assert.equal(angleToAim(0), 0);
    assert.equal(angleToAim(Math.PI / 2), 16384);
    assert.equal(angleToAim(-Math.PI / 2), 49152);
    assert.equal(angleToAim(2 * Math.PI), 0);

    const sim = await createArena({ players: 2, seed: 3n });
    const start = sim.renderState().players[0];
    sim.step(frame(0, [encodeArenaInput({ moveX: 127, aim: 16384 }), new Uint8Array(0)]));
    const moved = sim.renderState().players[0];
    assert.equal(moved.x, start.x + 6, 'top speed is 6 units per tick');
    assert.equal(moved.y, start.y);
    assert.equal(moved.aim, 16384);
    assert.equal(moved.angle, Math.PI / 2);
});

test('renderState gives players and live projectiles in world units, and geometry the arena', async () => {
    const sim = await createArena({ players: 4, seed: 9n });
    const { geometry } = sim;
    assert.equal(geometry.width, 960);
    assert.equal(geometry.height, 640);
    assert.equal(geometry.playerRadius, 16);
    assert.equal(geometry.maxHealth, 100);
    assert.equal(geometry.tickLimit, 54000);
    assert.equal(geometry.scoreLimit, 25);
    assert.equal(geometry.walls.length, 5);
    assert.deepEqual(geometry.walls[0], { minX: 200, minY: 150, maxX: 260, maxY: 490 });

    const initial = sim.renderState();
    assert.equal(initial.tick, 0);
    assert.equal(initial.projectiles.length, 0);
    assert.deepEqual(initial.players.map(({ x, y }) => [x, y]), [[60, 60], [900, 580], [900, 60], [60, 580]]);
    assert.deepEqual(Object.keys(initial.players[0]).sort(),
        ['aim', 'alive', 'angle', 'deaths', 'health', 'score', 'slot', 'timer', 'x', 'y']);
    assert.equal(initial.players[0].health, 100);
    assert.equal(initial.players[0].alive, true);

    const fire = encodeArenaInput({ aim: 0, fire: true });
    const none = new Uint8Array(0);
    sim.step(frame(0, [fire, none, none, none]));
    const after = sim.renderState();
    assert.equal(after.tick, 1);
    assert.equal(after.projectiles.length, 1);
    const shot = after.projectiles[0];
    assert.equal(shot.owner, 0);
    assert.equal(shot.vx, 18);
    assert.equal(shot.vy, 0);
    assert.equal(shot.x, 60 + 16 + 18, 'spawned one radius ahead, then moved one tick');
    assert.equal(after.players[0].timer, 8, 'the fire cooldown');
});

test('the module loads from an HTTP response, streamed when it is served as application/wasm', async () => {
    const bytes = await readFile(arenaWasmURL);
    const expected = (await createArena({ players: 2, seed: 4n })).hash();
    for (const type of ['application/wasm', 'application/octet-stream']) {
        const response = new Response(bytes, { headers: { 'content-type': type } });
        assert.equal((await createArena({ players: 2, seed: 4n, wasm: response })).hash(), expected, type);
    }
});

test('the module loads from an http:// URL as a browser fetches it, and a missing file is a clear error', async () => {
    const bytes = await readFile(arenaWasmURL);
    const server = createServer((request, response) => {
        if (request.url !== '/arena/arena.wasm') return response.writeHead(404).end();
        response.writeHead(200, { 'content-type': 'application/wasm' }).end(bytes);
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
        const base = `http://127.0.0.1:${server.address().port}`;
        const sim = await createArena({ players: 2, seed: 4n, wasm: `${base}/arena/arena.wasm` });
        assert.equal(sim.hash(), (await createArena({ players: 2, seed: 4n })).hash());
        await assert.rejects(createArena({ players: 2, seed: 4n, wasm: `${base}/nope.wasm` }), /cannot load .*nope\.wasm: HTTP 404/);
    } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
    }
});
