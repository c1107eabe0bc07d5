// The minimal example of docs/JAVASCRIPT.md (docs/examples/javascript/minimal-match.mjs) plays a
// whole match against a real `lockstep serve`, so the documentation cannot rot.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { MatchEndReason } from '../../../Sources/LockstepWeb/Public/lockstep/index.js';
import { playMatch } from '../../../docs/examples/javascript/minimal-match.mjs';
import { NodeWebSocket } from '../support/node-websocket.mjs';
import { lockstepBinary, startServer, within } from '../support/lockstep-server.mjs';

const binary = lockstepBinary();

test('the documented minimal example creates a room, plays it to the end and both players agree', { skip: binary === null && 'no lockstep binary: run swift build --product lockstep', timeout: 60_000 }, async () => {
    const lockstep = await startServer(binary);
    try {
        // Node's own WebSocket when it has one (Node 22, or 20 with --experimental-websocket as
        // tools/js-tests.sh runs it): a WebSocket no one here wrote, as a browser's is.
        const WebSocket = globalThis.WebSocket ?? NodeWebSocket;
        console.log(`the example plays over ${WebSocket === NodeWebSocket ? 'support/node-websocket.mjs' : 'the runtime\'s WebSocket'}`);
        const results = await within(45_000, 'the example match', playMatch({ server: lockstep.server, adminKey: lockstep.adminKey, WebSocket }));
        assert.equal(results.length, 2);
        for (const result of results) {
            assert.equal(result.matchEnd, MatchEndReason.playersReported);
            assert.ok(result.tick >= 89);
        }
        assert.equal(results[0].tick, results[1].tick);
        assert.equal(results[0].hash, results[1].hash);
    } finally {
        await lockstep.stop();
    }
});
