// The server's HTTP endpoints the pages use (docs/PROTOCOL.md): quick match, the public room
// listing, the replay listing and download. Same origin as the page: no key is ever sent, so
// these work only where the operator allows pages to call them (docs/OPERATIONS.md).

/** An HTTP answer that was not 2xx, with the server's `{"error": …}` text when it sent one. */
export class ApiError extends Error {
    constructor(status, message) {
        super(message);
        this.status = status;
    }
}

async function request(path, options = {}) {
    const response = await fetch(path, { cache: 'no-store', ...options });
    if (!response.ok) {
        let message = `${response.status} ${response.statusText}`;
        try {
            const body = await response.json();
            if (body?.error) message = body.error;
        } catch {
            // Not JSON: keep the status line.
        }
        throw new ApiError(response.status, message);
    }
    return response;
}

/**
 * Makes a room with the caller in slot 0 and `bots` server-run bots.
 * @param {object} options the quick-match body, e.g. `{ bots: 3 }`
 */
export async function quickMatch(options) {
    const response = await request('/v1/quickmatch', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(options),
    });
    return response.json();
}

/** The rooms a page may watch. */
export async function listRooms() {
    return (await request('/v1/public/rooms')).json();
}

/** The finished matches' replays. */
export async function listReplays() {
    return (await request('/v1/replays')).json();
}

/** One replay's bytes. */
export async function replayBytes(id) {
    const response = await request(`/v1/replays/${encodeURIComponent(id)}`);
    return new Uint8Array(await response.arrayBuffer());
}

/** The play endpoint's WebSocket URL on this page's own host, for `room`. */
export function playURL(room) {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${location.host}/v1/play?room=${encodeURIComponent(room)}`;
}
