// The admin API (docs/PROTOCOL.md, Admin API) for a game's backend, tools and tests: it needs the
// admin key, which never belongs in a page a player loads.

/** An answer of the admin API other than success: `status` and the server's `error` text. */
export class AdminError extends Error {
    constructor(status, error) {
        super(`HTTP ${status}: ${error}`);
        this.name = 'AdminError';
        this.status = status;
        this.error = error;
    }
}

/**
 * Calls the admin API at `server` (http://HOST:PORT) with `adminKey`.
 * @param {object} options
 * @param {string} options.server the server's base URL
 * @param {string} options.adminKey the admin key
 * @param {Function} [options.fetch] the fetch function (default: globalThis.fetch)
 */
export class AdminClient {
    constructor({ server, adminKey, fetch = globalThis.fetch }) {
        this.server = server.replace(/\/+$/, '');
        this.adminKey = adminKey;
        this.fetch = fetch;
    }

    async request(method, path, body) {
        const response = await this.fetch(`${this.server}${path}`, {
            method,
            headers: { Authorization: `Bearer ${this.adminKey}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
            body: body === undefined ? undefined : JSON.stringify(body, (key, value) => (typeof value === 'bigint' ? value.toString() : value)),
        });
        const text = await response.text();
        let json;
        try {
            json = JSON.parse(text);
        } catch {
            throw new AdminError(response.status, text.trim());
        }
        if (!response.ok) throw new AdminError(response.status, json.error ?? text.trim());
        return json;
    }

    /**
     * Creates a room (POST /v1/rooms) with the given settings (players, tickRate, simulation,
     * simulationVersion, seed (a BigInt is sent as a decimal string), ...). Answers roomID, url,
     * tokens [{ slot, playerID, token }], spectatorToken, expiresAt.
     */
    createRoom(settings = {}) {
        return this.request('POST', '/v1/rooms', settings);
    }

    /** One room's summary (GET /v1/rooms/ID). */
    room(roomID) {
        return this.request('GET', `/v1/rooms/${encodeURIComponent(roomID)}`);
    }

    /** Every room's summary (GET /v1/rooms). */
    async rooms() {
        return (await this.request('GET', '/v1/rooms')).rooms;
    }

    /** Ends a room's match (POST /v1/rooms/ID/end). */
    endRoom(roomID) {
        return this.request('POST', `/v1/rooms/${encodeURIComponent(roomID)}/end`);
    }
}
