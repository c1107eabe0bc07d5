// The arena input bytes the play page sends (Sources/LockstepSimulation/ArenaInput.swift layout).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeArenaInput, binaryAngle } from '../../../Sources/LockstepWeb/Public/app/controls.js';

test('an input encodes as the PROTOCOL.md example payload: move x 127, aim 0x4000, fire', () => {
    assert.deepEqual([...encodeArenaInput({ moveX: 127, moveY: 0, aim: 0x4000, fire: true })], [0x7f, 0x00, 0x00, 0x40, 0x01]);
});

test('moves are clamped to -127...127 and written as Int8, aims wrap to 16 bits', () => {
    assert.deepEqual([...encodeArenaInput({ moveX: -500, moveY: 300, aim: 0x1_2345, fire: false })], [0x81, 0x7f, 0x45, 0x23, 0x00]);
});

test('aim angles are BinaryAngle units counter-clockwise from +x with y up', () => {
    assert.equal(binaryAngle(1, 0), 0);
    assert.equal(binaryAngle(0, 1), 0x4000);
    assert.equal(binaryAngle(-1, 0), 0x8000);
    assert.equal(binaryAngle(0, -1), 0xc000);
});
