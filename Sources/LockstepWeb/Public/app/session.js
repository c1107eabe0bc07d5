// One page's connection to one room, over the JavaScript client library (../lockstep/) and the
// WebAssembly arena (../arena/arena.js): builds the LockstepClient, turns its events into a
// small status for the page, and gathers what the pages show and the end-to-end test reads.
import { LockstepClient, MatchEndReason } from '../lockstep/index.js';
import { createArena } from '../arena/arena.js';
import { formatHash } from './replay-player.js';

const END_REASONS = Object.fromEntries(Object.entries(MatchEndReason).map(([name, value]) => [value, name]));

/** What a status means for people. */
export function describeEndReason(reason) {
    return {
        tickLimit: 'time is up', adminEnded: 'ended by the operator', allPlayersGone: 'every player left',
        playersReported: 'the simulation says it is over', serverShutdown: 'the server shut down',
        startTimeout: 'too few players joined',
    }[END_REASONS[reason]] ?? `reason ${reason}`;
}

export class GameSession {
    /**
     * @param {object} options
     * @param {string} options.url the play URL (ws://HOST/v1/play?room=ID)
     * @param {string} options.token a player or spectator token
     * @param {(tick: number) => Uint8Array} [options.inputSource] a player's input for each tick
     * @param {(status: string, detail?: string) => void} [options.onStatus] 'connecting', 'waiting',
     *   'running', 'reconnecting', 'ended' (detail: why) or 'failed' (detail: why)
     * @param {(tick: number, renderState: object) => void} [options.onConfirmed] after every batch
     *   of confirmed frames: the newest confirmed tick and its render state (spectators)
     */
    constructor({ url, token, inputSource, onStatus = () => {}, onConfirmed = null }) {
        this.status = 'connecting';
        /** Whether this session saw its match running (one rejoining a match that is over never does). */
        this.everRan = false;
        this.onStatus = onStatus;
        this.gaps = 0;
        this.endReason = null;
        this.client = new LockstepClient({
            url,
            token,
            simulation: (params) => createArena(params),
            ...(inputSource ? { inputSource } : {}),
        });
        const client = this.client;
        client.on('welcome', ({ welcome }) => this.setStatus(welcome.phase === 'running' ? 'running' : 'waiting'));
        client.on('matchStart', () => this.setStatus('running'));
        client.on('reconnecting', ({ attempt }) => this.setStatus('reconnecting', `attempt ${attempt}`));
        client.on('connected', ({ reconnect }) => { if (reconnect && this.status === 'reconnecting') this.setStatus('running'); });
        client.on('outOfSync', () => { this.gaps += 1; });
        client.on('matchEnd', ({ reason }) => { this.endReason = reason; });
        client.on('close', ({ matchEnd, failure }) => {
            if (failure) this.setStatus('failed', failure.message);
            else if (matchEnd !== null) this.setStatus('ended', describeEndReason(matchEnd));
            else this.setStatus('failed', 'closed');
        });
        if (onConfirmed) {
            client.on('tick', ({ tick }) => {
                const state = client.confirmed;
                if (tick !== null && state) onConfirmed(tick, state.renderState());
            });
        }
    }

    setStatus(status, detail) {
        if (this.status === status || this.status === 'ended' || this.status === 'failed') return;
        this.status = status;
        if (status === 'running') this.everRan = true;
        this.onStatus(status, detail);
    }

    start() {
        this.client.connect();
    }

    /** Closes for good without leaving the match (the slot may rejoin). */
    close() {
        this.client.close();
    }

    /** Leaves the match for good. */
    leave() {
        this.client.leave();
    }

    /** The predicted head's tick (the newest tick the predicted state has applied), or null. */
    predictedTick() {
        const session = this.client.core.session;
        return session ? session.head - 1 : null;
    }

    /** The predicted state's render state, or null. */
    predictedRenderState() {
        return this.client.predicted?.renderState() ?? null;
    }

    /** Where the server's clock is, in ticks, or null before the schedule. */
    tickPosition() {
        return this.client.tickPosition();
    }

    /** The simulation's geometry (arena.js), or null before it is built. */
    geometry() {
        return this.client.confirmed?.geometry ?? null;
    }

    /** The room's tick rate, or null before the WELCOME. */
    tickRate() {
        return this.client.welcome?.tickRate ?? null;
    }

    /** What the panel shows and the test hook reads. */
    stats() {
        const client = this.client;
        const last = client.lastConfirmedTick;
        const rtt = client.rttNanos;
        return {
            status: this.status,
            slot: client.slot,
            players: client.welcome?.playerCount ?? null,
            tick: last === null ? 0 : last + 1,
            hash: client.confirmed && last !== null ? formatHash(client.confirmed.hash()) : null,
            rtt: rtt === null ? null : Number(rtt) / 1e6,
            inputDelay: client.isSpectator ? null : (client.welcome ? client.inputDelay : null),
            rollbacks: client.statistics?.rollbacks ?? 0,
            desyncs: client.desyncs.length,
            gaps: this.gaps,
            reconnects: client.reconnects,
            endReason: this.endReason === null ? null : (END_REASONS[this.endReason] ?? String(this.endReason)),
        };
    }
}
