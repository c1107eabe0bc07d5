// A full 30-minute match (54,000 ticks, 4 players) of the seeded arena bots, stepped frame by frame
// through arena.js, ends on the native build's hash, well within 2 seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createArena, createArenaBots } from '../../../Sources/LockstepWeb/Public/arena/arena.js';
import { hex64 } from '../../../Sources/LockstepWeb/Public/lockstep/replay.js';

// The native build's final hash of this match, printed by
//   swift build && .build/debug/lockstep replay record --players 4 --ticks 54000 --seed 30 /tmp/m.lsr
// ("final hash 0xcba31ded1df7b3c2", and `lockstep replay verify /tmp/m.lsr` agrees). The Swift test
// `botMatchTheBrowserTestPinsEndsOnItsHash` (Tests/LockstepReplayTests) checks the same figure natively.
const NATIVE_FINAL_HASH = 0xcba31ded1df7b3c2n;
const TICKS = 54_000;
const PLAYERS = 4;
const SEED = 30n;
const INPUT_DELAY = 2; // BotMatch's: a bot's input is for the tick 2 after it is made

test('a 54,000-tick 4-player bot match in wasm ends on the native hash in under 2 s of CPU', async (t) => {
    const sim = await createArena({ players: PLAYERS, seed: SEED });
    const bots = await createArenaBots({ players: PLAYERS, seed: SEED });
    // The frames `lockstep replay record` confirms without chaos: ticks before the input delay have
    // no input yet (missing, filled with the empty payload); then every bot's input arrives on time.
    const missing = { tick: 0, statuses: new Uint8Array(PLAYERS).fill(1), payloads: Array.from({ length: PLAYERS }, () => new Uint8Array(0)) };
    const onTime = { tick: 0, statuses: new Uint8Array(PLAYERS), payloads: Array.from({ length: PLAYERS }, () => new Uint8Array(5)) };

    // The bound is on this process's CPU time (node --test runs each file in its own process):
    // wall time on a CI machine shared with other builds measures the neighbours too.
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    for (let tick = 0; tick < TICKS; tick++) {
        let frame = missing;
        if (tick >= INPUT_DELAY) {
            for (let slot = 0; slot < PLAYERS; slot++) bots.next(slot, onTime.payloads[slot]);
            frame = onTime;
        }
        frame.tick = tick;
        sim.step(frame);
    }
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const wallSeconds = (performance.now() - started) / 1000;

    t.diagnostic(`${TICKS} ticks: ${wallSeconds.toFixed(3)} s wall (${Math.round(TICKS / wallSeconds)} ticks/s), ${cpuSeconds.toFixed(3)} s CPU`);
    assert.equal(sim.tick, TICKS);
    assert.equal(hex64(sim.hash()), hex64(NATIVE_FINAL_HASH));
    assert.equal(sim.isOver, true);
    const scores = sim.renderState().players.map((player) => player.score);
    assert.deepEqual(scores, [29, 28, 35, 28], 'the scores `lockstep replay record` printed');
    // The bound for the whole match; typically 0.2 to 0.4 s (figures in docs/JAVASCRIPT.md).
    assert.ok(cpuSeconds < 2,
        `${TICKS} ticks took ${cpuSeconds.toFixed(2)} s of CPU (${wallSeconds.toFixed(2)} s wall, ${Math.round(TICKS / wallSeconds)} ticks/s)`);
});
