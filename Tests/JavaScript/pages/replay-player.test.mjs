// ReplayPlayer: verification against checkpoints and final hash, and seeking by snapshot + re-simulation.
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

function makeReplay(frameCount, { checkpointEvery = 30, corruptTick = -1 } = {}) {
    const frames = Array.from({ length: frameCount }, (_, tick) => ({
        tick, statuses: new Uint8Array([0, 0]), payloads: [new Uint8Array([tick % 7, 1]), new Uint8Array([tick % 5])],
    }));
    const reference = new FoldSimulation();
    const checkpoints = [];
    for (const frame of frames) {
        reference.step(frame);
        if ((frame.tick + 1) % checkpointEvery === 0) {
            checkpoints.push({ tick: frame.tick, hash: frame.tick === corruptTick ? reference.hash() ^ 1n : reference.hash() });
        }
    }
    return { frameCount, frameAt: (i) => frames[i], checkpoints, finalHash: reference.hash(), complete: true };
}

function hashAfter(replay, position) {
    const sim = new FoldSimulation();
    for (let i = 0; i < position; i += 1) sim.step(replay.frameAt(i));
    return sim.hash();
}

test('a replay whose checkpoints and final hash match verifies', async () => {
    const replay = makeReplay(1000);
    const result = await new ReplayPlayer(replay, new FoldSimulation(), { snapshotInterval: 64 }).verify({ chunk: 97 });
    assert.equal(result.verified, true);
    assert.equal(result.ticks, 1000);
    assert.equal(result.checkpoints, 33);
    assert.equal(result.finalHash, formatHash(replay.finalHash));
});

test('a wrong checkpoint is reported at its tick and the replay is not verified', async () => {
    const replay = makeReplay(600, { corruptTick: 299 });
    const result = await new ReplayPlayer(replay, new FoldSimulation()).verify();
    assert.equal(result.verified, false);
    assert.equal(result.mismatch.tick, 299);
});

test('a wrong final hash is a mismatch; an unrecorded one (0) is not', async () => {
    const wrong = { ...makeReplay(100), finalHash: 5n };
    assert.equal((await new ReplayPlayer(wrong, new FoldSimulation()).verify()).verified, false);
    const unrecorded = { ...makeReplay(100), finalHash: 0n };
    const result = await new ReplayPlayer(unrecorded, new FoldSimulation()).verify();
    assert.equal(result.verified, true);
    assert.equal(result.finalHashRecorded, false);
});

test('seeking anywhere, backwards or forwards, gives the state of a straight re-simulation', async () => {
    const replay = makeReplay(2000);
    const sim = new FoldSimulation();
    const player = new ReplayPlayer(replay, sim, { snapshotInterval: 100 });
    await player.verify();
    for (const target of [0, 1, 99, 100, 101, 1999, 2000, 1234, 5, 777, 778, 3000, -4]) {
        player.seek(target);
        const clamped = Math.max(0, Math.min(2000, target));
        assert.equal(player.position, clamped);
        assert.equal(sim.hash(), hashAfter(replay, clamped), `seek(${target})`);
    }
});

test('a seek re-simulates fewer frames than the snapshot interval', async () => {
    const replay = makeReplay(5000);
    const sim = new FoldSimulation();
    const player = new ReplayPlayer(replay, sim, { snapshotInterval: 250 });
    await player.verify();
    sim.steps = 0;
    player.seek(4999);
    assert.ok(sim.steps < 250, `${sim.steps} steps`);
    sim.steps = 0;
    player.seek(10);
    assert.equal(sim.steps, 10);
});
