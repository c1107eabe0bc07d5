// A scripted fake Lockstep server and network with fake time, for driving LockstepClientCore
// deterministically: no socket, no timer, no sleep. The room follows docs/PROTOCOL.md closely
// enough for the client (HELLO/resume with catch-up batches, start + SCHEDULE 200 ms later,
// one FRAME per deadline with repeat-last filling, the drop late policy, PING/PONG, STATE_HASH
// comparison, MATCH_OVER votes, LEAVE, spectators with a delay). Messages travel with a one-way
// latency (changeable at any time) and stay in order per connection and direction, as over TCP.

import {
    decodeClientMessage, encodeError, encodeEvent, encodeFrame, encodeFrameBatch, encodePong, encodeSchedule,
    encodeWelcome, ErrorCode, EventKind, InputStatus,
} from '../../../Sources/LockstepWeb/Public/lockstep/index.js';

const MS = 1_000_000n;
const EMPTY = new Uint8Array(0);

/** The room and the network in one: add clients, then run the fake clock. */
export class FakeServer {
    constructor({
        players = 2, tickRate = 30, inputDelay = 2, leadWindow = 32, hashInterval = 30, spectatorDelay = 0, seed = 7n,
        maxTicks = 100_000, offset = 0n, latency = 10n * MS, start = 1_000_000_000n, simulationID = 'test.sum', simulationVersion = 1,
    } = {}) {
        Object.assign(this, { players, tickRate, inputDelay, leadWindow, hashInterval, spectatorDelay, seed, maxTicks, offset, latency, simulationID, simulationVersion });
        /** The client clock (BigInt ns); the server's is this plus `offset`. */
        this.now = start;
        this.queue = [];
        this.sequence = 0;
        this.endpoints = [];
        this.slots = Array.from({ length: players }, () => ({ conn: null, joined: false, left: false, last: EMPTY, inputs: new Map() }));
        this.spectators = new Set();
        this.phase = 'waiting';
        this.epoch = 0n;
        /** Every confirmed frame, in tick order. */
        this.frames = [];
        /** What the server saw: inputs on time per slot, late ones, hash reports, votes, delays. */
        this.stats = { late: 0, missing: Array(players).fill(0), desyncs: 0, inputDelays: [], matchOverVotes: new Map(), endReason: null };
        this.hashes = new Map();
        this.log = [];
        /** While true, connections fail at once (an unreachable server). */
        this.refuse = false;
    }

    get serverNow() {
        return this.now + this.offset;
    }

    /** Adds a client core; its actions are carried over the fake network. */
    addClient(core, name = `client-${this.endpoints.length}`) {
        const endpoint = { core, name, conn: null, events: [], sent: [] };
        this.endpoints.push(endpoint);
        return endpoint;
    }

    /** The deadline of `tick` on the server's clock. */
    deadline(tick) {
        return this.epoch + (BigInt(tick) * 1_000_000_000n) / BigInt(this.tickRate);
    }

    // MARK: The clock

    /** Runs until client time `limit`, or until `stop()` says so after a step. */
    run(limit, stop = () => false) {
        let stuck = 0;
        for (const endpoint of this.endpoints) this.perform(endpoint); // what the cores asked for meanwhile
        for (;;) {
            let next = this.queue.length > 0 ? this.queue[0].at : null;
            for (const endpoint of this.endpoints) next = earliest(next, endpoint.core.nextWakeup(this.now));
            if (this.phase === 'running') next = earliest(next, this.deadline(this.frames.length) - this.offset);
            if (next === null || next > limit) {
                this.now = limit > this.now ? limit : this.now;
                return false;
            }
            if (next > this.now) {
                this.now = next;
                stuck = 0;
            } else if (++stuck > 10_000) {
                throw new Error(`no progress at ${this.now}`);
            }
            this.step();
            if (stop()) return true;
        }
    }

    /** Runs until `stop()` holds, failing past `limit` ns of fake time. */
    runUntil(stop, limit = 120_000n * MS) {
        if (!this.run(this.now + limit, stop)) throw new Error(`not reached within ${limit / MS} ms of fake time`);
    }

    step() {
        while (this.queue.length > 0 && this.queue[0].at <= this.now) this.deliver(this.queue.shift());
        this.confirmDue();
        for (const endpoint of this.endpoints) {
            endpoint.events.push(...endpoint.core.update(this.now));
            this.perform(endpoint);
        }
    }

    enqueue(at, conn, direction, item) {
        const key = direction === 'up' ? 'upAt' : 'downAt';
        const time = conn[key] !== undefined && conn[key] > at ? conn[key] : at;
        conn[key] = time;
        this.queue.push({ at: time, order: this.sequence++, conn, ...item });
        this.queue.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.order - b.order));
    }

    deliver(item) {
        const { conn } = item;
        const endpoint = conn.endpoint;
        switch (item.kind) {
            case 'opened':
                if (endpoint.conn !== conn) return;
                conn.clientOpen = true;
                endpoint.events.push(...endpoint.core.handle({ type: 'opened' }, this.now));
                this.perform(endpoint);
                break;
            case 'toClient':
                if (endpoint.conn !== conn || !conn.clientOpen) return;
                // As LockstepClient does: update after every message.
                endpoint.events.push(...endpoint.core.handle({ type: 'message', data: item.data }, this.now));
                endpoint.events.push(...endpoint.core.update(this.now));
                this.perform(endpoint);
                break;
            case 'closedToClient':
                if (endpoint.conn !== conn || !conn.clientOpen) return;
                conn.clientOpen = false;
                endpoint.conn = null;
                endpoint.events.push(...endpoint.core.handle({ type: 'closed', code: item.code }, this.now));
                this.perform(endpoint);
                break;
            case 'toServer':
                if (conn.serverOpen) this.receive(conn, decodeClientMessage(item.data));
                break;
            case 'closedToServer':
                this.disconnect(conn);
                break;
        }
    }

    perform(endpoint) {
        for (const action of endpoint.core.takeActions()) {
            switch (action.type) {
                case 'connect': {
                    const conn = { endpoint, serverOpen: !this.refuse, clientOpen: this.refuse, slot: null, spectator: false };
                    endpoint.conn = conn;
                    endpoint.sent.push({ at: this.now, ...decodeClientMessage(action.hello) });
                    if (this.refuse) {
                        // The server is unreachable: the connection fails as a browser reports it.
                        this.enqueue(this.now + 2n * this.latency, conn, 'down', { kind: 'closedToClient', code: 1006 });
                        break;
                    }
                    this.enqueue(this.now + 2n * this.latency, conn, 'down', { kind: 'opened' });
                    this.enqueue(this.now + 3n * this.latency, conn, 'up', { kind: 'toServer', data: action.hello });
                    break;
                }
                case 'send':
                    endpoint.sent.push({ at: this.now, ...decodeClientMessage(action.data) });
                    if (endpoint.conn?.clientOpen) this.enqueue(this.now + this.latency, endpoint.conn, 'up', { kind: 'toServer', data: action.data });
                    break;
                case 'close':
                    if (endpoint.conn !== null) {
                        this.enqueue(this.now + this.latency, endpoint.conn, 'up', { kind: 'closedToServer' });
                        endpoint.conn.clientOpen = false;
                        endpoint.conn = null;
                    }
                    break;
            }
        }
    }

    /** Drops a client's connection at once, as a network failure would (both sides see it). */
    drop(endpoint) {
        const conn = endpoint.conn;
        if (conn === null) return;
        this.disconnect(conn);
        conn.clientOpen = false;
        endpoint.conn = null;
        endpoint.events.push(...endpoint.core.handle({ type: 'closed', code: 1006 }, this.now));
        this.perform(endpoint);
    }

    // MARK: The room

    send(conn, data) {
        if (conn.serverOpen) this.enqueue(this.now + this.latency, conn, 'down', { kind: 'toClient', data });
    }

    closeConnection(conn, code) {
        if (!conn.serverOpen) return;
        this.enqueue(this.now + this.latency, conn, 'down', { kind: 'closedToClient', code });
        this.disconnect(conn);
    }

    broadcast(data) {
        for (const slot of this.slots) if (slot.conn !== null) this.send(slot.conn, data);
        for (const conn of this.spectators) this.send(conn, data);
    }

    event(name, slot = null, fields = {}) {
        this.broadcast(encodeEvent({ kind: EventKind[name], tick: this.frames.length, slot, detail: '', ...fields }));
    }

    disconnect(conn) {
        if (!conn.serverOpen) return;
        conn.serverOpen = false;
        this.spectators.delete(conn);
        if (conn.slot !== null && this.slots[conn.slot].conn === conn) {
            this.slots[conn.slot].conn = null;
            if (!this.slots[conn.slot].left && this.phase !== 'ended') this.event('playerDisconnected', conn.slot);
        }
    }

    receive(conn, message) {
        this.log.push({ at: this.serverNow, slot: conn.slot, message });
        if (message.type === 'hello') return this.hello(conn, message);
        switch (message.type) {
            case 'ping':
                this.send(conn, encodePong({ clientTime: message.clientTime, serverTime: this.serverNow, nextTick: this.frames.length }));
                break;
            case 'input':
                this.input(conn, message);
                break;
            case 'stateHash':
                this.stateHash(conn, message);
                break;
            case 'matchOver':
                if (conn.slot === null || this.phase !== 'running') break;
                this.stats.matchOverVotes.set(conn.slot, message.tick);
                if (this.stats.matchOverVotes.size * 2 > this.connectedPlayers()) this.end(4);
                break;
            case 'leave':
                if (conn.slot !== null) {
                    this.slots[conn.slot].left = true;
                    this.event('playerLeft', conn.slot);
                }
                this.closeConnection(conn, 1000);
                break;
            case 'inputDelay':
                this.stats.inputDelays.push({ slot: conn.slot, ticks: message.ticks });
                break;
        }
    }

    connectedPlayers() {
        return this.slots.filter((slot) => slot.conn !== null).length;
    }

    hello(conn, { token, lastTick }) {
        const spectator = token === 'spectator';
        const slotIndex = spectator ? null : Number(token.replace('player-', ''));
        if (this.phase === 'ended' || (slotIndex !== null && this.slots[slotIndex].left)) {
            this.send(conn, encodeError({ code: ErrorCode.roomEnded, fatal: true, message: 'room ended' }));
            return this.closeConnection(conn, 4015);
        }
        conn.slot = slotIndex;
        conn.spectator = spectator;
        const running = this.phase === 'running';
        this.send(conn, encodeWelcome({
            role: spectator ? 'spectator' : 'player', slot: slotIndex, playerCount: this.players, tickRate: this.tickRate,
            inputDelay: this.inputDelay, leadWindow: this.leadWindow, payloadLimit: 32, hashInterval: this.hashInterval,
            spectatorDelay: this.spectatorDelay, seed: this.seed, simulationVersion: this.simulationVersion, phase: this.phase,
            nextTick: this.frames.length, schedule: { baseTick: 0, epoch: running ? this.epoch : 0n }, serverTime: this.serverNow,
            roomID: 'room-fake', simulationID: this.simulationID,
        }));
        const visible = spectator ? Math.max(0, this.frames.length - this.spectatorDelay) : this.frames.length;
        const from = lastTick === null ? 0 : lastTick + 1;
        if (running || this.phase === 'ended') {
            for (let tick = from; tick < visible; tick += 256) {
                this.send(conn, encodeFrameBatch({ frames: this.frames.slice(tick, Math.min(visible, tick + 256)) }));
            }
        }
        if (spectator) {
            this.spectators.add(conn);
            return;
        }
        const slot = this.slots[slotIndex];
        if (slot.conn !== null) {
            this.send(slot.conn, encodeError({ code: ErrorCode.replacedByNewConnection, fatal: true, message: 'replaced' }));
            const old = slot.conn;
            slot.conn = null;
            this.closeConnection(old, 4034);
        }
        slot.conn = conn;
        if (slot.joined) {
            this.event('playerReconnected', slotIndex);
            return;
        }
        slot.joined = true;
        this.event('playerJoined', slotIndex);
        if (this.phase === 'waiting' && this.slots.every((each) => each.joined)) {
            this.phase = 'running';
            this.epoch = this.serverNow + 200n * MS;
            this.event('matchStart');
            this.broadcast(encodeSchedule({ baseTick: 0, epoch: this.epoch, tickRate: this.tickRate }));
        }
    }

    input(conn, { tick, slot, payload }) {
        const error = (code) => this.send(conn, encodeError({ code, fatal: false, message: `input for tick ${tick} refused` }));
        if (conn.spectator) return error(ErrorCode.spectatorCannotSend);
        if (slot !== conn.slot) return error(ErrorCode.wrongSlot);
        if (payload.length > 32) return error(ErrorCode.payloadTooLarge);
        if (tick >= this.frames.length + this.leadWindow) return error(ErrorCode.tickTooFarAhead);
        if (tick < this.frames.length) {
            this.stats.late += 1;
            return error(ErrorCode.inputLate);
        }
        const inputs = this.slots[slot].inputs;
        if (inputs.has(tick)) return error(ErrorCode.duplicateInput);
        inputs.set(tick, payload);
    }

    stateHash(conn, { tick, hash }) {
        if (conn.slot === null || tick >= this.frames.length || (tick + 1) % this.hashInterval !== 0) return;
        if (!this.hashes.has(tick)) this.hashes.set(tick, new Map());
        const reports = this.hashes.get(tick);
        reports.set(conn.slot, hash);
        if (new Set(reports.values()).size > 1) this.stats.desyncs += 1;
    }

    /** Confirms every tick whose deadline has passed, and sends its FRAME. */
    confirmDue() {
        while (this.phase === 'running' && this.deadline(this.frames.length) <= this.serverNow) {
            const tick = this.frames.length;
            const statuses = new Uint8Array(this.players);
            const payloads = [];
            this.slots.forEach((slot, index) => {
                const input = slot.inputs.get(tick);
                slot.inputs.delete(tick);
                if (slot.conn === null && input === undefined) {
                    statuses[index] = InputStatus.disconnected;
                    payloads.push(EMPTY);
                } else if (input === undefined) {
                    statuses[index] = InputStatus.missingFilled;
                    payloads.push(slot.last);
                    this.stats.missing[index] += 1;
                } else {
                    statuses[index] = InputStatus.onTime;
                    payloads.push(input);
                    slot.last = input;
                }
            });
            const frame = { tick, statuses, payloads };
            this.frames.push(frame);
            const bytes = encodeFrame({ frame });
            for (const slot of this.slots) if (slot.conn !== null) this.send(slot.conn, bytes);
            const delayed = tick - this.spectatorDelay;
            if (delayed >= 0) for (const conn of this.spectators) this.send(conn, encodeFrame({ frame: this.frames[delayed] }));
            if (this.frames.length >= this.maxTicks) this.end(1);
        }
    }

    /** Ends the match: spectators get the frames they lack, everyone the match end, then 1000. */
    end(reason) {
        if (this.phase === 'ended') return;
        this.phase = 'ended';
        this.stats.endReason = reason;
        for (const conn of this.spectators) {
            for (let tick = Math.max(0, this.frames.length - this.spectatorDelay); tick < this.frames.length; tick++) {
                this.send(conn, encodeFrame({ frame: this.frames[tick] }));
            }
        }
        this.event('matchEnd', null, { reason });
        for (const slot of this.slots) if (slot.conn !== null) this.closeConnection(slot.conn, 1000);
        for (const conn of [...this.spectators]) this.closeConnection(conn, 1000);
    }
}

function earliest(a, b) {
    if (a === null) return b;
    if (b === null) return a;
    return a < b ? a : b;
}

export { MS };
