#!/usr/bin/env node
// Re-simulates replays through the browser build (arena.wasm via arena.js) under Node and prints,
// per file, what `lockstep replay verify` prints plus the speed: the JavaScript twin of the CLI.
//
//   node tools/wasm/resimulate.mjs Replays/*.lsr
//
// Exit status 0 only when every file verifies.
import { readFile } from 'node:fs/promises';
import { createArena } from '../../Sources/LockstepWeb/Public/arena/arena.js';
import { hex64, readReplay, verifyReplay } from '../../Sources/LockstepWeb/Public/lockstep/replay.js';

const files = process.argv.slice(2);
if (files.length === 0) {
    console.error('Error: no replay given\nUsage: node tools/wasm/resimulate.mjs FILE...');
    process.exit(64);
}
let allOK = true;
for (const file of files) {
    try {
        const started = performance.now();
        const replay = readReplay(await readFile(file));
        const read = performance.now();
        const sim = await createArena({ players: replay.slotCount, seed: replay.header.seed });
        const created = performance.now();
        const cpuBefore = process.cpuUsage();
        const report = verifyReplay(replay, sim);
        const cpu = process.cpuUsage(cpuBefore);
        const done = performance.now();
        const simulated = done - created;
        const cpuMillis = (cpu.user + cpu.system) / 1000;
        const speed = Math.round(report.ticks / (simulated / 1000));
        const timing = `read ${Math.round(read - started)} ms, simulated in ${Math.round(simulated)} ms (${speed} ticks/s; `
            + `${Math.round(cpuMillis)} ms CPU), total ${Math.round(done - started)} ms`;
        if (report.ok) {
            console.log(`${file}: ok: ${report.ticks} ticks, ${report.checkpointsChecked} checkpoints, final hash ${hex64(report.finalHash)}, ${timing}`);
        } else {
            allOK = false;
            const { tick, expected, actual } = report.mismatch;
            console.log(`${file}: MISMATCH at tick ${tick}: expected ${hex64(expected)}, actual ${hex64(actual)}`);
        }
    } catch (error) {
        allOK = false;
        console.log(`${file}: error: ${error.message}`);
    }
}
process.exit(allOK ? 0 : 1);
