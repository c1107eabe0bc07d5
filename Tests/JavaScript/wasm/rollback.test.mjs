// Snapshots and restores of the wasm arena: rolling back and re-simulating gives the same hashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createArena, createArenaBots } from '../../../Sources/LockstepWeb/Public/arena/arena.js';
import { readReplay } from '../../../Sources/LockstepWeb/Public/lockstep/replay.js';
import { goldenReplays } from './support.mjs';

const chaos = readReplay((await goldenReplays()).find((r) => r.name === 'chaos-8p-disconnects.lsr').bytes);

async function arenaFor(replay) {
    return createArena({ players: replay.slotCount, seed: replay.header.seed });
}

/** Steps ticks `from..<to` of `replay` and returns the hash after each. */
function stepRange(sim, replay, from, to) {
    const hashes = [];
    let frame;
    for (let tick = from; tick < to; tick++) {
        sim.step((frame = replay.frame(tick, frame)));
        hashes.push(sim.hash());
    }
    return hashes;
}

test('snapshot, step N, restore, step N again gives the same hashes', async () => {
    const sim = await arenaFor(chaos);
    stepRange(sim, chaos, 0, 1000);
    const snapshot = sim.snapshot();
    const first = stepRange(sim, chaos, 1000, 1300);
    sim.restore(snapshot);
    assert.equal(sim.tick, 1000);
    const second = stepRange(sim, chaos, 1000, 1300);
    assert.deepEqual(second, first);
});

test('a rollback after mispredicted inputs lands on the confirmed hashes (sync test every tick)', async () => {
    // GGPO-style sync test: every tick, step a wrong guess, roll back, step the real frame.
    const sim = await arenaFor(chaos);
    const reference = await arenaFor(chaos);
    const bots = await createArenaBots({ players: chaos.slotCount, seed: 99n });
    const guess = { tick: 0, statuses: new Uint8Array(chaos.slotCount), payloads: Array.from({ length: chaos.slotCount }, () => new Uint8Array(5)) };
    const saved = new Uint8Array(sim.snapshotSize);
    let frame;
    for (let tick = 0; tick < 600; tick++) {
        sim.snapshot(saved);
        for (let slot = 0; slot < chaos.slotCount; slot++) bots.next(slot, guess.payloads[slot]);
        guess.tick = tick;
        sim.step(guess);
        sim.step({ ...guess, tick: tick + 1 });
        sim.restore(saved);
        frame = chaos.frame(tick, frame);
        sim.step(frame);
        reference.step(frame);
        assert.equal(sim.hash(), reference.hash(), `tick ${tick}`);
    }
});

test('a snapshot of one arena restores into another of the same match', async () => {
    const confirmed = await arenaFor(chaos);
    const predicted = await arenaFor(chaos);
    stepRange(confirmed, chaos, 0, 700);
    predicted.restore(confirmed.snapshot());
    assert.equal(predicted.tick, 700);
    assert.equal(predicted.hash(), confirmed.hash());
    assert.deepEqual(stepRange(predicted, chaos, 700, 800), stepRange(confirmed, chaos, 700, 800));
});

test('snapshot(into) reuses the given array, and a snapshot is a copy that later steps do not change', async () => {
    const sim = await arenaFor(chaos);
    const into = new Uint8Array(sim.snapshotSize);
    assert.equal(sim.snapshot(into), into);
    const copy = into.slice();
    stepRange(sim, chaos, 0, 50);
    assert.deepEqual(into, copy);
    assert.notDeepEqual(sim.snapshot(), copy);
});

test('restore refuses what is not a snapshot of this arena and leaves the state alone', async () => {
    const sim = await arenaFor(chaos);
    stepRange(sim, chaos, 0, 10);
    const before = sim.hash();
    const duel = await createArena({ players: 2, seed: 1n });
    assert.throws(() => sim.restore(duel.snapshot()), { name: 'TypeError', message: /not a snapshot of this arena/ });
    assert.throws(() => sim.restore({ tick: 3 }), TypeError);
    assert.equal(sim.hash(), before);
});

test('frames through the client library\'s codec and its sync test: the wasm arena is deterministic', async () => {
    // What a browser client does: FRAME_BATCH bytes decoded by protocol.js go straight to step();
    // the SyncTester rolls back 3 ticks and re-simulates at every tick.
    const { encodeFrameBatch, decodeServerMessage } = await import('../../../Sources/LockstepWeb/Public/lockstep/protocol.js');
    const { SyncTester } = await import('../../../Sources/LockstepWeb/Public/lockstep/sync-test.js');
    const tester = new SyncTester(await arenaFor(chaos), 3);
    const plain = await arenaFor(chaos);
    for (let first = 0; first < 900; first += 100) {
        const frames = Array.from({ length: 100 }, (_, index) => chaos.frame(first + index));
        const decoded = decodeServerMessage(encodeFrameBatch({ frames })).frames;
        assert.equal(decoded.length, 100);
        for (const frame of decoded) {
            assert.equal(tester.step(frame), null, `tick ${frame.tick}`);
            plain.step(frame);
        }
    }
    assert.equal(tester.checkedTicks, 900);
    assert.equal(tester.simulation.hash(), plain.hash());
    assert.equal(plain.hash(), chaos.checkpoints.find((c) => c.tick === 899).hash);
});
