// LockstepClient: the sans-I/O core (core.js) driven over a WebSocket and timers. The socket
// constructor, the clock and the timers are injected (the browser's by default), so the same
// client runs in a page, in Node (pass a WebSocket constructor) and in tests.

import { LockstepClientCore } from './core.js';
import { Emitter } from './emitter.js';
import { SnapshotInterpolator } from './interpolation.js';
import { SUBPROTOCOL } from './protocol.js';

/** The default clock: monotonic ns as a BigInt (Node's CLOCK_MONOTONIC, else performance.now()). */
export function monotonicNow() {
    const hrtime = globalThis.process?.hrtime?.bigint;
    if (typeof hrtime === 'function') return hrtime();
    return BigInt(Math.round(globalThis.performance.now() * 1e6));
}

/**
 * A game client for one room.
 *
 * Events (client.on(type, listener)): 'welcome', 'schedule', 'connected', 'tick' ({ tick, head }),
 * 'rtt' ({ rttNanos, medianRttNanos, offsetNanos }), 'inputDelay' ({ delay }), 'rollback'
 * ({ statistics }), 'desync' ({ event, mine }), 'matchStart', 'matchEnd' ({ reason }), 'room'
 * (every EVENT), 'stateHash' ({ tick, hash }), 'serverError' and 'error' ({ code, fatal, message }
 * from the server, or { failure }), 'disconnected' ({ code, willReconnect }), 'reconnecting'
 * ({ attempt, delayNanos }), 'outOfSync', 'syncTestFailed', 'failed' ({ failure }), and 'close'
 * once, when the client is done ({ matchEnd, failure }).
 */
export class LockstepClient extends Emitter {
    /**
     * @param {object} options the core's options (token, simulation, ... see core.js) and:
     * @param {string} options.url the play URL, ws://HOST:PORT/v1/play?room=ID
     * @param {Function} [options.WebSocket] the WebSocket constructor (default: globalThis.WebSocket)
     * @param {Function} [options.now] the clock: () => BigInt ns, monotonic
     * @param {object} [options.timers] { setTimeout, clearTimeout }
     * @param {object} [options.interpolation] SnapshotInterpolator options for renderState()
     */
    constructor(options) {
        super();
        if (typeof options?.url !== 'string') throw new TypeError('a play URL (string) is required');
        this.url = options.url;
        this.WebSocket = options.WebSocket ?? globalThis.WebSocket;
        if (typeof this.WebSocket !== 'function') {
            throw new TypeError('no WebSocket: pass options.WebSocket (Node 20: run with --experimental-websocket, or use a package)');
        }
        this.now = options.now ?? monotonicNow;
        this.timers = options.timers ?? { setTimeout: globalThis.setTimeout.bind(globalThis), clearTimeout: globalThis.clearTimeout.bind(globalThis) };
        /** The protocol and session logic. */
        this.core = new LockstepClientCore(options);
        this.interpolator = new SnapshotInterpolator(options.interpolation);
        this.socket = null;
        this.timer = null;
        this.closeReported = false;
        this.lastRendered = null;
        /** Resolves when the client is done: { matchEnd, failure }. */
        this.finished = new Promise((resolve) => this.once('close', resolve));
    }

    /** Opens the connection (asynchronously; events say what happens). Returns the client. */
    connect() {
        this.core.start();
        this.run([]);
        return this;
    }

    /** Closes the connection for good. */
    close() {
        this.core.close();
        this.run([]);
    }

    /** Leaves the match for good: sends LEAVE, then closes (no reconnect). */
    leave() {
        this.core.leave();
        this.run([]);
    }

    /** Drops the connection as a network failure would (tests): the client reconnects. */
    simulateConnectionLoss() {
        const socket = this.socket;
        if (socket === null) return;
        this.detach(socket);
        this.run(this.core.handle({ type: 'closed', code: 1006 }, this.now()));
    }

    /** Processes due work now (inputs, pings, prediction). The client's own timers do it anyway. */
    poll() {
        this.run([]);
    }

    /** The input for the coming ticks (bytes). */
    get input() {
        return this.core.input;
    }

    set input(bytes) {
        this.core.input = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    }

    /** The room's settings (the WELCOME), or null. */
    get welcome() { return this.core.welcome; }
    /** This client's slot, or null for a spectator. */
    get slot() { return this.core.slot; }
    /** Whether this client watches as a spectator. */
    get isSpectator() { return this.core.isSpectator; }
    /** The predicted state to render (the confirmed one for a spectator), or null before the WELCOME. */
    get predicted() { return this.core.predicted; }
    /** The authoritative state (every confirmed frame applied), or null. */
    get confirmed() { return this.core.confirmed; }
    /** The last confirmed tick, or null. */
    get lastConfirmedTick() { return this.core.lastConfirmedTick; }
    /** The input delay in use, in ticks. */
    get inputDelay() { return this.core.inputDelay.delay; }
    /** The median round trip (BigInt ns), or null before the first PONG. */
    get rttNanos() { return this.core.clock.medianRoundTrip; }
    /** Rollback statistics: rollbacks, maxDepth, resimulatedTicks, predictedTicks, stalls. */
    get statistics() { return this.core.session?.statistics ?? null; }
    /** Desync events announced for this client's slot. */
    get desyncs() { return this.core.desyncs; }
    /** Reconnects that succeeded. */
    get reconnects() { return this.core.reconnects; }
    /** The match end reason, once it ended. */
    get matchEnd() { return this.core.matchEnd; }
    /** Why the client stopped before the match ended, if it did. */
    get failure() { return this.core.failure; }
    /** Whether a connection is open. */
    get isConnected() { return this.core.isConnected; }

    /** Where the server's clock is now, in ticks (e.g. 41.25); null before the schedule. */
    tickPosition(now = this.now()) {
        return this.core.tickPosition(now);
    }

    /** The tick position the view shows: a spectator's frames come `spectatorDelay` ticks behind. */
    renderPosition(now = this.now()) {
        const position = this.tickPosition(now);
        if (position === null) return null;
        return this.isSpectator ? position - (this.welcome?.spectatorDelay ?? 0) : position;
    }

    /**
     * The simulation's renderState() blended between the last ticks at render time (see
     * SnapshotInterpolator), or the latest one before the schedule; null without a state.
     */
    renderState(now = this.now()) {
        const position = this.renderPosition(now);
        const sampled = position === null ? null : this.interpolator.sample(position);
        if (sampled !== null) return sampled;
        const state = this.predicted;
        return typeof state?.renderState === 'function' ? state.renderState() : null;
    }

    // MARK: Driving the core

    /** Dispatches events, runs update, performs the actions, and sets the next timer. */
    run(events) {
        const now = this.now();
        for (const event of this.core.update(now)) events.push(event);
        this.perform();
        this.record(events);
        for (const event of events) this.dispatch(event);
        this.reportClose();
        this.arm(now);
    }

    perform() {
        for (const action of this.core.takeActions()) {
            switch (action.type) {
                case 'connect':
                    this.open(action.hello);
                    break;
                case 'send':
                    if (this.socket?.readyState === 1) this.socket.send(action.data);
                    break;
                case 'close':
                    if (this.socket !== null) {
                        const socket = this.socket;
                        this.detach(socket);
                    }
                    break;
            }
        }
    }

    /** Opens a connection; its HELLO goes out the moment it opens. */
    open(hello) {
        if (this.socket !== null) this.detach(this.socket);
        const socket = new this.WebSocket(this.url, SUBPROTOCOL);
        socket.binaryType = 'arraybuffer';
        this.socket = socket;
        socket.onopen = () => {
            if (this.socket !== socket) return;
            socket.send(hello);
            this.run(this.core.handle({ type: 'opened' }, this.now()));
        };
        socket.onmessage = (message) => {
            if (this.socket !== socket || typeof message.data === 'string') return;
            this.run(this.core.handle({ type: 'message', data: message.data }, this.now()));
        };
        socket.onclose = (close) => {
            if (this.socket !== socket) return;
            this.socket = null;
            this.run(this.core.handle({ type: 'closed', code: close.code || 1006 }, this.now()));
        };
        socket.onerror = () => {}; // a close event follows
    }

    /** Stops listening to `socket` and closes it. */
    detach(socket) {
        socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
        if (this.socket === socket) this.socket = null;
        try {
            socket.close(1000);
        } catch {
            // already closing
        }
    }

    awaitSimulation() {
        const ready = this.core.simulationReady;
        ready?.then(() => this.run([]));
    }

    /** Keeps the render interpolator fed with the newest state when the head moved. */
    record(events) {
        for (const event of events) {
            if (event.type === 'welcome' && this.core.simulationReady !== null) this.awaitSimulation();
        }
        const state = this.predicted;
        if (typeof state?.renderState !== 'function') return;
        const session = this.core.session;
        const tick = (this.isSpectator ? session.confirmedNext : session.head) - 1;
        const rolledBack = events.some((event) => event.type === 'rollback');
        if (tick < 0 || (tick === this.lastRendered && !rolledBack)) return;
        this.lastRendered = tick;
        this.interpolator.push(tick, state.renderState());
    }

    dispatch(event) {
        this.emit(event);
        if (event.type === 'serverError') this.emit({ ...event, type: 'error' });
        if (event.type === 'failed') this.emit({ type: 'error', failure: event.failure, message: event.failure.message });
    }

    reportClose() {
        if (this.closeReported || !this.core.closedByClient) return;
        this.closeReported = true;
        if (this.timer !== null) this.timers.clearTimeout(this.timer);
        this.timer = null;
        this.emit({ type: 'close', matchEnd: this.core.matchEnd, failure: this.core.failure });
    }

    arm(now) {
        if (this.timer !== null) this.timers.clearTimeout(this.timer);
        this.timer = null;
        const next = this.core.nextWakeup(now);
        if (next === null) return;
        const delay = next > now ? Number((next - now + 999_999n) / 1_000_000n) : 0;
        this.timer = this.timers.setTimeout(() => {
            this.timer = null;
            this.run([]);
        }, delay);
    }
}
