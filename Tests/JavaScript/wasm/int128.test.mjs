// The 128-bit integer helpers of tools/wasm/runtime.c, as compiled into arena.wasm, against BigInt.
// Fixed's exact products and quotients go through them; the arena reaches only their fast paths,
// so every path is checked here with seeded random and edge-case operands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { arenaWasmURL } from './support.mjs';

const { exports } = await WebAssembly.instantiate(await WebAssembly.compile(await readFile(arenaWasmURL)), {});
const result = exports.arena_io_buffer(); // wasm32 returns an __int128 through a pointer (sret)

const U128 = (1n << 128n) - 1n;
const signed = (value) => BigInt.asIntN(128, value);
const unsigned = (value) => BigInt.asUintN(128, value);

/** Calls helper `name` on two 128-bit values (passed as low and high i64 halves). */
function call(name, a, b) {
    exports[name](result, BigInt.asIntN(64, a), BigInt.asIntN(64, a >> 64n), BigInt.asIntN(64, b), BigInt.asIntN(64, b >> 64n));
    const halves = new BigUint64Array(exports.memory.buffer, result, 2);
    return (halves[1] << 64n) | halves[0];
}

// Seeded xorshift64 for operands of every shape the helpers branch on.
let state = 0x9e3779b97f4a7c15n;
function next64() {
    state ^= (state << 13n) & 0xffffffffffffffffn;
    state ^= state >> 7n;
    state ^= (state << 17n) & 0xffffffffffffffffn;
    return state;
}
function operand() {
    const wide = (next64() << 64n) | next64();
    switch (Number(next64() % 8n)) {
        case 0: return unsigned(BigInt.asIntN(64, next64()));          // a sign-extended 64-bit value
        case 1: return unsigned(BigInt.asIntN(32, next64()));          // a sign-extended 32-bit value
        case 2: return wide >> (next64() % 128n);                      // any width
        case 3: return unsigned(-(wide >> (next64() % 128n)));         // its negation
        case 4: return 1n << (next64() % 128n);                        // a power of two
        case 5: return 1n << 127n;                                     // Int128.min
        case 6: return unsigned((next64() % 5n) - 2n);                 // −2 … 2
        default: return wide;
    }
}

test('__multi3 is the low 128 bits of the product', () => {
    for (let i = 0; i < 40_000; i++) {
        const a = operand(), b = operand();
        assert.equal(call('__multi3', a, b), (a * b) & U128, `${a} * ${b}`);
    }
});

test('__udivti3 and __umodti3 divide unsigned values', () => {
    for (let i = 0; i < 40_000; i++) {
        const a = operand(), b = operand();
        if (b === 0n) continue;
        assert.equal(call('__udivti3', a, b), a / b, `${a} / ${b}`);
        assert.equal(call('__umodti3', a, b), a % b, `${a} % ${b}`);
    }
});

test('__divti3 and __modti3 truncate toward zero, the remainder taking the dividend\'s sign', () => {
    for (let i = 0; i < 40_000; i++) {
        const a = signed(operand()), b = signed(operand());
        if (b === 0n || (a === -(1n << 127n) && b === -1n)) continue; // Swift traps before calling
        assert.equal(signed(call('__divti3', unsigned(a), unsigned(b))), a / b, `${a} / ${b}`);
        assert.equal(signed(call('__modti3', unsigned(a), unsigned(b))), a % b, `${a} % ${b}`);
    }
});

/** Calls shift helper `name` on a 128-bit value and a count. */
function shift(name, a, count) {
    exports[name](result, BigInt.asIntN(64, a), BigInt.asIntN(64, a >> 64n), count);
    const halves = new BigUint64Array(exports.memory.buffer, result, 2);
    return (halves[1] << 64n) | halves[0];
}

test('__ashlti3 and __lshrti3 shift by every count from 0 to 127', () => {
    for (let i = 0; i < 4_000; i++) {
        const a = operand();
        const count = Number(next64() % 128n);
        assert.equal(shift('__ashlti3', a, count), (a << BigInt(count)) & U128, `${a} << ${count}`);
        assert.equal(shift('__lshrti3', a, count), a >> BigInt(count), `${a} >> ${count}`);
    }
    for (const count of [0, 1, 63, 64, 65, 127]) {
        assert.equal(shift('__ashlti3', U128, count), (U128 << BigInt(count)) & U128);
        assert.equal(shift('__lshrti3', U128, count), U128 >> BigInt(count));
    }
});
