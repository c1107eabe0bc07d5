// ReplayPlayer (the replays page's timeline): seeking by snapshot + re-simulation gives exactly the
// state of a straight re-simulation, and re-simulates little.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplayPlayer, formatHash } from '../../../Sources/LockstepWeb/Public/app/replay-player.js';

/** A tiny deterministic Simulation: FNV-1a over every tick and payload byte it steps. */
class FoldSimulation {
    constructor() { this.state = 0xcbf29ce484222325n; this.steps = 0; }
    step(frame) {
        this.steps += 1;
        for (const byte of [frame.tick & 0xff, ...frame.payloads.flatMap((p) => [...p])]) {
            this.state = BigInt.asUintN(64, (this.state ^ BigInt(byte)) * 0x100000001b3n);
        }
    }
    hash() { return this.state; }
    snapshot() { return this.state; }
    restore(snapshot) { this.state = snapshot; }
    renderState() { return { state: this.state }; }
}

/** The shape lockstep/replay.js reads: frameCount and frame(index, into). */
function makeReplay(frameCount) {
    return {
        frameCount,
        frame: (tick, into) => Object.assign(into ?? {}, {
            tick, statuses: new Uint8Array([0, 0]), payloads: [new Uint8Array([tick % 7, 1]), new Uint8Array([tick % 5])],
        }),
    };
}

function hashAfter(replay, position) {
    const sim = new FoldSimulation();
    for (let i = 0; i < position; i += 1) sim.step(replay.frame(i));
    return sim.hash();
}

test('seeking anywhere, backwards or forwards, gives the state of a straight re-simulation', () => {
    const replay = makeReplay(2000);
    const sim = new FoldSimulation();
    const player = new ReplayPlayer(replay, sim, { snapshotInterval: 100 });
    for (const target of [0, 1, 99, 100, 101, 1999, 2000, 1234, 5, 777, 778, 3000, -4, 450]) {
        player.seek(target);
        const clamped = Math.max(0, Math.min(2000, target));
        assert.equal(player.position, clamped);
        assert.equal(sim.hash(), hashAfter(replay, clamped), `seek(${target})`);
    }
});

test('playing forward with advance() matches seeking to the same tick', () => {
    const replay = makeReplay(500);
    const sim = new FoldSimulation();
    const player = new ReplayPlayer(replay, sim, { snapshotInterval: 64 });
    assert.equal(player.advance(130), 130);
    assert.equal(sim.hash(), hashAfter(replay, 130));
    assert.equal(player.advance(1000), 370);
    assert.ok(player.atEnd);
    player.seek(200);
    player.advance(1);
    assert.equal(sim.hash(), hashAfter(replay, 201));
});

test('once passed, a seek re-simulates fewer frames than the snapshot interval', () => {
    const replay = makeReplay(5000);
    const sim = new FoldSimulation();
    const player = new ReplayPlayer(replay, sim, { snapshotInterval: 250 });
    player.seek(5000);
    sim.steps = 0;
    player.seek(4999);
    assert.ok(sim.steps < 250, `${sim.steps} steps`);
    sim.steps = 0;
    player.seek(10);
    assert.equal(sim.steps, 10);
    sim.steps = 0;
    player.seek(2600);
    assert.equal(sim.steps, 100);
});

test('hashes are formatted as the CLI prints them', () => {
    assert.equal(formatHash(0x2e43e3c18353d3d7n), '0x2e43e3c18353d3d7');
    assert.equal(formatHash(5n), '0x0000000000000005');
    assert.equal(formatHash(-1n), '0xffffffffffffffff');
});
