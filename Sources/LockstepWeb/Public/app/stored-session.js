// The play page's match in sessionStorage, so a reload (or a crash of the tab's page) rejoins
// the same slot: the room, the join token, and the match's settings. Per tab, like the match.

const KEY = 'lockstep.play';

/** The stored match, or null. */
export function loadStoredMatch() {
    try {
        const value = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
        return value && typeof value.token === 'string' && typeof value.roomID === 'string' ? value : null;
    } catch {
        return null;
    }
}

/** Stores the match the page plays: `{ roomID, token, spectatorToken, slot, players, url }`. */
export function storeMatch(match) {
    sessionStorage.setItem(KEY, JSON.stringify(match));
}

/** Forgets the match (it ended, or the player left). */
export function forgetMatch() {
    sessionStorage.removeItem(KEY);
}
