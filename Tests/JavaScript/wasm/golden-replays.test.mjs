// The browser build re-simulates every golden replay and matches every checkpoint and the final hash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createArena } from '../../../Sources/LockstepWeb/Public/arena/arena.js';
import { readReplay, verifyReplay, hex64 } from '../../../Sources/LockstepWeb/Public/lockstep/replay.js';
import { goldenReplays } from './support.mjs';

const replays = await goldenReplays();

test('there are golden replays to check', () => {
    assert.ok(replays.length >= 3, `found ${replays.map((r) => r.name)}`);
});

for (const { name, bytes } of replays) {
    test(`the wasm arena matches every checkpoint and the final hash of ${name}`, async () => {
        const replay = readReplay(bytes);
        assert.equal(replay.header.simulationID, 'lockstep.arena');
        assert.ok(replay.checkpoints.length > 0, 'a golden replay has checkpoints');
        assert.notEqual(replay.footer.finalHash, 0n);
        const sim = await createArena({ players: replay.slotCount, seed: replay.header.seed });
        assert.equal(sim.simulationVersion, replay.header.simulationVersion);

        // Every checkpoint, one by one (not only the first mismatch).
        const expected = new Map(replay.checkpoints.map((checkpoint) => [checkpoint.tick, checkpoint.hash]));
        let compared = 0;
        let frame;
        for (let tick = 0; tick < replay.frameCount; tick++) {
            sim.step((frame = replay.frame(tick, frame)));
            if (expected.has(tick)) {
                assert.equal(hex64(sim.hash()), hex64(expected.get(tick)), `${name}: checkpoint at tick ${tick}`);
                compared++;
            }
        }
        assert.equal(compared, replay.checkpoints.length);
        assert.equal(hex64(sim.hash()), hex64(replay.footer.finalHash), `${name}: final hash`);
    });

    test(`verifyReplay reports ${name} ok with every checkpoint checked`, async () => {
        const replay = readReplay(bytes);
        const report = verifyReplay(replay, await createArena({ players: replay.slotCount, seed: replay.header.seed }));
        assert.equal(report.ok, true, JSON.stringify(report, (_, v) => (typeof v === 'bigint' ? hex64(v) : v)));
        assert.equal(report.checkpointsChecked, replay.checkpoints.length + 1);
        assert.equal(report.ticks, replay.footer.tickCount);
        assert.equal(report.finalHash, replay.footer.finalHash);
    });
}

test('verifyReplay names the first mismatching checkpoint of a replay whose hash was altered', async () => {
    const replay = readReplay((await goldenReplays()).find((r) => r.name === 'duel-2p-short.lsr').bytes);
    const altered = replay.checkpoints[3];
    altered.hash ^= 1n;
    const report = verifyReplay(replay, await createArena({ players: replay.slotCount, seed: replay.header.seed }));
    assert.equal(report.ok, false);
    assert.equal(report.mismatch.tick, altered.tick);
    assert.equal(report.mismatch.expected, altered.hash);
    assert.equal(report.mismatch.actual, altered.hash ^ 1n);
});

test('verifyReplay refuses a simulation other than the one the header names', async () => {
    const replay = readReplay(replays[0].bytes);
    const sim = await createArena({ players: replay.slotCount, seed: replay.header.seed });
    replay.header.simulationVersion = 2;
    assert.throws(() => verifyReplay(replay, sim), /needs lockstep\.arena@2, not lockstep\.arena@1/);
});
