// Opens a replay file for the replays page: reads it (lockstep/replay.js), verifies it by
// re-simulating it through the WebAssembly arena as `lockstep replay verify` does, and builds a
// second arena for playback.
import { readReplay, verifyReplay } from '../lockstep/replay.js';
import { createArena } from '../arena/arena.js';

/**
 * @param {Uint8Array} bytes a replay file
 * @returns {Promise<{replay: object, sim: object, verdict: object, milliseconds: number}>} the
 *   replay, a fresh arena for playback, and verifyReplay's verdict
 * @throws {Error} a ReplayError for an unreadable file, or the verifier's error for another game
 */
export async function openReplay(bytes) {
    const replay = readReplay(bytes);
    const params = { players: replay.slotCount, seed: replay.header.seed };
    const [checker, sim] = await Promise.all([createArena(params), createArena(params)]);
    const started = performance.now();
    const verdict = verifyReplay(replay, checker);
    const milliseconds = performance.now() - started;
    checker.dispose?.();
    return { replay, sim, verdict, milliseconds };
}
