// The client's protocol and session logic with no I/O (the Swift LockstepClientCore): clock
// sync, input scheduling, adaptive input delay, prediction and rollback, hash reports, MATCH_OVER
// and reconnect decisions.
//
// Feed it what the connection reports — handle({ type: 'opened' | 'message' | 'closed' }, now) —
// and the time — update(now); it answers with events for the game (the arrays those calls return)
// and actions for the connection (takeActions(): open a connection and send its HELLO, send a
// message, close). nextWakeup(now) says when it next has work (a tick deadline, a ping, a
// reconnect). Times are BigInt nanoseconds of any monotonic clock of the client's; tests drive it
// with a fake one.

import {
    decodeServerMessage, encodeHello, encodeInput, encodeInputDelay, encodeLeave, encodeMatchOver, encodePing,
    encodeStateHash, EventKind, InputStatus,
} from './protocol.js';
import { ClockSynchronizer } from './clock.js';
import { InputDelayController } from './input-delay.js';
import { PredictionSession } from './prediction.js';
import { ReconnectPolicy } from './reconnect.js';
import { TickSchedule } from './schedule.js';
import { SyncTester } from './sync-test.js';

const SENT_RING = 512;
const EMPTY = new Uint8Array(0);

/** The options a core (and a LockstepClient) takes, with their defaults. */
export const defaultClientOptions = Object.freeze({
    /** Bounds of the adaptive input delay (the room's delay is the starting point). */
    minimumInputDelay: 1,
    maximumInputDelay: 12,
    /** Whether the input delay adapts (grows when late, shrinks with slack). */
    adaptiveInputDelay: true,
    /** The most ticks prediction may run ahead of the last confirmed frame. */
    maxPrediction: 8,
    /** When above 0, every confirmed tick also re-simulates the last this many (a development aid). */
    syncTestDistance: 0,
    /** How often the clock is measured with PING (ns). */
    pingIntervalNanos: 500_000_000n,
    /** Whether the client sends MATCH_OVER once when its confirmed state is over. */
    reportsMatchOver: true,
    /** Reconnect automatically after an unexpected close. */
    reconnect: true,
});

/** Why a client stopped before its match ended, with a readable `message`. */
function failure(reason, fields, message) {
    return { reason, ...fields, message };
}

/** The sans-I/O client core. Confined to one thread (the page's, or a test's). */
export class LockstepClientCore {
    /**
     * @param {object} options
     * @param {string} options.token the join token (player or spectator)
     * @param {Function} options.simulation ({ players, seed }) => Simulation or Promise<Simulation>;
     *   called once per instance the client needs (two for a player: confirmed and predicted; one
     *   for a spectator; one more with the sync test)
     * @param {string} [options.simulationID] the game this client runs: a room of another is refused
     * @param {number} [options.simulationVersion] ...and its version
     * @param {Function} [options.inputSource] (tick) => bytes, asked for each tick's input instead of `input`
     * @param {Function} [options.predictor] (slot, tick, lastPayload, lastStatus) => bytes
     * @param {object} [options.reconnectPolicy] a ReconnectPolicy, or its options
     */
    constructor(options) {
        if (typeof options?.token !== 'string') throw new TypeError('a token (string) is required');
        if (typeof options.simulation !== 'function') throw new TypeError('a simulation factory is required');
        this.options = { ...defaultClientOptions, ...options, pingIntervalNanos: BigInt(options.pingIntervalNanos ?? defaultClientOptions.pingIntervalNanos) };
        const policy = options.reconnectPolicy;
        this.reconnectPolicy = policy instanceof ReconnectPolicy ? policy : new ReconnectPolicy({ seed: BigInt(options.seed ?? 0), ...policy });
        /** The input for the coming ticks (bytes, up to the room's payload limit). */
        this.input = EMPTY;
        /** When set, asked for each tick's input instead of `input` (bots and tests). */
        this.inputSource = options.inputSource ?? null;
        /** The room's settings as the WELCOME gave them. */
        this.welcome = null;
        /** The tick schedule (a TickSchedule), once the match has started. */
        this.schedule = null;
        /** The clock estimate. */
        this.clock = new ClockSynchronizer();
        /** The adaptive input delay. */
        this.inputDelay = new InputDelayController({ initial: 2, minimum: this.options.minimumInputDelay, maximum: this.options.maximumInputDelay });
        /** The prediction session, once the WELCOME has arrived and the simulation is built. */
        this.session = null;
        /** The match end reason (MatchEndReason), once it happened. */
        this.matchEnd = null;
        /** Desync events announced for this client's slot. */
        this.desyncs = [];
        /** Why the client stopped before its match ended, if it did. */
        this.failure = null;
        /** Whether a connection is open now. */
        this.isConnected = false;
        /** Reconnects that succeeded (attempts that failed are not counted). */
        this.reconnects = 0;
        /** When the next reconnect attempt is due (client ns), while one is scheduled. */
        this.reconnectAt = null;
        /** The tick MATCH_OVER was sent for, once sent. */
        this.reportedMatchOver = null;
        /** The first tick the sync test caught re-simulating to another hash. */
        this.syncTestMismatch = null;
        /** A promise while an asynchronous simulation factory is building (the driver waits on it). */
        this.simulationReady = null;

        this.actions = [];
        this.attempt = 0;
        this.closedByClient = false;
        this.hasConnected = false;
        this.nextPingAt = 0n;
        this.nextInputTick = 0;
        this.sentTicks = new Uint8Array(SENT_RING);
        this.syncTester = null;
        this.backlog = null;
        this.built = null;
        this.reported = { confirmed: null, head: null, rollbacks: 0 };
    }

    /** The slot this client plays, or null for a spectator (and before the WELCOME). */
    get slot() {
        return this.welcome?.slot ?? null;
    }

    /** Whether this client is a spectator. */
    get isSpectator() {
        return this.welcome?.role === 'spectator';
    }

    /** The state to render: the predicted head (the confirmed state for a spectator), or null. */
    get predicted() {
        return this.session?.predicted ?? null;
    }

    /** The authoritative state: every confirmed frame applied (what the replay verifies), or null. */
    get confirmed() {
        return this.session?.confirmed ?? null;
    }

    /** The last confirmed tick (what a reconnect's HELLO carries), or null before any frame. */
    get lastConfirmedTick() {
        return this.session?.lastConfirmedTick ?? null;
    }

    /** Whether the client is done: its match ended or it failed. */
    get isFinished() {
        return this.matchEnd !== null || this.failure !== null;
    }

    /** Asks for the first connection. */
    start() {
        if (!this.closedByClient) this.connectNow();
    }

    /** Stops for good: closes the connection and never reconnects. */
    close() {
        if (this.closedByClient) return;
        this.closedByClient = true;
        this.reconnectAt = null;
        this.actions.push({ type: 'close' });
    }

    /** Leaves the match for good: sends LEAVE, then closes (no reconnect; the slot cannot rejoin). */
    leave() {
        if (this.closedByClient) return;
        if (this.isConnected) this.send(encodeLeave());
        this.close();
    }

    /** The actions asked for since the last call, in order. */
    takeActions() {
        const actions = this.actions;
        this.actions = [];
        return actions;
    }

    /** Where the server's clock is at client time `now`, in ticks (e.g. 41.25); null before the schedule. */
    tickPosition(now) {
        if (this.schedule === null) return null;
        return this.schedule.position(this.clock.serverTime(BigInt(now)));
    }

    /** The next client time at which update() has work, or null when only arrivals can make progress. */
    nextWakeup(now) {
        if (this.closedByClient) return null;
        let next = this.reconnectAt;
        if (this.isConnected) next = min(next, this.nextPingAt);
        if (this.schedule !== null && this.matchEnd === null) {
            const due = this.schedule.tickAt(this.clock.serverTime(BigInt(now)));
            const upcoming = due === null ? this.schedule.baseTick : due + 1;
            next = min(next, this.clock.clientTime(this.schedule.deadline(upcoming)));
        }
        return next;
    }

    // MARK: Inputs

    /**
     * Processes one connection event at client time `now`: { type: 'opened' }, { type: 'message',
     * data: Uint8Array | ArrayBuffer }, { type: 'closed', code }. Returns the events for the game.
     */
    handle(event, now) {
        now = BigInt(now);
        const events = [];
        switch (event.type) {
            case 'opened':
                this.opened(now, events);
                break;
            case 'message': {
                // Closed or failed: what still arrives is not reported (a failure is the last event).
                if (this.closedByClient) break;
                let message;
                try {
                    message = decodeServerMessage(event.data);
                } catch {
                    break; // unknown message types (a newer server) and garbage are ignored
                }
                if (this.backlog !== null) this.backlog.push(message);
                else this.handleMessage(message, now, events);
                break;
            }
            case 'closed':
                this.closed(event.code ?? 1006, now, events);
                break;
            default:
                throw new TypeError(`unknown connection event ${event.type}`);
        }
        this.progress(events);
        return events;
    }

    /** Sends due pings and inputs, starts a due reconnect, advances prediction. Returns the events. */
    update(now) {
        now = BigInt(now);
        const events = [];
        if (this.reconnectAt !== null && now >= this.reconnectAt && !this.closedByClient) {
            this.reconnectAt = null;
            this.connectNow();
        }
        if (this.built !== null) this.install(now, events);
        if (this.isConnected && now >= this.nextPingAt) this.ping(now);
        this.reportMatchOverIfDue();
        const session = this.session;
        if (session !== null && this.schedule !== null && !this.closedByClient) {
            const due = this.schedule.tickAt(this.clock.serverTime(now));
            // No input before the first PONG: the WELCOME's estimate of the clock is late by the
            // one-way latency, enough to send a rejoining client's first inputs for past ticks.
            if (this.slot !== null && this.matchEnd === null && this.clock.sampleCount > 0) this.sendInputs(due, session);
            if (due !== null && session.advance(due + 1)) {
                events.push({ type: 'rollback', statistics: { ...session.statistics } });
            }
        }
        this.progress(events);
        return events;
    }

    /**
     * Sends this client's input for every tick up to `due + inputDelay` not sent yet. Ticks up to
     * the one due now (the room confirmed it at its deadline), or that the room had confirmed when
     * it welcomed this connection, are not sent: they could only be refused as late (a late join or
     * a reload catching up from tick 0, a background tab whose timers were held back), and a burst
     * of them would trip the rate limit.
     */
    sendInputs(due, session) {
        const lastDue = due ?? this.schedule.baseTick - 1;
        const delay = this.inputDelay.delay;
        const target = Math.max(0, lastDue + delay);
        const floor = Math.max(this.nextInputTick, session.confirmedNext, this.welcome.nextTick, delay > 0 ? lastDue + 1 : lastDue);
        for (let tick = floor; tick <= target; tick++) {
            const payload = this.inputSource !== null ? toBytes(this.inputSource(tick)) : this.input;
            session.setLocalInput(payload, tick);
            if (this.isConnected) {
                this.send(encodeInput({ tick, slot: this.slot, payload }));
                this.sentTicks[tick % SENT_RING] = 1;
            }
        }
        this.nextInputTick = Math.max(this.nextInputTick, target + 1);
    }

    /** Sends MATCH_OVER once when the confirmed state is over (a vote, never withdrawn). */
    reportMatchOverIfDue() {
        const session = this.session;
        if (!this.options.reportsMatchOver || this.reportedMatchOver !== null || this.matchEnd !== null || !this.isConnected
            || this.closedByClient || this.slot === null || session === null || session.confirmedNext === 0 || !session.confirmed.isOver) return;
        const tick = session.confirmedNext - 1;
        this.send(encodeMatchOver({ tick }));
        this.reportedMatchOver = tick;
    }

    // MARK: Connection

    connectNow() {
        this.actions.push({ type: 'connect', hello: encodeHello({ token: this.options.token, lastTick: this.lastConfirmedTick }) });
    }

    opened(now, events) {
        if (this.closedByClient) return;
        this.attempt = 0;
        if (this.hasConnected) this.reconnects += 1;
        events.push({ type: 'connected', reconnect: this.hasConnected });
        this.hasConnected = true;
        this.isConnected = true;
        // The driver sent the HELLO when the connection opened. The first ping seeds the clock at once.
        this.ping(now);
    }

    /** Decides what a closed connection means: reconnect after a backoff, or stop. */
    closed(code, now, events) {
        this.isConnected = false;
        if (this.closedByClient) return;
        // Normal ends, fatal refusals (4000…4099) and our own close do not reconnect.
        const refused = code >= 4000 && code < 4100;
        const shouldReconnect = this.options.reconnect && this.matchEnd === null && code !== 1000 && !refused;
        const delay = shouldReconnect ? this.reconnectPolicy.delay(this.attempt) : null;
        events.push({ type: 'disconnected', code, willReconnect: delay !== null });
        if (refused && this.matchEnd === null) {
            this.fail(failure('closed', { code }, `the server closed the connection (${code}) before the match ended`), events);
        }
        if (!shouldReconnect) {
            // A match that ended (or a close the server chose) ends the client, without failure.
            if (!this.closedByClient) this.close();
            return;
        }
        if (delay === null) {
            this.fail(failure('gaveUp', { attempts: this.attempt, lastCloseCode: code },
                `gave up after ${this.attempt} reconnect attempt${this.attempt === 1 ? '' : 's'} (last close ${code}): the server is gone or unreachable`), events);
            return;
        }
        this.attempt += 1;
        events.push({ type: 'reconnecting', attempt: this.attempt, delayNanos: delay });
        this.reconnectAt = now + delay;
    }

    ping(now) {
        this.send(encodePing({ clientTime: now }));
        this.nextPingAt = now + this.options.pingIntervalNanos;
    }

    send(bytes) {
        this.actions.push({ type: 'send', data: bytes });
    }

    /** Stops for good: records why, reports it, and asks for the connection to close. */
    fail(reason, events) {
        if (this.failure !== null) return;
        this.failure = reason;
        events.push({ type: 'failed', failure: reason });
        this.close();
    }

    // MARK: Messages

    handleMessage(message, now, events) {
        switch (message.type) {
            case 'welcome':
                this.welcomed(message, now, events);
                break;
            case 'schedule':
                this.schedule = new TickSchedule(message);
                events.push({ type: 'schedule', schedule: message });
                break;
            case 'frame':
                this.confirm(message.frame, events);
                break;
            case 'frameBatch':
                for (const frame of message.frames) this.confirm(frame, events);
                break;
            case 'pong':
                if (this.clock.add(message.clientTime, message.serverTime, now)) {
                    events.push({ type: 'rtt', rttNanos: now - message.clientTime, medianRttNanos: this.clock.medianRoundTrip, offsetNanos: this.clock.offset });
                }
                break;
            case 'event':
                this.roomEvent(message, events);
                break;
            case 'error':
                events.push({ type: 'serverError', code: message.code, fatal: message.fatal, message: message.message });
                break;
        }
    }

    welcomed(welcome, now, events) {
        const { simulationID, simulationVersion } = this.options;
        if ((simulationID !== undefined && simulationID !== welcome.simulationID)
            || (simulationVersion !== undefined && simulationVersion !== welcome.simulationVersion)) {
            this.refuseGame(welcome, simulationID, simulationVersion, events);
            return;
        }
        if (this.welcome === null) {
            this.inputDelay = new InputDelayController({ initial: welcome.inputDelay, minimum: this.options.minimumInputDelay, maximum: this.options.maximumInputDelay });
        }
        this.welcome = welcome;
        if (this.clock.offset === null) this.clock.seed(welcome.serverTime, now);
        if (welcome.schedule.epoch !== 0n) this.schedule = new TickSchedule(welcome.schedule);
        events.push({ type: 'welcome', welcome });
        if (this.session !== null || this.backlog !== null) return;
        this.build(welcome, now, events);
    }

    /** Builds the simulation instances; an asynchronous factory holds messages back until they are ready. */
    build(welcome, now, events) {
        const spectator = welcome.role === 'spectator';
        const count = (spectator ? 1 : 2) + (this.options.syncTestDistance > 0 ? 1 : 0);
        let instances;
        try {
            const params = { players: welcome.playerCount, seed: welcome.seed };
            instances = Array.from({ length: count }, () => this.options.simulation(params));
        } catch (error) {
            this.fail(failure('simulation', {}, `cannot build the room's simulation: ${error?.message ?? error}`), events);
            return;
        }
        if (!instances.some((instance) => typeof instance?.then === 'function')) {
            this.built = { instances };
            this.install(now, events);
            return;
        }
        this.backlog = [];
        this.simulationReady = Promise.all(instances).then(
            (ready) => { this.built = { instances: ready }; },
            (error) => { this.built = { error }; },
        );
    }

    /** Starts the session with the built instances, then handles what arrived meanwhile. */
    install(now, events) {
        const { instances, error } = this.built;
        const backlog = this.backlog ?? [];
        this.built = null;
        this.backlog = null;
        this.simulationReady = null;
        if (error !== undefined) {
            this.fail(failure('simulation', {}, `cannot build the room's simulation: ${error?.message ?? error}`), events);
            return;
        }
        const welcome = this.welcome;
        const [first] = instances;
        if ((typeof first.simulationID === 'string' && first.simulationID !== welcome.simulationID)
            || (typeof first.simulationVersion === 'number' && first.simulationVersion !== welcome.simulationVersion)) {
            this.refuseGame(welcome, first.simulationID, first.simulationVersion, events);
            return;
        }
        const spectator = welcome.role === 'spectator';
        this.session = new PredictionSession({
            confirmed: instances[0], predicted: spectator ? null : instances[1], slotCount: welcome.playerCount,
            localSlot: welcome.slot, maxPrediction: this.options.maxPrediction, predictor: this.options.predictor,
        });
        if (this.options.syncTestDistance > 0) this.syncTester = new SyncTester(instances[instances.length - 1], this.options.syncTestDistance);
        for (const message of backlog) if (!this.closedByClient) this.handleMessage(message, now, events);
    }

    refuseGame(welcome, client, clientVersion, events) {
        // Another game's room: playing it would only desynchronise. Refuse before any input.
        this.fail(failure('simulationMismatch', { room: welcome.simulationID, roomVersion: welcome.simulationVersion, client, clientVersion },
            `the room plays ${welcome.simulationID} version ${welcome.simulationVersion}, this client simulates ${client} version ${clientVersion}`), events);
    }

    roomEvent(event, events) {
        if (event.kind === EventKind.matchEnd) this.matchEnd = event.reason;
        events.push({ type: 'room', event });
        if (event.kind === EventKind.matchStart) events.push({ type: 'matchStart', tick: event.tick });
        if (event.kind === EventKind.matchEnd) events.push({ type: 'matchEnd', reason: event.reason, tick: event.tick });
        if (event.kind === EventKind.desync) {
            const mine = event.slot === this.slot && this.slot !== null;
            if (mine) this.desyncs.push(event);
            events.push({ type: 'desync', event, mine });
        }
    }

    confirm(frame, events) {
        const session = this.session;
        if (session === null) return;
        const applied = frame.tick === session.confirmedNext;
        if (!session.confirm(frame)) {
            events.push({ type: 'outOfSync', expected: session.confirmedNext, got: frame.tick });
            return;
        }
        if (!applied) return;
        if (this.syncTester !== null) {
            const mismatch = this.syncTester.step(frame);
            if (mismatch !== null && this.syncTestMismatch === null) {
                this.syncTestMismatch = mismatch.tick;
                events.push({ type: 'syncTestFailed', ...mismatch });
            }
        }
        const interval = this.welcome.hashInterval;
        if (this.isConnected && this.slot !== null && interval > 0 && (frame.tick + 1) % interval === 0) {
            const hash = session.confirmed.hash();
            this.send(encodeStateHash({ tick: frame.tick, hash }));
            events.push({ type: 'stateHash', tick: frame.tick, hash });
        }
        this.adaptInputDelay(frame, events);
    }

    /** Grows the delay when this client's own input came late, shrinks it after a run with slack. */
    adaptInputDelay(frame, events) {
        const slot = this.slot;
        if (!this.options.adaptiveInputDelay || slot === null || slot >= frame.statuses.length) return;
        const index = frame.tick % SENT_RING;
        if (this.sentTicks[index] === 0) return;
        this.sentTicks[index] = 0;
        const before = this.inputDelay.delay;
        const status = frame.statuses[slot];
        if (status === InputStatus.missingFilled || status === InputStatus.lateMoved) {
            this.inputDelay.inputWasLate();
        } else {
            this.inputDelay.inputWasOnTime(this.clock.medianRoundTrip ?? 0n, this.schedule?.periodNanos ?? 0n);
        }
        if (this.inputDelay.delay === before) return;
        if (this.isConnected) this.send(encodeInputDelay({ ticks: this.inputDelay.delay }));
        events.push({ type: 'inputDelay', delay: this.inputDelay.delay });
    }

    /** Adds a tick event when the confirmed tick or the predicted head moved. */
    progress(events) {
        const session = this.session;
        if (session === null) return;
        const confirmed = session.lastConfirmedTick;
        if (confirmed === this.reported.confirmed && session.head === this.reported.head) return;
        this.reported.confirmed = confirmed;
        this.reported.head = session.head;
        events.push({ type: 'tick', tick: confirmed, head: session.head });
    }
}

function min(a, b) {
    if (a === null) return b;
    if (b === null) return a;
    return a < b ? a : b;
}

function toBytes(payload) {
    if (payload instanceof Uint8Array) return payload;
    return new Uint8Array(payload ?? []);
}
