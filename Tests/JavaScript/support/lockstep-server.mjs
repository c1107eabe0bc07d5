// Starts a real `lockstep serve` on a free loopback port for end-to-end tests, and stops it.
// The binary: $LOCKSTEP_BINARY, else .build/debug/lockstep, else .build/release/lockstep (build
// it with `swift build --product lockstep`).

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { AdminClient } from '../../../Sources/LockstepWeb/Public/lockstep/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The lockstep binary to test, or null when none is built (and none was asked for). */
export function lockstepBinary() {
    const asked = process.env.LOCKSTEP_BINARY;
    if (asked) {
        if (!existsSync(asked)) throw new Error(`LOCKSTEP_BINARY=${asked} does not exist`);
        return asked;
    }
    return ['.build/debug/lockstep', '.build/release/lockstep'].map((path) => join(root, path)).find((path) => existsSync(path)) ?? null;
}

/**
 * Starts `lockstep serve --port 0` with a fresh replay directory and admin key; resolves once it
 * listens: { port, server (http://…), adminKey, admin (an AdminClient), log(), stop() }.
 */
export async function startServer(binary, extraArguments = []) {
    const replays = mkdtempSync(join(tmpdir(), 'lockstep-js-e2e-'));
    const adminKey = 'js-e2e-admin-key';
    const child = spawn(binary, ['serve', '--host', '127.0.0.1', '--port', '0', '--admin-key', adminKey, '--replays', replays, '--loops', '1', ...extraArguments], {
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const port = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`lockstep serve did not start within 30 s:\n${output}`)), 30_000);
        const read = (chunk) => {
            output += chunk;
            const match = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
            if (match) {
                clearTimeout(timer);
                resolve(Number(match[1]));
            }
        };
        child.stdout.on('data', read);
        child.stderr.on('data', read);
        exited.then(({ code }) => {
            clearTimeout(timer);
            reject(new Error(`lockstep serve exited (${code}) before listening:\n${output}`));
        });
    });
    const server = `http://127.0.0.1:${port}`;
    return {
        port,
        server,
        replays,
        adminKey,
        admin: new AdminClient({ server, adminKey }),
        log: () => output,
        async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            const result = await exited;
            rmSync(replays, { recursive: true, force: true });
            return result;
        },
    };
}

/** Resolves `promise`, or rejects after `ms` with `what` in the message. */
export function within(ms, what, promise) {
    let timer;
    return Promise.race([
        promise.finally(() => clearTimeout(timer)),
        new Promise((resolve, reject) => {
            timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
        }),
    ]);
}

/** Calls `check` until it resolves to a value other than undefined, for at most `ms` (then rejects). */
export async function eventually(ms, what, check) {
    const deadline = Date.now() + ms;
    for (;;) {
        const value = await check();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}
