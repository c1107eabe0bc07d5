// The play page: one click makes a quick match against server-run bots, the keyboard and mouse
// play it, the canvas draws the predicted state, and the panel shows tick, RTT, input delay,
// rollbacks and desyncs. The match is kept in sessionStorage: a reload rejoins it, catching up
// every confirmed frame from tick 0, so no tick is lost.
import { playURL, quickMatch } from './api.js';
import { $, statusLine } from './page.js';
import { ARENA, ArenaView, normalizeRenderState } from './arena-view.js';
import { ArenaControls } from './controls.js';
import { encodeArenaInput } from '../arena/arena.js';
import { interpolateArena } from './interpolate.js';
import { GameSession } from './session.js';
import { renderScores, seatNames } from './scoreboard.js';
import { forgetMatch, loadStoredMatch, storeMatch } from './stored-session.js';

const view = new ArenaView($('arena'));
const controls = new ArenaControls($('arena'), (x, y) => view.toWorld(x, y));
const ui = {
    start: $('start'), leave: $('leave'), bots: $('bots'), status: $('status'), scores: $('scores'),
    room: $('stat-room'), tick: $('stat-tick'), rtt: $('stat-rtt'), delay: $('stat-delay'),
    rollbacks: $('stat-rollbacks'), desyncs: $('stat-desyncs'), hash: $('stat-hash'),
};

let session = null;
let match = null;
let resumed = false;
let script = null; // scripted inputs from the test hook: [[moveX, moveY, aim, fire], …], looped by tick
let lastDrawn = null; // { tick, state } of the predicted head last drawn, for interpolation
let previous = null;

const setStatus = statusLine(ui.status);

/** The input for `tick`: the test script's entry, or the keyboard and mouse now. */
function inputFor(tick) {
    if (script) {
        const [moveX, moveY, aim, fire] = script[tick % script.length];
        return encodeArenaInput({ moveX, moveY, aim, fire: Boolean(fire) });
    }
    const you = lastDrawn?.state.players[match?.slot ?? 0];
    return controls.sample(you ?? null);
}

async function startMatch(options) {
    ui.start.disabled = true;
    setStatus('Making a room…');
    try {
        const answer = await quickMatch(options);
        match = {
            roomID: answer.roomID, token: answer.token, spectatorToken: answer.spectatorToken ?? null,
            slot: answer.slot ?? 0, players: answer.players ?? options.bots + 1, bots: answer.bots ?? [],
        };
        storeMatch(match);
        resumed = false;
        connect();
    } catch (error) {
        ui.start.disabled = false;
        setStatus(`Cannot start a match: ${error.message}`, true);
    }
}

function connect() {
    session?.close();
    lastDrawn = null;
    previous = null;
    ui.room.textContent = match.roomID;
    ui.leave.hidden = false;
    ui.start.disabled = true;
    setStatus(resumed ? `Rejoining ${match.roomID}…` : `Joining ${match.roomID}…`);
    session = new GameSession({
        url: playURL(match.roomID),
        token: match.token,
        inputSource: inputFor,
        onStatus: (status, detail) => onStatus(status, detail),
    });
    session.start();
    $('arena').focus();
}

function onStatus(status, detail) {
    switch (status) {
        case 'waiting': setStatus('Waiting for the bots to join…'); break;
        case 'running': setStatus(resumed ? 'Rejoined: playing.' : 'Playing.'); break;
        case 'reconnecting': setStatus(`Connection lost: reconnecting… ${detail ?? ''}`); break;
        case 'ended':
            setStatus(`Match over (${detail}). Final hash ${session.stats().hash}.`);
            forgetMatch();
            ui.start.disabled = false;
            ui.start.textContent = 'Play again';
            ui.leave.hidden = true;
            break;
        case 'failed':
            if (resumed && !session.everRan) setStatus('Your previous match is over. Press Play for a new one.');
            else setStatus(`Stopped: ${detail}`, true);
            forgetMatch();
            ui.start.disabled = false;
            ui.leave.hidden = true;
            break;
        default: break;
    }
}

let nextPanelUpdate = 0;
function frame(now) {
    requestAnimationFrame(frame);
    if (!session) return;
    const head = session.predictedTick();
    if (view.geometry === ARENA) view.setGeometry(session.geometry());
    if (head !== null && head !== lastDrawn?.tick) {
        previous = lastDrawn;
        lastDrawn = { tick: head, state: normalizeRenderState(session.predictedRenderState()) };
    }
    if (lastDrawn) {
        // Draw between the previous and the newest predicted tick by where the clock is now.
        const position = session.tickPosition();
        const alpha = position === null || !previous ? 1 : position - Math.floor(position);
        const state = previous && previous.tick === lastDrawn.tick - 1
            ? interpolateArena(previous.state, lastDrawn.state, alpha) : lastDrawn.state;
        view.draw(state, { you: match?.slot ?? -1 });
    }
    if (now >= nextPanelUpdate) {
        nextPanelUpdate = now + 200;
        const stats = session.stats();
        ui.tick.textContent = String(stats.tick);
        ui.rtt.textContent = stats.rtt === null ? '–' : `${stats.rtt.toFixed(1)} ms`;
        ui.delay.textContent = stats.inputDelay === null ? '–' : `${stats.inputDelay} ticks`;
        ui.rollbacks.textContent = String(stats.rollbacks);
        ui.desyncs.textContent = String(stats.desyncs);
        ui.hash.textContent = stats.hash ?? '–';
        if (lastDrawn) renderScores(ui.scores, lastDrawn.state, { you: match.slot, names: seatNames(match.players, match.bots) });
    }
}

ui.start.addEventListener('click', () => startMatch({ bots: Number(ui.bots.value) }));
ui.leave.addEventListener('click', () => {
    session?.leave();
    forgetMatch();
    setStatus('You left the match.');
    ui.start.disabled = false;
    ui.leave.hidden = true;
});

/** The test hook the browser end-to-end test drives (tools/browser_e2e.py). */
window.__lockstepTest = {
    ready: true,
    /** Plays these inputs ([moveX, moveY, aim, fire] per tick, looped) instead of the keyboard. */
    setInputs: (inputs) => { script = inputs.length > 0 ? inputs : null; },
    /** Starts a quick match as the Play button does, with this quick-match body (e.g. { bots: 3 }). */
    start: (options) => startMatch(options),
    state: () => {
        const stats = session?.stats() ?? {};
        return {
            status: stats.status ?? 'idle', room: match?.roomID ?? null, slot: stats.slot ?? null,
            players: stats.players ?? null, tick: stats.tick ?? 0, hash: stats.hash ?? null,
            rtt: stats.rtt ?? null, inputDelay: stats.inputDelay ?? null, rollbacks: stats.rollbacks ?? 0,
            desyncs: stats.desyncs ?? 0, gaps: stats.gaps ?? 0, reconnects: stats.reconnects ?? 0,
            endReason: stats.endReason ?? null, resumed,
        };
    },
};

view.draw({ players: [], projectiles: [] }, { caption: 'Press Play' });
requestAnimationFrame(frame);
const stored = loadStoredMatch();
if (stored) {
    match = stored;
    resumed = true;
    connect();
}
