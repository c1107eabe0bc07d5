// The replays page: lists finished matches, opens one, verifies it by re-simulating it in the
// browser (WebAssembly arena), then plays it back with pause, speed and a scrubbable timeline.
import { listReplays, replayBytes } from './api.js';
import { $, statusLine } from './page.js';
import { ArenaView, normalizeRenderState } from './arena-view.js';
import { interpolateArena } from './interpolate.js';
import { openReplay } from './replay-source.js';
import { ReplayPlayer, formatHash } from './replay-player.js';
import { escapeHTML, formatDuration, renderScores } from './scoreboard.js';

const view = new ArenaView($('arena'));
const ui = {
    status: $('status'), verification: $('verification'), list: $('replays'), toggle: $('toggle'),
    speed: $('speed'), timeline: $('timeline'), time: $('time'), scores: $('scores'),
    room: $('stat-room'), ticks: $('stat-ticks'), checkpoints: $('stat-checkpoints'), hash: $('stat-hash'),
};

let current = null; // { id, replay, player, tickRate, names, playing, carry, before, after }
let opening = 0;

const setStatus = statusLine(ui.status);

async function refreshList() {
    try {
        const answer = await listReplays();
        const replays = answer.replays ?? answer;
        ui.list.innerHTML = replays.length === 0 ? '<li class="meta">No finished match yet.</li>' : replays.map((r) => `
            <li><span>${escapeHTML(r.id)}<br><span class="meta">${describe(r)}</span></span>
            <button class="secondary" data-replay="${escapeHTML(r.id)}">Open</button></li>`).join('');
        if (!current) setStatus(replays.length === 0 ? 'No replay yet: play a match first.' : 'Open a replay.');
    } catch (error) {
        setStatus(`Cannot list the replays: ${error.message}`, true);
    }
}

function describe(r) {
    const parts = [];
    if (r.players !== undefined) parts.push(`${Array.isArray(r.players) ? r.players.length : r.players} players`);
    if (r.ticks !== undefined) parts.push(formatDuration(r.ticks, r.tickRate ?? 30));
    if (r.bytes !== undefined) parts.push(`${Math.ceil(r.bytes / 1024)} KiB`);
    return escapeHTML(parts.join(' · '));
}

async function open(id) {
    const token = ++opening;
    pause();
    current = null;
    ui.toggle.disabled = true;
    ui.timeline.disabled = true;
    ui.verification.hidden = false;
    ui.verification.className = 'badge';
    ui.verification.textContent = 'verifying…';
    setStatus(`Loading ${id}…`);
    try {
        const bytes = await replayBytes(id);
        // Let the "verifying" badge paint before the (synchronous) re-simulation runs.
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        const { replay, sim, verdict, milliseconds } = await openReplay(bytes);
        if (token !== opening) return;
        const { header } = replay;
        view.setGeometry(sim.geometry);
        ui.room.textContent = header.roomID;
        ui.ticks.textContent = `${replay.frameCount} (${formatDuration(replay.frameCount, header.tickRate)})`;
        ui.checkpoints.textContent = String(replay.checkpoints.length);
        ui.hash.textContent = formatHash(verdict.finalHash);
        const verified = verdict.ok && !verdict.isTruncated;
        ui.verification.classList.add(verified ? 'verified' : 'mismatch');
        ui.verification.textContent = verified ? 'verified'
            : verdict.mismatch ? `MISMATCH at tick ${verdict.mismatch.tick}` : 'incomplete replay';
        setStatus(`${id}: ${verdict.ticks} ticks re-simulated in ${milliseconds.toFixed(0)} ms, `
            + `${verdict.checkpointsChecked} hashes compared${verdict.isFinalHashRecorded ? ', the final one included' : ''}.`);
        const result = { verified, finalHash: formatHash(verdict.finalHash), mismatch: verdict.mismatch ? { tick: verdict.mismatch.tick } : null };
        current = {
            id, replay, player: new ReplayPlayer(replay, sim), result, tickRate: header.tickRate,
            names: header.players, playing: false, carry: 0,
        };
        ui.timeline.max = String(replay.frameCount);
        ui.timeline.disabled = false;
        ui.toggle.disabled = false;
        seek(0);
        play();
    } catch (error) {
        if (token !== opening) return;
        ui.verification.className = 'badge mismatch';
        ui.verification.textContent = 'error';
        setStatus(`Cannot open ${id}: ${error.message}`, true);
    }
}

/** Moves playback to `position` and keeps the state one tick before it for interpolation. */
function seek(position) {
    const { player } = current;
    player.seek(Math.max(0, position - 1));
    current.before = normalizeRenderState(player.renderState());
    player.advance(1);
    current.after = normalizeRenderState(player.renderState());
    current.carry = 0;
    show(0);
}

function show(alpha) {
    const { player, replay } = current;
    const state = player.position === 0 ? current.after : interpolateArena(current.before, current.after, alpha);
    view.draw(state, { caption: `tick ${player.position} / ${replay.frameCount}` });
    renderScores(ui.scores, current.after, { names: current.names });
    ui.timeline.value = String(player.position);
    ui.time.textContent = `${formatDuration(player.position, current.tickRate)} / ${formatDuration(replay.frameCount, current.tickRate)}`;
}

let lastFrame = null;
function frame(now) {
    if (!current?.playing) { lastFrame = null; return; }
    const elapsed = lastFrame === null ? 0 : Math.min(250, now - lastFrame);
    lastFrame = now;
    current.carry += (elapsed / 1000) * current.tickRate * Number(ui.speed.value);
    const { player } = current;
    while (current.carry >= 1 && !player.atEnd) {
        current.before = current.after;
        player.advance(1);
        current.after = normalizeRenderState(player.renderState());
        current.carry -= 1;
    }
    if (player.atEnd) {
        show(1);
        pause();
        return;
    }
    show(current.carry);
    requestAnimationFrame(frame);
}

function play() {
    if (!current) return;
    if (current.player.atEnd) seek(0);
    current.playing = true;
    ui.toggle.textContent = 'Pause';
    requestAnimationFrame(frame);
}

function pause() {
    if (!current) return;
    current.playing = false;
    ui.toggle.textContent = 'Play';
}

ui.toggle.addEventListener('click', () => (current?.playing ? pause() : play()));
ui.timeline.addEventListener('input', () => { if (current) seek(Number(ui.timeline.value)); });
ui.list.addEventListener('click', (event) => {
    const id = event.target?.dataset?.replay;
    if (id) { history.replaceState(null, '', `?id=${encodeURIComponent(id)}`); open(id); }
});

/** The test hook the browser end-to-end test reads (tools/browser_e2e.py). */
window.__lockstepTest = {
    ready: true,
    state: () => ({
        id: current?.id ?? null,
        verified: current?.result?.verified ?? null,
        finalHash: current?.result?.finalHash ?? null,
        mismatch: current?.result?.mismatch ?? null,
        position: current?.player.position ?? null,
        length: current?.player.length ?? null,
        playing: current?.playing ?? false,
    }),
    seek: (position) => { if (current) { pause(); seek(position); } },
};

view.draw({ players: [], projectiles: [] });
refreshList();
const wanted = new URLSearchParams(location.search).get('id');
if (wanted) open(wanted);
