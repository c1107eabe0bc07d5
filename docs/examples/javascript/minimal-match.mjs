// A complete minimal match with the JavaScript client (docs/JAVASCRIPT.md): a backend creates a
// room with the admin key, two players connect with their tokens, play, and the match ends when
// their game says it is over. Run it against a server:
//
//   .build/debug/lockstep serve --admin-key dev-key &
//   node --experimental-websocket docs/examples/javascript/minimal-match.mjs http://127.0.0.1:8080 dev-key
//
// (Node 22 and browsers have a global WebSocket; Node 20 needs the flag, or pass a constructor.)
// Tests/JavaScript/client/example.test.mjs runs it against a real server.

import { pathToFileURL } from 'node:url';

import { AdminClient, LockstepClient, StateHasher } from '../../../Sources/LockstepWeb/Public/lockstep/index.js';

/** 1. The game: a deterministic simulation. Each player scores its input's first byte every tick. */
export class CounterGame {
    constructor({ players, seed }) {
        this.simulationID = 'example.counter';
        this.simulationVersion = 1;
        this.seed = seed; // a BigInt
        this.tick = 0;
        this.scores = new Int32Array(players); // integers only: no floats in the state
    }

    step({ tick, statuses, payloads }) {
        payloads.forEach((payload, slot) => {
            if (statuses[slot] !== 3 && payload.length > 0) this.scores[slot] += payload[0];
        });
        this.tick = tick + 1;
    }

    hash() {
        const hasher = new StateHasher().u64(this.seed).u32(this.tick);
        for (const score of this.scores) hasher.u32(score);
        return hasher.value;
    }

    snapshot() {
        return { tick: this.tick, scores: this.scores.slice() };
    }

    restore(snapshot) {
        this.tick = snapshot.tick;
        this.scores = snapshot.scores.slice();
    }

    get isOver() {
        return this.tick >= 90; // three seconds at 30 Hz
    }

    renderState() {
        return { tick: this.tick, scores: Array.from(this.scores) };
    }
}

/** Plays one match; resolves with each player's final tick and hash. */
export async function playMatch({ server, adminKey, WebSocket = globalThis.WebSocket }) {
    // 2. The backend creates the room (the admin key never goes to a player's browser).
    const admin = new AdminClient({ server, adminKey });
    const room = await admin.createRoom({ players: 2, simulation: 'example.counter', simulationVersion: 1 });

    // 3. Each player connects with its token and plays.
    const players = room.tokens.map(({ token }, slot) => {
        const client = new LockstepClient({ url: room.url, token, WebSocket, simulation: (params) => new CounterGame(params) });
        client.on('tick', ({ tick }) => {
            client.input = [(tick + slot) % 3]; // the game's controls, read once per tick or per frame
        });
        client.on('error', (error) => console.error(`player ${slot}:`, error.message));
        return client.connect();
    });

    // 4. Each client votes MATCH_OVER when its confirmed state is over; the room ends the match.
    const results = await Promise.all(players.map((client) => client.finished));
    return players.map((client, slot) => ({
        slot, matchEnd: results[slot].matchEnd, tick: client.lastConfirmedTick, hash: client.confirmed.hash(), scores: client.confirmed.renderState().scores,
    }));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
    const [server = 'http://127.0.0.1:8080', adminKey = process.env.LOCKSTEP_ADMIN_KEY] = process.argv.slice(2);
    for (const result of await playMatch({ server, adminKey })) {
        console.log(`player ${result.slot}: ended (reason ${result.matchEnd}) at tick ${result.tick}, scores ${result.scores}, hash 0x${result.hash.toString(16)}`);
    }
}
