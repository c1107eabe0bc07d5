// A minimal event emitter (browsers and Node alike; no dependency on either's).

/** Calls listeners by event type; '*' listeners get every event. */
export class Emitter {
    constructor() {
        this.listeners = new Map();
    }

    /** Calls `listener(event)` for each event of `type`; returns a function that removes it. */
    on(type, listener) {
        if (!this.listeners.has(type)) this.listeners.set(type, new Set());
        this.listeners.get(type).add(listener);
        return () => this.off(type, listener);
    }

    /** Like on(), for the next event of `type` only. */
    once(type, listener) {
        const remove = this.on(type, (event) => {
            remove();
            listener(event);
        });
        return remove;
    }

    off(type, listener) {
        this.listeners.get(type)?.delete(listener);
    }

    /** Calls the listeners of `event.type`, then the '*' ones. A listener that throws is reported, not fatal. */
    emit(event) {
        for (const type of [event.type, '*']) {
            for (const listener of [...(this.listeners.get(type) ?? [])]) {
                try {
                    listener(event);
                } catch (error) {
                    queueMicrotask(() => {
                        throw error;
                    });
                }
            }
        }
    }
}
