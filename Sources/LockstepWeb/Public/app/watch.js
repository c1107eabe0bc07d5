// The watch page: lists the running rooms, joins one as a spectator, and draws it at the
// display's rate. Confirmed frames arrive at the tick rate with network jitter; the page keeps
// the render state of each recent tick and draws a render clock that runs `BUFFER_TICKS` behind
// the newest confirmed tick, blending the two ticks around it, so 30 Hz frames come out as smooth
// motion at 60 Hz or more with no stutter when a frame is a little late.
import { listRooms, playURL } from './api.js';
import { $, statusLine } from './page.js';
import { ARENA, ArenaView, normalizeRenderState } from './arena-view.js';
import { interpolateArena } from './interpolate.js';
import { GameSession } from './session.js';
import { escapeHTML, renderScores, seatNames } from './scoreboard.js';

/** How far behind the newest confirmed tick the render clock runs: absorbs jitter up to ~2 ticks. */
const BUFFER_TICKS = 2;
/** Render states kept, one per tick (a ring). */
const KEPT = 64;

const view = new ArenaView($('arena'));
const ui = { status: $('status'), rooms: $('rooms'), refresh: $('refresh'), room: $('stat-room'), tick: $('stat-tick'), fps: $('stat-fps'), scores: $('scores') };

let session = null;
let watching = null;
let states = new Map(); // tick -> normalised render state after that tick
let newest = -1;
let renderTick = null;
let drawnFrames = 0;

const setStatus = statusLine(ui.status);

async function refresh() {
    try {
        const answer = await listRooms();
        const rooms = (answer.rooms ?? answer).filter((r) => r.phase !== 'ended');
        ui.rooms.innerHTML = rooms.length === 0 ? '<li class="meta">No match is running. Start one on the Play page.</li>'
            : rooms.map((r) => `<li><span>${escapeHTML(r.roomID)}<br><span class="meta">${escapeHTML(describe(r))}</span></span>
                <button class="secondary" data-room="${escapeHTML(r.roomID)}">Watch</button></li>`).join('');
        ui.rooms.querySelectorAll('button[data-room]').forEach((button) => {
            const room = rooms.find((r) => r.roomID === button.dataset.room);
            button.addEventListener('click', () => watch(room));
        });
        if (!watching) setStatus(rooms.length === 0 ? 'Nothing to watch yet.' : 'Pick a match to watch.');
    } catch (error) {
        setStatus(`Cannot list the rooms: ${error.message}`, true);
    }
}

function describe(r) {
    const parts = [r.phase];
    if (r.players !== undefined) parts.push(`${Array.isArray(r.players) ? r.players.length : r.players} players`);
    if (r.bots?.length) parts.push(`${r.bots.length} bots`);
    if (r.ticks !== undefined) parts.push(`tick ${r.ticks}`);
    return parts.join(' · ');
}

function watch(room) {
    session?.close();
    states = new Map();
    newest = -1;
    renderTick = null;
    watching = room;
    ui.room.textContent = room.roomID;
    setStatus(`Joining ${room.roomID} as a spectator…`);
    session = new GameSession({
        url: playURL(room.roomID),
        token: room.spectatorToken,
        onConfirmed: (tick, renderState) => {
            states.set(tick, normalizeRenderState(renderState));
            states.delete(tick - KEPT);
            newest = tick;
        },
        onStatus: (status, detail) => {
            if (status === 'running') setStatus(`Watching ${room.roomID}.`);
            else if (status === 'waiting') setStatus(`${room.roomID} waits for its players.`);
            else if (status === 'ended') { setStatus(`${room.roomID} is over (${detail}).`); refresh(); }
            else if (status === 'failed') setStatus(`Stopped: ${detail}`, true);
        },
    });
    session.start();
}

let lastNow = null;
let fpsWindow = { start: 0, frames: 0 };
function frame(now) {
    requestAnimationFrame(frame);
    const dt = lastNow === null ? 0 : Math.min(0.25, (now - lastNow) / 1000);
    lastNow = now;
    if (!session || newest < 0) return;
    if (view.geometry === ARENA) view.setGeometry(session.geometry());
    const rate = session.tickRate() ?? 30;
    const target = newest - BUFFER_TICKS;
    if (renderTick === null || Math.abs(target - renderTick) > 3 * BUFFER_TICKS + 8) {
        renderTick = Math.max(0, target); // first frame, a catch-up, or a long stall: jump
    } else {
        // Advance at the tick rate, nudged (±10 %) towards the target so the buffer neither
        // drains nor grows: a late frame slows the clock a little instead of freezing it.
        const drift = Math.max(-0.1, Math.min(0.1, (target - renderTick) * 0.05));
        renderTick = Math.min(newest, renderTick + dt * rate * (1 + drift));
    }
    const base = Math.floor(renderTick);
    const from = states.get(base);
    const to = states.get(base + 1);
    const state = from && to ? interpolateArena(from, to, renderTick - base) : (from ?? states.get(newest));
    if (!state) return;
    view.draw(state, { caption: `tick ${base}` });
    drawnFrames += 1;
    fpsWindow.frames += 1;
    if (now - fpsWindow.start >= 500) {
        ui.fps.textContent = `${Math.round((fpsWindow.frames * 1000) / (now - fpsWindow.start))} fps, ${rate} Hz ticks`;
        ui.tick.textContent = String(newest);
        renderScores(ui.scores, state, { names: seatNames(state.players.length, watching.bots ?? []) });
        fpsWindow = { start: now, frames: 0 };
    }
}

ui.refresh.addEventListener('click', refresh);

/** The test hook the browser end-to-end test reads (tools/browser_e2e.py). */
window.__lockstepTest = {
    ready: true,
    state: () => ({
        status: session?.stats().status === 'running' && newest >= 0 ? 'watching' : (session?.stats().status ?? 'idle'),
        room: watching?.roomID ?? null,
        tick: newest,
        renderTick,
        drawnFrames,
    }),
};

view.draw({ players: [], projectiles: [] }, { caption: 'Pick a match' });
requestAnimationFrame(frame);
refresh();
setInterval(() => { if (!watching || session?.stats().status === 'ended') refresh(); }, 3000);
