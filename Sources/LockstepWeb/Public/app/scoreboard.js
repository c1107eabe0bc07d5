// The score list beside the canvas: one line per slot, its colour, kills and deaths.
import { SLOT_COLORS } from './arena-view.js';

/**
 * Shows every player's score, highest first.
 * @param {HTMLElement} element
 * @param {{players: Array<{score: number, deaths: number, alive: boolean}>}} state normalised render state
 * @param {{ you?: number, names?: string[] }} options
 */
export function renderScores(element, state, { you = -1, names = [] } = {}) {
    const rows = state.players
        .map((p, slot) => ({ ...p, slot }))
        .sort((a, b) => b.score - a.score || a.deaths - b.deaths || a.slot - b.slot)
        .map((p) => {
            const name = names[p.slot] ?? `slot ${p.slot}`;
            const label = p.slot === you ? `${name} (you)` : name;
            return `<div><span class="swatch" style="background:${SLOT_COLORS[p.slot % SLOT_COLORS.length]}"></span>`
                + `${escapeHTML(label)} — ${p.score} kills, ${p.deaths} deaths</div>`;
        });
    const html = rows.join('');
    if (element.innerHTML !== html) element.innerHTML = html;
}

/** Names for the score list: "bot N" for the server's bot seats, "player N" for the others. */
export function seatNames(players, bots = []) {
    return Array.from({ length: players }, (_, slot) => (bots.includes(slot) ? `bot ${slot}` : `player ${slot}`));
}

/** Escapes text for innerHTML. */
export function escapeHTML(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** m:ss of `ticks` at `tickRate` Hz. */
export function formatDuration(ticks, tickRate) {
    const seconds = Math.floor(ticks / Math.max(1, tickRate));
    return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
